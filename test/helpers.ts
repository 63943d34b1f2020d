import { App, Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { nagFindings } from './nag';

/** A Regional stack with a VPC of isolated subnets, as a user would pass it in. */
export interface RegionalTestStack {
  readonly stack: Stack;
  readonly vpc: ec2.Vpc;
}

/** One stack per Region, each with a VPC (flow logs on, so the VPC itself is nag-clean). */
export function regionalStacks(app: App, regions: string[], account?: string): RegionalTestStack[] {
  return regions.map((region) => {
    const stack = new Stack(app, `Stack-${region}`, { env: { region, account } });
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      flowLogs: { all: {} },
    });
    return { stack, vpc };
  });
}

/**
 * Templates of `stacks`, after checking that cdk-nag's AwsSolutions pack finds nothing
 * unacknowledged anywhere in the app.
 */
export function nagCleanTemplates(app: App, stacks: Stack[]): Template[] {
  expect(nagFindings(app)).toEqual([]);
  return stacks.map((s) => Template.fromStack(s));
}

/**
 * Resolves the intrinsic functions CloudFormation would, with stand-in values: pseudo
 * parameters (account 111111111111, partition aws), `Ref` of a resource as
 * `<LogicalId>`, `Fn::GetAtt` as `<LogicalId>.<Attribute>`, and `Fn::Join`.
 */
export function resolveIntrinsics(value: unknown): unknown {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::AccountId': '111111111111', 'AWS::URLSuffix': 'amazonaws.com' };
  if (Array.isArray(value)) return value.map(resolveIntrinsics);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if ('Ref' in obj) return pseudo[obj.Ref as string] ?? `${obj.Ref}`;
    if ('Fn::GetAtt' in obj) return (obj['Fn::GetAtt'] as string[]).join('.');
    if ('Fn::Join' in obj) {
      const [separator, parts] = obj['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(resolveIntrinsics(p))).join(separator);
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolveIntrinsics(v)]));
  }
  return value;
}
