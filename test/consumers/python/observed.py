"""Extension points from Python: the API's functions made by a class that implements the
library's IRegionalHandlerFactory (jsii calls it once per Region), and the alarms of every
Region, with an automatic failover that waits for an approver, sent where a class that
implements IAlarmActionFactory says (or to an existing topic per Region)."""
import typing

import jsii
from aws_cdk import App, Duration, Environment, Stack, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_cognito as cognito, aws_lambda as _lambda, aws_route53 as route53
from constructs import Construct
from cdk_cross_region_failover import (
    ArcRoutedApi, ArcRoutedApiRegionOptions, AutomaticFailoverOptions, IAlarmActionFactory, IRegionalHandlerFactory,
    ObservedWorkload, ObservedWorkloadThresholds, RoutedEndpoint,
)

from app import REGIONS, build


@jsii.implements(IRegionalHandlerFactory)
class RegionalHandlers:
    """Builds each Region's API function the same way, told its Region."""

    def create_handler(self, scope: Construct, region: str) -> _lambda.IFunction:
        return _lambda.Function(
            scope, "Handler", runtime=_lambda.Runtime.PYTHON_3_13, handler="index.handler",
            code=_lambda.Code.from_inline("def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"),
            environment={"SERVING_REGION": region},
        )


def routed_api(app: App) -> ArcRoutedApi:
    """An API in each Region behind api.example.com, its functions from the factory above."""
    routing = Stack(app, "payments-routing", env=Environment(region="us-west-2"))
    zone = route53.HostedZone.from_hosted_zone_attributes(
        routing, "Zone", hosted_zone_id="Z0123456789EXAMPLE", zone_name="example.com")
    users = cognito.UserPool.from_user_pool_arn(
        routing, "Users", "arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_EXAMPLE")
    return ArcRoutedApi(app, "PaymentsApi", name="payments", routing_stack=routing, hosted_zone=zone,
                        domain_name="payments.example.com", user_pool=users,
                        handler_factory=RegionalHandlers(), regions=[
                            ArcRoutedApiRegionOptions(stack=Stack(app, f"payments-{region}", env=Environment(region=region)))
                            for region in REGIONS
                        ])


def routed_to_own_endpoint(app: App) -> ArcRoutedApi:
    """The same routing in front of endpoints a team already has: a load balancer in
    eu-west-1 (its alias target) and an API Gateway custom domain of its own in us-east-1."""
    routing = Stack(app, "shop-routing", env=Environment(region="us-west-2"))
    zone = route53.HostedZone.from_hosted_zone_attributes(
        routing, "Zone", hosted_zone_id="Z0123456789EXAMPLE", zone_name="example.com")
    return ArcRoutedApi(app, "ShopApi", name="shop", routing_stack=routing, hosted_zone=zone,
                        domain_name="shop.example.com", regions=[
                            ArcRoutedApiRegionOptions(
                                stack=Stack(app, "shop-us-east-1", env=Environment(region="us-east-1")),
                                endpoint=RoutedEndpoint.api_gateway_custom_domain()),
                            ArcRoutedApiRegionOptions(
                                stack=Stack(app, "shop-eu-west-1", env=Environment(region="eu-west-1")),
                                endpoint=RoutedEndpoint.alias_target(
                                    "shop-alb-123456.eu-west-1.elb.amazonaws.com", "Z32O12XQLNTSW2")),
                        ])


@jsii.implements(IAlarmActionFactory)
class PagerAlarms:
    """Every alarm of a Region invokes the team's paging function in that Region."""

    def create_alarm_actions(self, scope: Construct, region: str) -> typing.List[cloudwatch.IAlarmAction]:
        pager = _lambda.Function.from_function_arn(scope, "Pager", f"arn:aws:lambda:{region}:111111111111:function:pager")
        return [cw_actions.LambdaAction(pager)]


def observe(app: App, alarm_actions: typing.Optional[IAlarmActionFactory] = None) -> ObservedWorkload:
    """The alarms, "Region impaired" alarms and dashboard of the deployment of app.py."""
    database, api, runbooks = build(app)
    return ObservedWorkload(
        app, "Observed", name="orders", regions=ObservedWorkload.regions_of(database, api),
        dashboard_stack=api.routing_stack,
        thresholds=ObservedWorkloadThresholds(rpo_lag=Duration.seconds(10)),
        # Without it, every alarm notifies the Region's own encrypted topic.
        alarm_actions=alarm_actions,
        # Off unless given: the "Region impaired" alarm of the writer's Region starts the failover
        # runbook in a healthy Region, which waits for an approver after its pre-flight checks.
        automatic_failover=AutomaticFailoverOptions(runbooks=runbooks, cool_down=Duration.hours(1)),
    )
