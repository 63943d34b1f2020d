package io.github.cdkcrossregionfailover.consumer;

import io.github.cdkcrossregionfailover.AuroraRegionOptions;
import io.github.cdkcrossregionfailover.MultiRegionAuroraPostgres;
import io.github.cdkcrossregionfailover.MultiRegionAuroraPostgresProps;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;

public final class OrdersApp {
    /** A Stack and a VPC per Region, and an Aurora PostgreSQL global database across them. */
    public static MultiRegionAuroraPostgres build(App app) {
        Stack east = regionalStack(app, "us-east-1");
        Stack west = regionalStack(app, "eu-west-1");
        return new MultiRegionAuroraPostgres(app, "Database", MultiRegionAuroraPostgresProps.builder()
                .name("orders")
                .regions(List.of(
                        AuroraRegionOptions.builder().stack(east).vpc(vpc(east)).databaseName("orders").build(), // initial primary
                        AuroraRegionOptions.builder().stack(west).vpc(vpc(west)).headless(true).build()))        // warm standby
                .build());
    }

    private static Stack regionalStack(App app, String region) {
        return new Stack(app, "orders-" + region, StackProps.builder()
                .env(Environment.builder().region(region).build()).build());
    }

    private static Vpc vpc(Stack stack) {
        return Vpc.Builder.create(stack, "Vpc").natGateways(0)
                .subnetConfiguration(List.of(SubnetConfiguration.builder()
                        .name("db").subnetType(SubnetType.PRIVATE_ISOLATED).build()))
                .build();
    }

    public static void main(String[] args) {
        App app = new App();
        build(app);
        app.synth();
    }
}
