package main

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// Synthesizes the consumer app through the Go binding and checks the templates.
func TestTwoRegionGlobalDatabase(t *testing.T) {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	db := build(app)
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
	if n := len(*app.Synth(nil).Stacks()); n != 2 {
		t.Fatalf("synthesized %d stacks, want 2", n)
	}
}
