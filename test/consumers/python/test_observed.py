"""The Python extension points of observed.py, synthesized through the binding."""
from aws_cdk import App
from aws_cdk.assertions import Template

from observed import observe, routed_api


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
