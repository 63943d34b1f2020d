package io.github.cdkcrossregionfailover.consumer;

import io.github.cdkcrossregionfailover.ArcRoutedApi;
import io.github.cdkcrossregionfailover.ArcRoutedApiProps;
import io.github.cdkcrossregionfailover.ArcRoutedApiRegionOptions;
import io.github.cdkcrossregionfailover.AuroraRegionOptions;
import io.github.cdkcrossregionfailover.FailoverAutomation;
import io.github.cdkcrossregionfailover.FailoverAutomationProps;
import io.github.cdkcrossregionfailover.MultiRegionAuroraPostgres;
import io.github.cdkcrossregionfailover.MultiRegionAuroraPostgresProps;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.cognito.UserPool;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.route53.HostedZone;
import software.amazon.awscdk.services.route53.HostedZoneAttributes;

public final class OrdersApp {
    /** What the app builds: the global database, the routed API and the runbooks. */
    public record Deployment(MultiRegionAuroraPostgres database, ArcRoutedApi api, FailoverAutomation runbooks) {}

    /** A Stack and a VPC per Region, a global database across them, and an API in each Region behind api.example.com. */
    public static Deployment build(App app) {
        Stack east = regionalStack(app, "us-east-1");
        Stack west = regionalStack(app, "eu-west-1");
        MultiRegionAuroraPostgres database = new MultiRegionAuroraPostgres(app, "Database", MultiRegionAuroraPostgresProps.builder()
                .name("orders")
                .regions(List.of(
                        AuroraRegionOptions.builder().stack(east).vpc(vpc(east)).databaseName("orders").build(), // initial primary
                        AuroraRegionOptions.builder().stack(west).vpc(vpc(west)).headless(true).build()))        // warm standby
                .build());

        Stack routing = new Stack(app, "orders-routing", StackProps.builder()
                .env(Environment.builder().region("us-west-2").build()).build());
        ArcRoutedApi api = new ArcRoutedApi(app, "Api", ArcRoutedApiProps.builder()
                .name("orders")
                .routingStack(routing)
                .hostedZone(HostedZone.fromHostedZoneAttributes(routing, "Zone", HostedZoneAttributes.builder()
                        .hostedZoneId("Z0123456789EXAMPLE").zoneName("example.com").build()))
                .domainName("api.example.com")
                .regions(List.of(
                        ArcRoutedApiRegionOptions.builder().stack(east).handler(handler(east)).build(),
                        ArcRoutedApiRegionOptions.builder().stack(west).handler(handler(west)).build()))
                // Every Region's API requires this pool's tokens.
                .userPool(UserPool.fromUserPoolArn(routing, "Users", "arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_EXAMPLE"))
                .build());
        FailoverAutomation runbooks = new FailoverAutomation(app, "Runbooks", FailoverAutomationProps.builder()
                .database(database)
                .routing(api)
                .approvers(List.of("arn:aws:iam::111111111111:role/oncall"))
                .writerTimeout(Duration.minutes(45))
                .build());
        return new Deployment(database, api, runbooks);
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

    private static Function handler(Stack stack) {
        return Function.Builder.create(stack, "Handler")
                .runtime(Runtime.NODEJS_24_X)
                .handler("index.handler")
                .code(Code.fromInline("exports.handler = async () => ({ statusCode: 200, body: process.env.AWS_REGION })"))
                .build();
    }

    public static void main(String[] args) {
        App app = new App();
        build(app);
        app.synth();
    }
}
