import { Stack, StackProps, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MultiRegionAuroraPostgres } from '../../src';

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
}

/** What the minimal example built. */
export interface MinimalExample {
  readonly stacks: RegionalStack[];
  readonly database: MultiRegionAuroraPostgres;
}

/**
 * A Stack per Region with a VPC, and an Aurora PostgreSQL global database across them:
 * a writer and a reader in the primary Region, headless secondaries elsewhere.
 */
export function buildMinimalExample(scope: Construct, options: MinimalExampleOptions): MinimalExample {
  const stacks = options.regions.map(
    (region) => new RegionalStack(scope, `${options.name}-${region}`, { env: { account: options.account, region } }),
  );
  const database = new MultiRegionAuroraPostgres(scope, 'Database', {
    name: options.name,
    regions: stacks.map((stack, i) =>
      i === 0
        ? { stack, vpc: stack.vpc, databaseName: 'remittance', readers: 1 }
        : { stack, vpc: stack.vpc, headless: true },
    ),
  });
  return { stacks, database };
}
