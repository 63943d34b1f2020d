import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { observe } from './observed';
import { build } from './runbooks';
import { ArcRoutedApi, MultiRegionAuroraPostgres } from '../../../src';

test('the ObservedWorkload usage shown in the README synthesizes, with its automatic failover', () => {
  const app = new App();
  const runbooks = build(app);
  const observed = observe(app, app.node.findChild('Database') as MultiRegionAuroraPostgres, app.node.findChild('Api') as ArcRoutedApi, runbooks);
  for (const regional of observed.regionalObservations) {
    const t = Template.fromStack(regional.stack);
    t.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `orders-${regional.region}-rpo-lag`, Threshold: 10_000 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `orders-${regional.region}-api-latency-p99`, Threshold: 800 });
    t.hasResourceProperties('AWS::Events::Rule', { Name: 'orders-start-failover' });
    expect(regional.failoverTrigger).toBeDefined();
  }
  Template.fromStack(observed.dashboard.stack).resourceCountIs('AWS::CloudWatch::Dashboard', 1);
});
