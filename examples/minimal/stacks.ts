import { RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { ArcRoutedApi, FailoverAutomation, MultiRegionAuroraPostgres, ObservedWorkload, RoutingMode } from '../../src';

/** A Region's network: isolated subnets in two AZs and VPC flow logs. */
export class RegionalStack extends Stack {
  public readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
    });
  }
}

export interface MinimalExampleOptions {
  /** Name of the global database; stacks are named `<name>-<region>`. */
  readonly name: string;
  /** The Regions, primary first. */
  readonly regions: string[];
  /** The account, or undefined for an environment-agnostic account. */
  readonly account?: string;
  /** The Region of the stack holding the ARC resources and DNS records (us-west-2 or us-east-1). */
  readonly routingRegion: string;
  /** The public hosted zone: its id and name. */
  readonly hostedZoneId: string;
  readonly zoneName: string;
  /** Whether to add the ObservedWorkload (tests of that construct build their own). Default true. */
  readonly observe?: boolean;
  /**
   * ARN of a Cognito user pool whose tokens every Region's API then requires. Default:
   * none, and the API is public (it only says which Region answered).
   */
  readonly userPoolArn?: string;
  /** The name the API answers at, inside the hosted zone. Default `api.<zoneName>`. */
  readonly domainName?: string;
  /**
   * An ARC cluster to use instead of creating one (a cluster is billed per hour, so
   * test runs can share one). Default: a new cluster.
   */
  readonly existingArcClusterArn?: string;
  /**
   * The database's deletion protection and removal policy. Defaults: those of
   * MultiRegionAuroraPostgres (protected, snapshot on removal); the integration test
   * turns both off so that its teardown deletes everything.
   */
  readonly deletionProtection?: boolean;
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Every Region serves (docs/active-active.md): global write forwarding on every
   * cluster, a writer-capable instance in every Region (none is headless), the API routed
   * by latency with every Region On, and the Evacuate and Restore runbooks. Default false:
   * one Region at a time, headless secondaries.
   */
  readonly activeActive?: boolean;
}

/** What the minimal example built. */
export interface MinimalExample {
  readonly stacks: RegionalStack[];
  readonly database: MultiRegionAuroraPostgres;
  readonly api: ArcRoutedApi;
  readonly runbooks: FailoverAutomation;
  /** Absent when `observe` is false. */
  readonly observed?: ObservedWorkload;
  readonly routingStack: Stack;
}

/**
 * A Stack per Region with a VPC, an Aurora PostgreSQL global database across them (a
 * writer and a reader in the primary Region, headless secondaries elsewhere), and an
 * API in every Region behind `api.<zone>`, steered by ARC routing controls from a
 * routing stack, the switchover, failover and failback runbooks in every Region, and the
 * alarms and dashboard that tell an operator when to run them.
 */
export function buildMinimalExample(scope: Construct, options: MinimalExampleOptions): MinimalExample {
  const stacks = options.regions.map(
    (region) => new RegionalStack(scope, `${options.name}-${region}`, { env: { account: options.account, region } }),
  );
  const database = new MultiRegionAuroraPostgres(scope, 'Database', {
    name: options.name,
    deletionProtection: options.deletionProtection,
    removalPolicy: options.removalPolicy,
    regions: stacks.map((stack, i) =>
      i === 0
        ? { stack, vpc: stack.vpc, databaseName: 'remittance', readers: 1 }
        // Active/active: each secondary serves reads (and forwards writes) from an instance of its own.
        : { stack, vpc: stack.vpc, headless: !options.activeActive },
    ),
    ...(options.activeActive ? { globalWriteForwarding: true } : {}),
  });
  const routingStack = new Stack(scope, `${options.name}-routing`, { env: { account: options.account, region: options.routingRegion } });
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(routingStack, 'Zone', {
    hostedZoneId: options.hostedZoneId,
    zoneName: options.zoneName,
  });
  const api = new ArcRoutedApi(scope, 'Api', {
    name: options.name,
    routingStack,
    hostedZone,
    domainName: options.domainName ?? `api.${options.zoneName}`,
    existingClusterArn: options.existingArcClusterArn,
    ...(options.activeActive ? { mode: RoutingMode.ACTIVE_ACTIVE } : {}),
    regions: stacks.map((stack) => ({ stack, handler: whereAmI(stack) })),
    ...(options.userPoolArn
      ? { userPool: cognito.UserPool.fromUserPoolArn(routingStack, 'Users', options.userPoolArn) }
      // A public, read-only status endpoint: no authorizer, on purpose (synth warns).
      : { allowUnauthenticatedAccess: true }),
  });
  if (!options.userPoolArn) {
    for (const regional of api.regionalApis) {
      for (const id of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
        Validations.of(regional.api).acknowledge({ id, reason: 'The example API only reports which Region served the request; it is public on purpose.' });
      }
    }
  }
  // The SSM runbooks in every Region; with two Regions, the same moves as an ARC Region
  // switch plan too (a plan spans exactly two Regions).
  const runbooks = new FailoverAutomation(scope, 'Runbooks', {
    database,
    routing: api,
    ...(options.regions.length === 2 ? { regionSwitchPlan: {} } : {}),
  });
  // Alarms per Region, AWS Health issues, "Region impaired" alarms, and one dashboard
  // (in the routing stack) with every Region side by side, the runbooks' readiness
  // included (their readiness alarms go to each Region's topic). No automatic failover.
  const observed = options.observe === false ? undefined : new ObservedWorkload(scope, 'Observed', {
    name: options.name,
    regions: ObservedWorkload.regionsOf(database, api),
    dashboardStack: routingStack,
    runbooks,
  });
  return { stacks, database, api, runbooks, observed, routingStack };
}

/** A handler that answers with the Region that served the request. */
function whereAmI(stack: Stack): lambda.Function {
  // A role that may only write the function's own log group.
  const logGroup = new logs.LogGroup(stack, 'WhereAmILogs', { retention: logs.RetentionDays.ONE_MONTH });
  const role = new iam.Role(stack, 'WhereAmIRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return new lambda.Function(stack, 'WhereAmI', {
    role,
    logGroup,
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      'exports.handler = async () => ({ statusCode: 200, headers: { "content-type": "application/json" }, ' +
        'body: JSON.stringify({ region: process.env.AWS_REGION }) });',
    ),
  });
}
