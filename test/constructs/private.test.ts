import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { clusterArn, dbInstanceArn, globalClusterArn } from '../../src/constructs/private/arns';
import { MAX_REGIONS } from '../../src/constructs/private/limits';
import { apiMetric, AURORA_CLUSTER_METRICS, auroraClusterMetric, METRIC_PERIOD, percentOf } from '../../src/constructs/private/metrics';
import { RegionalPlacement } from '../../src/constructs/private/placement';

describe('RegionalPlacement', () => {
  test('the construct itself in its own stack, one parent of the same id in each other stack, whatever the order of the calls', () => {
    const app = new App();
    const own = new Stack(app, 'Own', { env: { region: 'us-east-1' } });
    const other = new Stack(app, 'Other', { env: { region: 'us-west-2' } });
    const construct = new Construct(own, 'Thing');
    const placement = new RegionalPlacement(construct);
    expect(placement.parentIn(own)).toBe(construct);
    expect(placement.parentIn(own, 'Suffix')).toBe(construct);
    const first = placement.parentIn(other);
    expect(first.node.path).toBe('Other/Thing');
    expect(placement.parentIn(other)).toBe(first);
    const suffixed = placement.parentIn(other, 'RegionSwitch');
    expect(suffixed.node.path).toBe('Other/ThingRegionSwitch');
    expect(placement.parentIn(other, 'RegionSwitch')).toBe(suffixed);
  });

  test('a construct at the App root has a parent in every stack', () => {
    const app = new App();
    const a = new Stack(app, 'A', { env: { region: 'us-east-1' } });
    const construct = new Construct(app, 'Thing');
    expect(new RegionalPlacement(construct).parentIn(a).node.path).toBe('A/Thing');
  });
});

describe('ARNs', () => {
  const stack = new Stack(new App(), 'S', { env: { region: 'us-east-1', account: '111122223333' } });
  const resolved = (arn: string) => stack.resolve(arn) as unknown;

  test('a global cluster has no Region, a cluster and an instance have theirs', () => {
    expect(resolved(globalClusterArn(stack, 'orders'))).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds::111122223333:global-cluster:orders']],
    });
    expect(resolved(clusterArn(stack, 'eu-west-1', 'orders-eu-west-1'))).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:111122223333:cluster:orders-eu-west-1']],
    });
    expect(resolved(dbInstanceArn(stack, 'us-west-2', '*'))).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:us-west-2:111122223333:db:*']],
    });
  });

  test('eleven Regions: a primary and the ten secondaries a global database allows', () => {
    expect(MAX_REGIONS).toBe(11);
  });
});

describe('metrics', () => {
  test('an Aurora cluster metric has its own statistic and unit per minute, every one overridable', () => {
    const lag = auroraClusterMetric('orders-eu-west-1', 'AuroraGlobalDBRPOLag');
    expect([lag.namespace, lag.metricName, lag.statistic, lag.unit, lag.period.toSeconds()]).toEqual(['AWS/RDS', 'AuroraGlobalDBRPOLag', 'Maximum', 'Milliseconds', 60]);
    expect(lag.dimensions).toEqual({ DBClusterIdentifier: 'orders-eu-west-1' });
    const custom = auroraClusterMetric('c', 'CommitLatency', { statistic: 'p99', period: Duration.minutes(5), region: 'eu-west-1' });
    expect([custom.statistic, custom.period.toMinutes(), custom.region, custom.unit]).toEqual(['p99', 5, 'eu-west-1', 'Milliseconds']);
    for (const name of Object.keys(AURORA_CLUSTER_METRICS) as (keyof typeof AURORA_CLUSTER_METRICS)[]) {
      expect(auroraClusterMetric('c', name).metricName).toBe(name);
    }
  });

  test("an API metric is the API's own, named after the CloudWatch metric, with its Region", () => {
    const stack = new Stack(new App(), 'S', { env: { region: 'eu-west-1' } });
    const api = new apigw.RestApi(stack, 'Api', { restApiName: 'orders' });
    api.root.addMethod('GET');
    const errors = apiMetric(api, '5XXError');
    expect([errors.namespace, errors.metricName, errors.statistic, errors.period.toSeconds()]).toEqual(['AWS/ApiGateway', '5XXError', 'Sum', 60]);
    expect(errors.dimensions).toEqual({ ApiName: 'orders' });
    expect(apiMetric(api, 'Latency').statistic).toBe('p99');
    expect(apiMetric(api, 'Count', { statistic: 'SampleCount' }).statistic).toBe('SampleCount');
  });

  test('a rate is 100 × part ÷ whole, 0 without any whole', () => {
    const rate = percentOf(
      { name: 'errors', metric: auroraClusterMetric('c', 'CommitThroughput') },
      { name: 'requests', metric: auroraClusterMetric('c', 'DatabaseConnections') },
      'rate',
    );
    expect(rate.expression).toBe('IF(requests > 0, 100 * errors / requests, 0)');
    expect(Object.keys(rate.usingMetrics).sort()).toEqual(['errors', 'requests']);
    expect([rate.label, rate.period.toSeconds()]).toEqual(['rate', METRIC_PERIOD.toSeconds()]);
  });
});
