"""Synthesizes the consumer app through the Python binding and checks the templates."""
import json

from aws_cdk import App, Duration, Environment, Stack, aws_iam as iam
from aws_cdk.assertions import Match, Template
from cdk_cross_region_failover import AutomaticFailoverOptions, ObservedWorkload, ObservedWorkloadThresholds

from app import build


def test_two_region_global_database():
    app = App()
    db, _, _ = build(app)
    primary, secondary = (Template.from_stack(r.stack) for r in db.regional_clusters)

    primary.resource_count_is("AWS::RDS::GlobalCluster", 1)
    secondary.resource_count_is("AWS::RDS::GlobalCluster", 0)
    primary.has_resource_properties("AWS::RDS::GlobalCluster", {
        "GlobalClusterIdentifier": "orders", "StorageEncrypted": True,
    })
    primary.has_resource_properties("AWS::RDS::DBCluster", {
        "DBClusterIdentifier": "orders-us-east-1",
        "DatabaseName": "orders",
        "MasterUsername": "dbadmin",
        "EnableIAMDatabaseAuthentication": True,
    })
    secondary.has_resource_properties("AWS::RDS::DBCluster", {
        "DBClusterIdentifier": "orders-eu-west-1",
        "GlobalClusterIdentifier": "orders",
        "MasterUsername": Match.absent(),
    })
    primary.resource_count_is("AWS::RDS::DBInstance", 1)
    secondary.resource_count_is("AWS::RDS::DBInstance", 0)
    # The secondary stack replicates the secret into its Region, with its own key.
    primary.has_resource_properties("AWS::SecretsManager::Secret", {"ReplicaRegions": Match.absent()})
    assert "replicateSecretToRegions" in json.dumps(secondary.to_json())

    assert db.region_names == ["us-east-1", "eu-west-1"]
    assert db.regional_cluster("eu-west-1").cluster_identifier == "orders-eu-west-1"
    assert db.topology_parameter_name == "/cdk-cross-region-failover/orders/aurora"
    assert db.metric_rpo_lag("eu-west-1").metric_name == "AuroraGlobalDBRPOLag"


def test_arc_routed_api():
    app = App()
    _, api, _ = build(app)
    for regional in api.regional_apis:
        t = Template.from_stack(regional.stack)
        t.has_resource_properties("AWS::ApiGateway::DomainName", {"DomainName": "api.example.com"})
        t.resource_count_is("AWS::WAFv2::WebACL", 1)
        t.has_resource_properties("AWS::ApiGateway::Authorizer", {"ProviderARNs": ["arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_EXAMPLE"]})
    routing = Template.from_stack(Stack.of(api.control_panel))
    routing.resource_count_is("AWS::Route53RecoveryControl::RoutingControl", 2)
    routing.resource_count_is("AWS::Route53::HealthCheck", 2)
    routing.has_resource_properties("AWS::Route53RecoveryControl::SafetyRule", {
        "RuleConfig": {"Type": "ATLEAST", "Threshold": 1, "Inverted": False},
    })
    routing.has_resource_properties("AWS::Route53::RecordSet", {
        "Name": "api.example.com.", "SetIdentifier": "eu-west-1", "Weight": 100,
    })
    assert api.routing_parameter_name == "/cdk-cross-region-failover/orders/routing"

    assembly = app.synth()
    assert sorted(s.stack_name for s in assembly.stacks) == ["orders-eu-west-1", "orders-routing", "orders-us-east-1"]


def test_failover_automation():
    app = App()
    _, api, runbooks = build(app)
    # Grants change the construct tree: make them before the first synthesis.
    operators = Stack(app, "operators", env=Environment(region="us-east-1"))
    role = iam.Role(operators, "Operator", assumed_by=iam.AccountRootPrincipal())
    runbooks.grant_start(role)
    runbooks.grant_status(role)
    assert runbooks.failover_document_name == "orders-Failover"
    assert runbooks.runbooks_parameter_name == "/cdk-cross-region-failover/orders/runbooks"
    plan = Template.from_stack(api.routing_stack)
    plan.has_resource_properties("AWS::ARCRegionSwitch::Plan", {
        "Name": "orders-dr", "RecoveryApproach": "activePassive", "Regions": ["us-east-1", "eu-west-1"],
        "RecoveryTimeObjectiveMinutes": 20,
    })
    for regional in runbooks.regional_automations:
        t = Template.from_stack(regional.stack)
        t.resource_count_is("AWS::SSM::Document", 5)
        t.resource_count_is("Custom::RunbooksSelfTest", 1)
        t.has_resource_properties("AWS::SSM::Document", {
            "Name": "orders-Switchover", "DocumentType": "Automation",
            "Content": Match.object_like({"parameters": Match.object_like({
                "TargetRegion": Match.object_like({"allowedValues": [regional.region]}),
                "RequireApproval": Match.object_like({"default": True}),
            })}),
        })
        t.has_resource_properties("AWS::Lambda::Function", {"FunctionName": "orders-runbook-steps"})
    Template.from_stack(operators).has_resource_properties("AWS::IAM::Policy", {
        "PolicyDocument": {"Statement": Match.array_with([
            Match.object_like({"Action": "iam:PassRole"}),
            Match.object_like({"Action": ["rds:DescribeGlobalClusters", "rds:DescribeDBClusters"]}),
        ])},
    })


def test_observed_workload():
    app = App()
    database, api, runbooks = build(app)
    observed = ObservedWorkload(
        app, "Observed", name="orders",
        regions=ObservedWorkload.regions_of(database, api),
        dashboard_stack=api.routing_stack,
        thresholds=ObservedWorkloadThresholds(rpo_lag=Duration.seconds(10)),
        automatic_failover=AutomaticFailoverOptions(runbooks=runbooks),
    )
    for regional in observed.regional_observations:
        t = Template.from_stack(regional.stack)
        t.resource_count_is("AWS::CloudWatch::CompositeAlarm", 1)
        t.has_resource_properties("AWS::CloudWatch::Alarm", {"AlarmName": f"orders-{regional.region}-rpo-lag", "Threshold": 10000})
        t.has_resource_properties("AWS::Events::Rule", {"Name": "orders-start-failover"})
        assert regional.failover_trigger is not None
    Template.from_stack(api.routing_stack).resource_count_is("AWS::CloudWatch::Dashboard", 1)
