package io.github.cdkcrossregionfailover.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkcrossregionfailover.ArcRoutedApi;
import io.github.cdkcrossregionfailover.FailoverAutomation;
import io.github.cdkcrossregionfailover.RegionalFailoverAutomation;
import io.github.cdkcrossregionfailover.MultiRegionAuroraPostgres;
import io.github.cdkcrossregionfailover.ObservedWorkload;
import io.github.cdkcrossregionfailover.RegionalObservation;
import io.github.cdkcrossregionfailover.RegionalApi;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** Synthesizes the consumer app through the Java binding and checks the templates. */
class OrdersAppTest {
    @Test
    void twoRegionGlobalDatabase() {
        App app = new App();
        MultiRegionAuroraPostgres db = OrdersApp.build(app).database();
        Template primary = Template.fromStack(db.getRegionalClusters().get(0).getStack());
        Template secondary = Template.fromStack(db.getRegionalClusters().get(1).getStack());

        primary.resourceCountIs("AWS::RDS::GlobalCluster", 1);
        secondary.resourceCountIs("AWS::RDS::GlobalCluster", 0);
        primary.hasResourceProperties("AWS::RDS::GlobalCluster",
                Map.of("GlobalClusterIdentifier", "orders", "StorageEncrypted", true));
        primary.hasResourceProperties("AWS::RDS::DBCluster", Map.of(
                "DBClusterIdentifier", "orders-us-east-1", "DatabaseName", "orders", "MasterUsername", "dbadmin"));
        secondary.hasResourceProperties("AWS::RDS::DBCluster", Map.of(
                "DBClusterIdentifier", "orders-eu-west-1",
                "GlobalClusterIdentifier", "orders",
                "MasterUsername", Match.absent()));
        primary.resourceCountIs("AWS::RDS::DBInstance", 1);
        secondary.resourceCountIs("AWS::RDS::DBInstance", 0);
        // The secondary stack replicates the secret into its Region, with its own key.
        primary.hasResourceProperties("AWS::SecretsManager::Secret", Map.of("ReplicaRegions", Match.absent()));
        assertTrue(secondary.toJSON().toString().contains("replicateSecretToRegions"));

        assertEquals(List.of("us-east-1", "eu-west-1"), db.getRegionNames());
        assertEquals("orders-eu-west-1", db.regionalCluster("eu-west-1").getClusterIdentifier());
        assertEquals("/cdk-cross-region-failover/orders/aurora", db.getTopologyParameterName());
        assertEquals("AuroraGlobalDBRPOLag", db.metricRpoLag("eu-west-1").getMetricName());
    }

    @Test
    void eachRegionsFunctionComesFromTheJavaFactory() {
        App app = new App();
        for (RegionalApi regional : OrdersApp.build(app).api().getRegionalApis()) {
            Template.fromStack(regional.getStack()).hasResourceProperties("AWS::Lambda::Function", Map.of(
                    "Runtime", "nodejs24.x",
                    "Code", Map.of("ZipFile", "exports.handler = async () => ({ statusCode: 200, body: '" + regional.getRegion() + "' })")));
        }
    }

    @Test
    void arcRoutedApi() {
        App app = new App();
        ArcRoutedApi api = OrdersApp.build(app).api();
        for (RegionalApi regional : api.getRegionalApis()) {
            Template t = Template.fromStack(regional.getStack());
            t.hasResourceProperties("AWS::ApiGateway::DomainName", Map.of("DomainName", "api.example.com"));
            t.hasResourceProperties("AWS::ApiGateway::Authorizer", Map.of("ProviderARNs", List.of("arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_EXAMPLE")));
            t.resourceCountIs("AWS::WAFv2::WebACL", 1);
        }
        Template routing = Template.fromStack(Stack.of(api.getControlPanel()));
        routing.resourceCountIs("AWS::Route53RecoveryControl::RoutingControl", 2);
        routing.resourceCountIs("AWS::Route53::HealthCheck", 2);
        routing.hasResourceProperties("AWS::Route53RecoveryControl::SafetyRule",
                Map.of("RuleConfig", Map.of("Type", "ATLEAST", "Threshold", 1, "Inverted", false)));
        routing.hasResourceProperties("AWS::Route53::RecordSet",
                Map.of("Name", "api.example.com.", "SetIdentifier", "eu-west-1", "Weight", 100));
        assertEquals("/cdk-cross-region-failover/orders/routing", api.getRoutingParameterName());
        assertEquals(3, app.synth().getStacks().size());
    }

    @Test
    void failoverAutomation() {
        App app = new App();
        FailoverAutomation runbooks = OrdersApp.build(app).runbooks();
        assertEquals("orders-Failback", runbooks.getFailbackDocumentName());
        for (RegionalFailoverAutomation regional : runbooks.getRegionalAutomations()) {
            Template t = Template.fromStack(regional.getStack());
            t.resourceCountIs("AWS::SSM::Document", 5);
            t.resourceCountIs("Custom::RunbooksSelfTest", 1);
            t.hasResourceProperties("AWS::SSM::Document", Map.of(
                    "Name", "orders-Failover",
                    "Content", Match.objectLike(Map.of("parameters", Match.objectLike(Map.of(
                            "TargetRegion", Match.objectLike(Map.of("allowedValues", List.of(regional.getRegion()))),
                            "AllowDataLoss", Match.objectLike(Map.of("default", false))))))));
            t.hasResourceProperties("AWS::Lambda::Function", Map.of("FunctionName", "orders-runbook-steps"));
        }
    }

    @Test
    void observedWorkload() {
        App app = new App();
        OrdersApp.Deployment deployment = OrdersApp.build(app);
        ObservedWorkload observed = deployment.observed();
        for (RegionalObservation regional : observed.getRegionalObservations()) {
            Template t = Template.fromStack(regional.getStack());
            t.resourceCountIs("AWS::CloudWatch::CompositeAlarm", 1);
            t.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                    "AlarmName", "orders-" + regional.getRegion() + "-rpo-lag", "Threshold", 10000));
            t.hasResourceProperties("AWS::Events::Rule", Map.of("Name", "orders-start-failover"));
        }
        Template.fromStack(deployment.api().getRoutingStack()).resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    }
}
