package io.github.cdkcrossregionfailover.consumer;

import io.github.cdkcrossregionfailover.ArcRoutedApi;
import io.github.cdkcrossregionfailover.ArcRoutedApiProps;
import io.github.cdkcrossregionfailover.ArcRoutedApiRegionOptions;
import io.github.cdkcrossregionfailover.AuroraRegionOptions;
import io.github.cdkcrossregionfailover.AutomaticFailoverOptions;
import io.github.cdkcrossregionfailover.FailoverAutomation;
import io.github.cdkcrossregionfailover.FailoverAutomationProps;
import io.github.cdkcrossregionfailover.IRegionalHandlerFactory;
import io.github.cdkcrossregionfailover.MultiRegionAuroraPostgres;
import io.github.cdkcrossregionfailover.MultiRegionAuroraPostgresProps;
import io.github.cdkcrossregionfailover.ObservedWorkload;
import io.github.cdkcrossregionfailover.ObservedWorkloadProps;
import io.github.cdkcrossregionfailover.ObservedWorkloadThresholds;
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
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.route53.HostedZone;
import software.amazon.awscdk.services.route53.HostedZoneAttributes;
import software.constructs.Construct;

public final class OrdersApp {
    /** What the app builds: the global database, the routed API, the runbooks and the alarms. */
    public record Deployment(MultiRegionAuroraPostgres database, ArcRoutedApi api, FailoverAutomation runbooks, ObservedWorkload observed) {}

    /** Each Region's API function, made the same way: the library calls this implementation of its interface once per Region. */
    static final class RegionalHandlers implements IRegionalHandlerFactory {
        @Override
        public IFunction createHandler(Construct scope, String region) {
            return Function.Builder.create(scope, "Handler")
                    .runtime(Runtime.NODEJS_24_X)
                    .handler("index.handler")
                    .code(Code.fromInline("exports.handler = async () => ({ statusCode: 200, body: '" + region + "' })"))
                    .build();
        }
    }

    /** A Stack and a VPC per Region, a global database across them, an API in each Region behind api.example.com, the runbooks and the alarms. */
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
                .handlerFactory(new RegionalHandlers())
                .regions(List.of(
                        ArcRoutedApiRegionOptions.builder().stack(east).build(),
                        ArcRoutedApiRegionOptions.builder().stack(west).build()))
                // Every Region's API requires this pool's tokens.
                .userPool(UserPool.fromUserPoolArn(routing, "Users", "arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_EXAMPLE"))
                .build());
        FailoverAutomation runbooks = new FailoverAutomation(app, "Runbooks", FailoverAutomationProps.builder()
                .database(database)
                .routing(api)
                .approvers(List.of("arn:aws:iam::111111111111:role/oncall"))
                .writerTimeout(Duration.minutes(45))
                .build());
        // Alarms in every Region, a "Region impaired" alarm per Region, one dashboard, and an
        // automatic failover that waits for an approver after its pre-flight checks.
        ObservedWorkload observed = new ObservedWorkload(app, "Observed", ObservedWorkloadProps.builder()
                .name("orders")
                .regions(ObservedWorkload.regionsOf(database, api))
                .dashboardStack(routing)
                .thresholds(ObservedWorkloadThresholds.builder().rpoLag(Duration.seconds(10)).build())
                .automaticFailover(AutomaticFailoverOptions.builder().runbooks(runbooks).build())
                .build());
        return new Deployment(database, api, runbooks, observed);
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
