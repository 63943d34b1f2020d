package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-cross-region-failover/cdk-cross-region-failover-go/cdkcrossregionfailover"
)

// build adds a Stack and a VPC per Region, and an Aurora PostgreSQL global database across them.
func build(app awscdk.App) cdkcrossregionfailover.MultiRegionAuroraPostgres {
	var regions []*cdkcrossregionfailover.AuroraRegionOptions
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
		regions = append(regions, options)
	}
	return cdkcrossregionfailover.NewMultiRegionAuroraPostgres(app, jsii.String("Database"),
		&cdkcrossregionfailover.MultiRegionAuroraPostgresProps{Name: jsii.String("orders"), Regions: &regions})
}

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	build(app)
	app.Synth(nil)
}
