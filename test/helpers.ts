import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { nagFindings } from './nag';
import { ArcRoutedApi, ArcRoutedApiProps, ArcRoutedApiRegionOptions } from '../src';

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

/** An API handler whose only permission is writing logs; its managed policy is acknowledged as the user's concern. */
export function testHandler(scope: Construct): lambda.Function {
  const fn = new lambda.Function(scope, 'Handler', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" })'),
  });
  fn.role!.node.defaultChild!.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]': 'test handler',
  });
  return fn;
}

/**
 * The routed API 'orders' at api.example.com (a placeholder zone) over `stacks`, each
 * Region served by a {@link testHandler}, its ARC resources in `routingStack`.
 */
export function testRoutedApi(
  routingStack: Stack,
  stacks: Stack[],
  props: Partial<ArcRoutedApiProps> = {},
  perRegion: Partial<ArcRoutedApiRegionOptions>[] = [],
): ArcRoutedApi {
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(routingStack, 'Zone', { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' });
  return new ArcRoutedApi(routingStack.node.scope!, 'Api', {
    name: 'orders',
    routingStack,
    hostedZone,
    domainName: 'api.example.com',
    // A Region routed to its own endpoint gets no handler (the construct refuses one there).
    regions: stacks.map((stack, i) => ({ stack, ...(perRegion[i]?.endpoint ? {} : { handler: testHandler(stack) }), ...perRegion[i] })),
    // Tests that give no user pool build an open API, which must be said.
    ...(props.userPool || perRegion.some((r) => r.userPool) ? {} : { allowUnauthenticatedAccess: true }),
    ...props,
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

/** A warning as `cdk synth` prints it: the stack, the construct path, the text and the id to acknowledge it with. */
export interface SynthWarning {
  readonly stack: string;
  readonly path: string;
  readonly message: string;
  readonly id?: string;
}

/**
 * The warnings the app's cloud assembly holds, which are the ones `cdk synth` prints
 * (a warning on a construct outside every stack is not among them), by stack and path.
 * The text is split from the `[ack: <id>]` that aws-cdk-lib appends to it.
 */
export function synthWarnings(app: App): SynthWarning[] {
  return app.synth().stacks.flatMap((s) => s.messages
    .filter((m) => m.level === 'warning')
    .map((m) => {
      const [, message, id] = /^([\s\S]*?)(?: \[ack: (\S+)\])?$/.exec(String(m.entry.data))!;
      return { stack: s.stackName, path: m.id, message, ...(id ? { id } : {}) };
    }))
    .sort((a, b) => a.stack.localeCompare(b.stack) || a.path.localeCompare(b.path));
}
