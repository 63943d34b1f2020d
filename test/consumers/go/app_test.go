package main

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-cross-region-failover/cdk-cross-region-failover-go/cdkcrossregionfailover"
)

// Synthesizes the consumer app through the Go binding and checks the templates.
func TestTwoRegionGlobalDatabase(t *testing.T) {
	app := awscdk.NewApp(nil)
	db, _, _ := build(app)
	clusters := *db.RegionalClusters()
	primary := assertions.Template_FromStack(clusters[0].Stack, nil)
	secondary := assertions.Template_FromStack(clusters[1].Stack, nil)

	primary.ResourceCountIs(jsii.String("AWS::RDS::GlobalCluster"), jsii.Number(1))
	secondary.ResourceCountIs(jsii.String("AWS::RDS::GlobalCluster"), jsii.Number(0))
	primary.HasResourceProperties(jsii.String("AWS::RDS::GlobalCluster"), map[string]interface{}{
		"GlobalClusterIdentifier": "orders", "StorageEncrypted": true,
	})
	primary.HasResourceProperties(jsii.String("AWS::RDS::DBCluster"), map[string]interface{}{
		"DBClusterIdentifier": "orders-us-east-1", "DatabaseName": "orders", "MasterUsername": "dbadmin",
	})
	secondary.HasResourceProperties(jsii.String("AWS::RDS::DBCluster"), map[string]interface{}{
		"DBClusterIdentifier":     "orders-eu-west-1",
		"GlobalClusterIdentifier": "orders",
		"MasterUsername":          assertions.Match_Absent(),
	})
	primary.ResourceCountIs(jsii.String("AWS::RDS::DBInstance"), jsii.Number(1))
	secondary.ResourceCountIs(jsii.String("AWS::RDS::DBInstance"), jsii.Number(0))

	if got := *db.RegionalCluster(jsii.String("eu-west-1")).ClusterIdentifier; got != "orders-eu-west-1" {
		t.Fatalf("ClusterIdentifier = %q, want orders-eu-west-1", got)
	}
	if got := *db.TopologyParameterName(); got != "/cdk-cross-region-failover/orders/aurora" {
		t.Fatalf("TopologyParameterName = %q", got)
	}
	if got := *db.MetricRpoLag(jsii.String("eu-west-1"), nil).MetricName(); got != "AuroraGlobalDBRPOLag" {
		t.Fatalf("MetricRpoLag name = %q", got)
	}
}

func TestArcRoutedApi(t *testing.T) {
	app := awscdk.NewApp(nil)
	_, api, _ := build(app)
	for _, regional := range *api.RegionalApis() {
		tpl := assertions.Template_FromStack(regional.Stack, nil)
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::DomainName"), map[string]interface{}{"DomainName": "api.example.com"})
		tpl.ResourceCountIs(jsii.String("AWS::WAFv2::WebACL"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Authorizer"), map[string]interface{}{
			"ProviderARNs": []interface{}{"arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_EXAMPLE"},
		})
	}
	routing := assertions.Template_FromStack(awscdk.Stack_Of(api.ControlPanel()), nil)
	routing.ResourceCountIs(jsii.String("AWS::Route53RecoveryControl::RoutingControl"), jsii.Number(2))
	routing.ResourceCountIs(jsii.String("AWS::Route53::HealthCheck"), jsii.Number(2))
	routing.HasResourceProperties(jsii.String("AWS::Route53RecoveryControl::SafetyRule"), map[string]interface{}{
		"RuleConfig": map[string]interface{}{"Type": "ATLEAST", "Threshold": 1, "Inverted": false},
	})
	routing.HasResourceProperties(jsii.String("AWS::Route53::RecordSet"), map[string]interface{}{
		"Name": "api.example.com.", "SetIdentifier": "eu-west-1", "Weight": 100,
	})
	if got := *api.RoutingParameterName(); got != "/cdk-cross-region-failover/orders/routing" {
		t.Fatalf("RoutingParameterName = %q", got)
	}
	if n := len(*app.Synth(nil).Stacks()); n != 3 {
		t.Fatalf("synthesized %d stacks, want 3", n)
	}
}

func TestFailoverAutomation(t *testing.T) {
	app := awscdk.NewApp(nil)
	_, _, runbooks := build(app)
	if got := *runbooks.SwitchoverDocumentName(); got != "orders-Switchover" {
		t.Fatalf("SwitchoverDocumentName = %q", got)
	}
	for _, regional := range *runbooks.RegionalAutomations() {
		tpl := assertions.Template_FromStack(regional.Stack, nil)
		tpl.ResourceCountIs(jsii.String("AWS::SSM::Document"), jsii.Number(5))
		tpl.ResourceCountIs(jsii.String("Custom::RunbooksSelfTest"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("AWS::SSM::Document"), map[string]interface{}{
			"Name": "orders-Failback",
			"Content": assertions.Match_ObjectLike(&map[string]interface{}{
				"parameters": assertions.Match_ObjectLike(&map[string]interface{}{
					"TargetRegion": assertions.Match_ObjectLike(&map[string]interface{}{"allowedValues": []string{*regional.Region}}),
				}),
			}),
		})
		tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]interface{}{"FunctionName": "orders-runbook-steps"})
	}
}

func TestObservedWorkload(t *testing.T) {
	app := awscdk.NewApp(nil)
	database, api, runbooks := build(app)
	observed := cdkcrossregionfailover.NewObservedWorkload(app, jsii.String("Observed"), &cdkcrossregionfailover.ObservedWorkloadProps{
		Name:              jsii.String("orders"),
		Regions:           cdkcrossregionfailover.ObservedWorkload_RegionsOf(database, api),
		DashboardStack:    api.RoutingStack(),
		Thresholds:        &cdkcrossregionfailover.ObservedWorkloadThresholds{RpoLag: awscdk.Duration_Seconds(jsii.Number(10))},
		AutomaticFailover: &cdkcrossregionfailover.AutomaticFailoverOptions{Runbooks: runbooks},
	})
	for _, regional := range *observed.RegionalObservations() {
		tpl := assertions.Template_FromStack(regional.Stack, nil)
		tpl.ResourceCountIs(jsii.String("AWS::CloudWatch::CompositeAlarm"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]interface{}{
			"AlarmName": "orders-" + *regional.Region + "-rpo-lag", "Threshold": 10000,
		})
		tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]interface{}{"Name": "orders-start-failover"})
	}
	assertions.Template_FromStack(api.RoutingStack(), nil).ResourceCountIs(jsii.String("AWS::CloudWatch::Dashboard"), jsii.Number(1))
}

func TestMain(m *testing.M) {
	defer jsii.Close()
	m.Run()
}

// Each Region's function comes from the Go implementation of IRegionalHandlerFactory.
func TestHandlersFromTheGoFactory(t *testing.T) {
	app := awscdk.NewApp(nil)
	_, api, _ := build(app)
	for _, regional := range *api.RegionalApis() {
		assertions.Template_FromStack(regional.Stack, nil).HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]interface{}{
			"Runtime": "nodejs24.x",
			"Code":    map[string]interface{}{"ZipFile": "exports.handler = async () => ({ statusCode: 200, body: '" + *regional.Region + "' })"},
		})
	}
}
