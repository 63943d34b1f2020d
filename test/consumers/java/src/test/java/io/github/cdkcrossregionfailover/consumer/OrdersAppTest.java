package io.github.cdkcrossregionfailover.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.cdkcrossregionfailover.MultiRegionAuroraPostgres;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** Synthesizes the consumer app through the Java binding and checks the templates. */
class OrdersAppTest {
    @Test
    void twoRegionGlobalDatabase() {
        App app = new App();
        MultiRegionAuroraPostgres db = OrdersApp.build(app);
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
        primary.hasResourceProperties("AWS::SecretsManager::Secret",
                Map.of("ReplicaRegions", List.of(Map.of("Region", "eu-west-1"))));

        assertEquals(List.of("us-east-1", "eu-west-1"), db.getRegionNames());
        assertEquals("orders-eu-west-1", db.regionalCluster("eu-west-1").getClusterIdentifier());
        assertEquals("/cdk-cross-region-failover/orders/aurora", db.getTopologyParameterName());
        assertEquals("AuroraGlobalDBRPOLag", db.metricRpoLag("eu-west-1").getMetricName());
        assertEquals(2, app.synth().getStacks().size());
    }
}
