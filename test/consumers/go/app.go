package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-cross-region-failover/cdk-cross-region-failover-go/cdkcrossregionfailover"
)

// regionalHandlers makes each Region's API function the same way: a Go implementation of
// the library's IRegionalHandlerFactory, which the library calls once per Region.
type regionalHandlers struct{}

func (*regionalHandlers) CreateHandler(scope constructs.Construct, region *string) awslambda.IFunction {
	return awslambda.NewFunction(scope, jsii.String("Handler"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_NODEJS_24_X(),
		Handler: jsii.String("index.handler"),
		Code:    awslambda.Code_FromInline(jsii.String("exports.handler = async () => ({ statusCode: 200, body: '" + *region + "' })")),
	})
}

// build adds a Stack and a VPC per Region, a global database across them, an API in each
// Region behind api.example.com, routed by ARC from a stack in us-west-2, and the
// switchover, failover and failback runbooks in both Regions.
func build(app awscdk.App) (cdkcrossregionfailover.MultiRegionAuroraPostgres, cdkcrossregionfailover.ArcRoutedApi, cdkcrossregionfailover.FailoverAutomation) {
	var databaseRegions []*cdkcrossregionfailover.AuroraRegionOptions
	var apiRegions []*cdkcrossregionfailover.ArcRoutedApiRegionOptions
	for i, region := range []string{"us-east-1", "eu-west-1"} {
		stack := awscdk.NewStack(app, jsii.String("orders-"+region), &awscdk.StackProps{
			Env: &awscdk.Environment{Region: jsii.String(region)},
		})
		vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{
			NatGateways: jsii.Number(0),
			SubnetConfiguration: &[]*awsec2.SubnetConfiguration{
				{Name: jsii.String("db"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED},
			},
		})
		options := &cdkcrossregionfailover.AuroraRegionOptions{Stack: stack, Vpc: vpc}
		if i == 0 {
			options.DatabaseName = jsii.String("orders") // initial primary
		} else {
			options.Headless = jsii.Bool(true) // warm standby
		}
		databaseRegions = append(databaseRegions, options)
		apiRegions = append(apiRegions, &cdkcrossregionfailover.ArcRoutedApiRegionOptions{Stack: stack})
	}
	database := cdkcrossregionfailover.NewMultiRegionAuroraPostgres(app, jsii.String("Database"),
		&cdkcrossregionfailover.MultiRegionAuroraPostgresProps{Name: jsii.String("orders"), Regions: &databaseRegions})

	routing := awscdk.NewStack(app, jsii.String("orders-routing"), &awscdk.StackProps{
		Env: &awscdk.Environment{Region: jsii.String("us-west-2")},
	})
	zone := awsroute53.HostedZone_FromHostedZoneAttributes(routing, jsii.String("Zone"), &awsroute53.HostedZoneAttributes{
		HostedZoneId: jsii.String("Z0123456789EXAMPLE"), ZoneName: jsii.String("example.com"),
	})
	api := cdkcrossregionfailover.NewArcRoutedApi(app, jsii.String("Api"), &cdkcrossregionfailover.ArcRoutedApiProps{
		Name:         jsii.String("orders"),
		RoutingStack: routing,
		HostedZone:   zone,
		DomainName:   jsii.String("api.example.com"),
		Regions:      &apiRegions,
		// Each Region's function, from the Go implementation above.
		HandlerFactory: &regionalHandlers{},
		// Every Region's API requires this pool's tokens.
		UserPool: awscognito.UserPool_FromUserPoolArn(routing, jsii.String("Users"),
			jsii.String("arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_EXAMPLE")),
	})
	runbooks := cdkcrossregionfailover.NewFailoverAutomation(app, jsii.String("Runbooks"), &cdkcrossregionfailover.FailoverAutomationProps{
		Database:      database,
		Routing:       api,
		Approvers:     &[]*string{jsii.String("arn:aws:iam::111111111111:role/oncall")},
		WriterTimeout: awscdk.Duration_Minutes(jsii.Number(45)),
	})
	return database, api, runbooks
}

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	build(app)
	app.Synth(nil)
}
