import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { nagFindings } from './nag';
import { buildMinimalExample } from '../examples/minimal/stacks';

describe('examples/minimal', () => {
  test.each([
    [['us-east-1', 'us-west-2']],
    [['us-east-1', 'us-west-2', 'eu-west-1']],
  ])('builds %j with no unacknowledged cdk-nag finding', (regions) => {
    const app = new App();
    const { stacks, database, routingStack } = buildMinimalExample(app, {
      name: 'remittance', regions, routingRegion: 'us-west-2', hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com',
    });
    expect(nagFindings(app)).toEqual([]);
    expect(stacks.map((s) => s.region)).toEqual(regions);
    expect(database.regionNames).toEqual(regions);
    const instanceCounts = stacks.map((s) => Object.keys(Template.fromStack(s).findResources('AWS::RDS::DBInstance')).length);
    // A writer and a reader in the primary Region, headless secondaries.
    expect(instanceCounts).toEqual([2, ...regions.slice(1).map(() => 0)]);
    // An ARC Region switch plan spans two Regions: the example adds one only then.
    Template.fromStack(routingStack).resourceCountIs('AWS::ARCRegionSwitch::Plan', regions.length === 2 ? 1 : 0);
    // Observed: a "Region impaired" alarm per Region, one dashboard in the routing stack.
    stacks.forEach((s) => Template.fromStack(s).resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1));
    Template.fromStack(routingStack).resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});
