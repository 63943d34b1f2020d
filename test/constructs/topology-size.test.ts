import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FailoverAutomation, MultiRegionAuroraPostgres } from '../../src';
import { regionalStacks, testRoutedApi } from '../helpers';

/**
 * The SSM parameters the runbooks and the command-line tool read hold one entry per
 * Region. At the largest topology (11 Regions) each must fit the tier it can be in:
 * Intelligent-Tiering keeps a value Standard (4 KB, free) while it fits and makes it
 * Advanced (8 KB) past that. Sizes are measured with every value CloudFormation fills in
 * at deploy time (an endpoint, an ARN, an id) replaced by the longest AWS allows for it,
 * and the longest names the constructs accept.
 */
const ELEVEN = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1',
  'ap-southeast-2', 'ap-northeast-1'];
const STANDARD_LIMIT = 4096;
const ADVANCED_LIMIT = 8192;
// The longest names the constructs accept together with these Regions: the database's
// (35 characters, for the runbook role names `<name>-runbook-steps-<region>`) and the
// routed API's (40 characters).
const NAME = 'orders-with-a-name-of-35-characters';
const API_NAME = 'orders-api-with-a-name-of-40-characters1';

/**
 * The longest value AWS allows for what CloudFormation fills in at deploy time, by the
 * resource type and attribute it comes from; 128 characters for anything else.
 */
const LONGEST: Record<string, number> = {
  'AWS::RDS::DBInstance.Ref': 63, // DB instance identifier
  'AWS::RDS::DBSubnetGroup.Ref': 255,
  'AWS::RDS::DBClusterParameterGroup.Ref': 255,
  'AWS::EC2::SecurityGroup.GroupId': 20, // sg- and 17 hex digits
  'AWS::KMS::Key.Arn': 'arn:aws-us-gov:kms:ap-northeast-1:111111111111:key/'.length + 36,
  'AWS::IAM::Role.Arn': 'arn:aws-us-gov:iam::111111111111:role/'.length + 64,
  'AWS::Route53::HealthCheck.Ref': 36, // a UUID
};

/** A CloudFormation value with every deploy-time value replaced by the longest it can be. */
function upperBound(value: unknown, resources: Record<string, { Type: string }>): unknown {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws-us-gov', 'AWS::AccountId': '111111111111', 'AWS::URLSuffix': 'amazonaws.com.cn' };
  const longest = (logicalId: string, attribute: string) => 'x'.repeat(LONGEST[`${resources[logicalId]?.Type}.${attribute}`] ?? 128);
  if (Array.isArray(value)) return value.map((v) => upperBound(v, resources));
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if ('Ref' in obj) return pseudo[obj.Ref as string] ?? longest(obj.Ref as string, 'Ref');
    if ('Fn::GetAtt' in obj) return longest(...(obj['Fn::GetAtt'] as [string, string]));
    if ('Fn::ImportValue' in obj || 'Fn::Select' in obj) return 'x'.repeat(128);
    if ('Fn::Join' in obj) {
      const [separator, parts] = obj['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(upperBound(p, resources))).join(separator);
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, upperBound(v, resources)]));
  }
  return value;
}

describe('topology parameters at 11 Regions', () => {
  const app = new App();
  const regional = regionalStacks(app, ELEVEN);
  const database = new MultiRegionAuroraPostgres(app, 'Database', {
    name: NAME,
    regions: regional.map(({ stack, vpc }, i) => (i === 0 ? { stack, vpc, databaseName: 'orders', readers: 15 } : { stack, vpc })),
  });
  const routingStack = new Stack(app, 'Routing', { env: { region: 'us-west-2' } });
  const api = testRoutedApi(routingStack, regional.map((r) => r.stack), { name: API_NAME });
  new FailoverAutomation(app, 'Runbooks', { database, routing: api });
  const templates = regional.map((r) => Template.fromStack(r.stack));

  function parameters(template: Template): Record<string, { size: number; tier: string }> {
    const found: Record<string, { size: number; tier: string }> = {};
    for (const p of Object.values(template.findResources('AWS::SSM::Parameter')) as { Properties: { Name: string; Value: unknown; Tier?: string } }[]) {
      found[p.Properties.Name] = { size: Buffer.byteLength(String(upperBound(p.Properties.Value, template.toJSON().Resources))), tier: p.Properties.Tier ?? 'Standard' };
    }
    return found;
  }

  test('every parameter a Region\'s stack writes fits its tier, and those near or past 4 KB may grow to 8 KB', () => {
    const sizes = templates.map(parameters);
    for (const [i, regionSizes] of sizes.entries()) {
      expect(Object.keys(regionSizes).sort()).toEqual([
        `/cdk-cross-region-failover/${NAME}/aurora`,
        `/cdk-cross-region-failover/${NAME}/aurora-cluster`,
        `/cdk-cross-region-failover/${NAME}/readiness`,
        `/cdk-cross-region-failover/${NAME}/runbooks`,
      ]);
      for (const [name, { size, tier }] of Object.entries(regionSizes)) {
        expect({ name, region: ELEVEN[i], tier }).toEqual({ name, region: ELEVEN[i], tier: 'Intelligent-Tiering' });
        expect(size).toBeLessThanOrEqual(ADVANCED_LIMIT);
      }
    }
    // The primary's 16 instances (a writer and 15 readers, Aurora's most) take its cluster spec
    // past the Standard tier: the reason for Intelligent-Tiering.
    expect(sizes[0][`/cdk-cross-region-failover/${NAME}/aurora-cluster`].size).toBeGreaterThan(STANDARD_LIMIT);
  });

  test('the routing topology, written by the routing stack in every Region, fits and asks for Intelligent-Tiering', () => {
    const routing = Template.fromStack(routingStack);
    const writes = Object.values(routing.findResources('Custom::AWS'))
      .map((r) => String(upperBound((r as { Properties: { Update?: unknown } }).Properties.Update, routing.toJSON().Resources)))
      .filter((update) => update.includes('"putParameter"'))
      .map((update) => JSON.parse(update) as { region: string; parameters: { Name: string; Value: string; Tier: string } });
    expect(writes.map((w) => w.region).sort()).toEqual([...ELEVEN].sort());
    for (const write of writes) {
      expect(write.parameters.Tier).toBe('Intelligent-Tiering');
      expect(Buffer.byteLength(write.parameters.Value)).toBeLessThanOrEqual(ADVANCED_LIMIT);
    }
    // About 420 bytes a Region: past the Standard tier's 4 KB at 11 Regions.
    expect(Buffer.byteLength(writes[0].parameters.Value)).toBeGreaterThan(STANDARD_LIMIT);
  });
});
