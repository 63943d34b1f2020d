"""The Python extension points of observed.py, synthesized through the binding."""
from aws_cdk import App
from aws_cdk.assertions import Template

from cdk_cross_region_failover import AlarmActions
from observed import PagerAlarms, observe, routed_api, routed_to_own_endpoint


def test_each_regions_function_comes_from_the_python_factory():
    app = App()
    api = routed_api(app)
    assert api.region_names == ["us-east-1", "eu-west-1"]
    for regional in api.regional_apis:
        Template.from_stack(regional.stack).has_resource_properties("AWS::Lambda::Function", {
            "Runtime": "python3.13",
            "Environment": {"Variables": {"SERVING_REGION": regional.region}},
        })


def test_alarms_and_the_automatic_failover_in_every_region():
    app = App()
    observed = observe(app)
    assert observed.region_names == ["us-east-1", "eu-west-1"]
    for observation in observed.regional_observations:
        assert observation.failover_trigger is not None
        Template.from_stack(observation.stack).has_resource_properties("AWS::CloudWatch::CompositeAlarm", {
            "AlarmName": observed.region_impaired_alarm_name(observation.region),
        })


def test_every_alarm_of_a_region_takes_the_actions_of_the_python_factory():
    app = App()
    observed = observe(app, PagerAlarms())
    for observation in observed.regional_observations:
        pager = f"arn:aws:lambda:{observation.region}:111111111111:function:pager"
        template = Template.from_stack(observation.stack)
        alarms = list(template.find_resources("AWS::CloudWatch::Alarm").values())
        alarms += list(template.find_resources("AWS::CloudWatch::CompositeAlarm").values())
        assert len(alarms) > 10
        for alarm in alarms:
            assert alarm["Properties"]["AlarmActions"] == [pager]
            assert alarm["Properties"]["OKActions"] == [pager]


def test_an_existing_topic_per_region():
    app = App()
    topics = {region: f"arn:aws:sns:{region}:111111111111:oncall" for region in ["us-east-1", "eu-west-1"]}
    observed = observe(app, AlarmActions.sns_topic_per_region(topics))
    for observation in observed.regional_observations:
        Template.from_stack(observation.stack).has_resource_properties("AWS::CloudWatch::CompositeAlarm", {
            "AlarmActions": [topics[observation.region]],
        })


def test_the_routing_in_front_of_endpoints_a_team_already_has():
    app = App()
    api = routed_to_own_endpoint(app)
    assert [(r.region, r.own_endpoint) for r in api.regional_routings] == [("us-east-1", True), ("eu-west-1", True)]
    assert api.regional_apis == []
    Template.from_stack(api.routing_stack).has_resource_properties("AWS::Route53::RecordSet", {
        "SetIdentifier": "eu-west-1",
        "AliasTarget": {"DNSName": "shop-alb-123456.eu-west-1.elb.amazonaws.com", "HostedZoneId": "Z32O12XQLNTSW2"},
    })
