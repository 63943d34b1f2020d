from aws_cdk import App, Duration, Environment, Stack, aws_cognito as cognito, aws_ec2 as ec2, aws_lambda as _lambda, aws_route53 as route53
from cdk_cross_region_failover import (
    ArcRoutedApi, ArcRoutedApiRegionOptions, AuroraRegionOptions, FailoverAutomation, MultiRegionAuroraPostgres,
    RegionSwitchPlanOptions,
)

REGIONS = ("us-east-1", "eu-west-1")


def build(app: App) -> tuple[MultiRegionAuroraPostgres, ArcRoutedApi, FailoverAutomation]:
    """A Stack and a VPC per Region, a global database across them, and an API in each
    Region behind api.example.com, routed by ARC from a stack in us-west-2, and the
    switchover, failover and failback runbooks in both Regions."""
    stacks, vpcs, handlers = [], [], []
    for region in REGIONS:
        stack = Stack(app, f"orders-{region}", env=Environment(region=region))
        vpcs.append(ec2.Vpc(stack, "Vpc", nat_gateways=0, subnet_configuration=[
            ec2.SubnetConfiguration(name="db", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        ]))
        handlers.append(_lambda.Function(
            stack, "Handler", runtime=_lambda.Runtime.NODEJS_24_X, handler="index.handler",
            code=_lambda.Code.from_inline("exports.handler = async () => ({ statusCode: 200, body: process.env.AWS_REGION })"),
        ))
        stacks.append(stack)
    database = MultiRegionAuroraPostgres(app, "Database", name="orders", regions=[
        AuroraRegionOptions(stack=stacks[0], vpc=vpcs[0], database_name="orders"),  # initial primary
        AuroraRegionOptions(stack=stacks[1], vpc=vpcs[1], headless=True),  # warm standby
    ])

    routing = Stack(app, "orders-routing", env=Environment(region="us-west-2"))
    zone = route53.HostedZone.from_hosted_zone_attributes(
        routing, "Zone", hosted_zone_id="Z0123456789EXAMPLE", zone_name="example.com")
    # Every Region's API requires this pool's tokens.
    users = cognito.UserPool.from_user_pool_arn(
        routing, "Users", "arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_EXAMPLE")
    api = ArcRoutedApi(app, "Api", name="orders", routing_stack=routing, hosted_zone=zone,
                       domain_name="api.example.com", user_pool=users, regions=[
                           ArcRoutedApiRegionOptions(stack=stack, handler=handler)
                           for stack, handler in zip(stacks, handlers)
                       ])
    runbooks = FailoverAutomation(app, "Runbooks", database=database, routing=api,
                                  approvers=["arn:aws:iam::111111111111:role/oncall"],
                                  writer_timeout=Duration.minutes(45),
                                  # The same moves as an ARC Region switch plan, for the two Regions.
                                  region_switch_plan=RegionSwitchPlanOptions(
                                      plan_name="orders-dr", recovery_time_objective=Duration.minutes(20)))
    return database, api, runbooks


if __name__ == "__main__":
    app = App()
    build(app)
    app.synth()
