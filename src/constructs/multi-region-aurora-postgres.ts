import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeAwsCustomResourceProvider, acknowledgeFinding, acknowledgeInPacks, findingArn, libraryCustomResource } from './acknowledge';
import { clusterArn, globalClusterArn } from './private/arns';
import { DEPRECATED_AURORA_POSTGRES_VERSIONS } from './private/aurora-engine-versions';
import { checkEngineVersion, DEFAULT_ENGINE_VERSION, DEPLOYED_ENGINE_VERSION_CONTEXT, writeForwardingVersionError } from './private/engine-version';
import { allowLogGroupsToUse } from './private/keys';
import { MAX_REGIONS } from './private/limits';
import { AuroraClusterMetricName, auroraClusterMetric } from './private/metrics';
import { RegionalPlacement } from './private/placement';
import { isIntegerInRange, throwIfInvalid, validateRegionalStacks, ValidationRule, warnInStacks } from './validation';
import { AuroraTopology, auroraTopologyParameterName, clusterSpecParameterName, ClusterSpecDocument } from '../ssm/topology';

const CONSTRUCT_NAME = 'MultiRegionAuroraPostgres';
const ENGINE = 'aurora-postgresql';
/** One primary and up to 10 secondary clusters (Aurora User Guide, global database quotas). */
/** Aurora allows up to 15 Aurora Replicas per cluster. */
const MAX_READERS = 15;
const DEFAULT_PORT = 5432;
const DEFAULT_MASTER_USERNAME = 'dbadmin';
const DEFAULT_SERVERLESS_MIN = 0.5;
const DEFAULT_SERVERLESS_MAX = 16;
/** `rds.global_db_rpo` bounds, in seconds (Aurora User Guide). */
const GLOBAL_DB_RPO_MIN_SECONDS = 20;
const GLOBAL_DB_RPO_MAX_SECONDS = 2 ** 31 - 1;
const IDENTIFIER_MAX_LENGTH = 63;
/** The cluster parameter that sets the read consistency of sessions that forward writes. */
const WRITE_FORWARD_CONSISTENCY_PARAMETER = 'apg_write_forward.consistency_mode';
const RESERVED_USERNAMES = ['rdsadmin', 'rdsrepladmin', 'rds_superuser', 'postgres', 'public'];
const RESERVED_DATABASE_NAMES = ['rdsadmin', 'template0', 'template1', 'postgres'];
/** Characters left out of generated passwords: they break connection strings and shells. */
const PASSWORD_EXCLUDE_CHARACTERS = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\';

/**
 * How current the reads of a session that forwards writes are
 * (`apg_write_forward.consistency_mode`). The stronger the mode, the longer a read on a
 * secondary cluster waits for the writer's changes to arrive.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-write-forwarding-apg.html
 */
export enum WriteForwardingConsistency {
  /**
   * A read never waits: the session sees the writer's changes, its own included, once
   * replication brings them to its Region, so it may not see its own write at once.
   */
  EVENTUAL = 'EVENTUAL',
  /**
   * A read sees every change the session made (read-your-writes), waiting for its own
   * forwarded writes to come back; other sessions' changes arrive with replication.
   * Aurora's default.
   */
  SESSION = 'SESSION',
  /**
   * A read sees every change committed in any Region, waiting for replication to catch up
   * with them: the newest data and the longest waits.
   */
  GLOBAL = 'GLOBAL',
  /**
   * Sessions do not forward writes unless they set a mode themselves
   * (`SET apg_write_forward.consistency_mode = 'SESSION'`); writes fail where the writer is not.
   */
  OFF = 'OFF',
}

/**
 * The settings of one Region of a {@link MultiRegionAuroraPostgres}.
 */
export interface AuroraRegionOptions {
  /**
   * The stack the Region's resources go into. It must have a concrete `env.region`.
   */
  readonly stack: Stack;

  /**
   * The VPC the Regional cluster runs in.
   */
  readonly vpc: ec2.IVpc;

  /**
   * Where in the VPC the cluster's instances are placed.
   *
   * @default - the VPC's private subnets (with egress if it has any, else isolated)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the cluster. Use `connections` to allow access.
   *
   * @default - a new security group with no inbound rule and no outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Customer-managed KMS key for storage, Performance Insights, the Region's replica
   * of the credentials secret and the library's log groups in the Region. An imported
   * key's policy must let the account's IAM policies grant its use (the default key
   * policy does), and let CloudWatch Logs of the Region use it.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.html
   * @default - a new customer-managed key with yearly rotation
   */
  readonly kmsKey?: kms.IKey;

  /**
   * Instance class of every instance in this Region's cluster (without the `db.`
   * prefix), for provisioned instances.
   *
   * @default - Aurora Serverless v2 instances (`db.serverless`)
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Number of reader instances besides the first instance (the writer in the primary
   * Region, the instance that becomes writer in a secondary one). 0 to 15.
   *
   * @default 0
   */
  readonly readers?: number;

  /**
   * Create the secondary cluster without any instance: a cheap warm standby that
   * replicates storage only. Before such a Region can take over as primary, add an
   * instance (set `headless: false` and deploy). Not allowed on the first Region.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-attaching.html
   * @default false
   */
  readonly headless?: boolean;

  /**
   * Minimum Aurora Serverless v2 capacity in ACUs, 0.5 to 256 in steps of 0.5.
   * Only with Serverless v2 instances (no `instanceType`).
   *
   * @default 0.5
   */
  readonly serverlessV2MinCapacity?: number;

  /**
   * Maximum Aurora Serverless v2 capacity in ACUs, 1 to 256 in steps of 0.5.
   * Only with Serverless v2 instances (no `instanceType`).
   *
   * @default 16
   */
  readonly serverlessV2MaxCapacity?: number;

  /**
   * Sets `rds.global_db_rpo` in this Region's cluster parameter group: Aurora
   * PostgreSQL then blocks commits on the primary while every secondary lags more
   * than this. 20 seconds to 2^31-1 seconds. In a two-Region setup set it on the
   * first Region only: a secondary with it set would, once promoted with no
   * secondary left, block its own commits.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
   * @default - not set: no recovery point objective is enforced
   */
  readonly globalDbRpo?: Duration;

  /**
   * Master user name. Primary (first) Region only: secondaries inherit it.
   *
   * @default 'dbadmin' on the primary
   */
  readonly masterUsername?: string;

  /**
   * Name of a database created with the cluster. Primary (first) Region only:
   * secondaries replicate the primary's databases.
   *
   * @default - no database besides the engine's defaults
   */
  readonly databaseName?: string;

  /**
   * Extra cluster parameters for this Region's parameter group.
   * `rds.force_ssl` is `1` unless set here; `rds.global_db_rpo` is set through
   * `globalDbRpo` only.
   *
   * @default - `rds.force_ssl=1` only
   */
  readonly parameters?: { [name: string]: string };

  /**
   * Weekly maintenance window, in UTC, e.g. `Sun:03:00-Sun:04:00`.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_UpgradeDBInstance.Maintenance.html
   * @default - a window chosen by Aurora
   */
  readonly preferredMaintenanceWindow?: string;
}

/**
 * Properties of a {@link MultiRegionAuroraPostgres}.
 */
export interface MultiRegionAuroraPostgresProps {
  /**
   * Name of the global database. It is the global cluster identifier, and every other
   * physical name derives from it: the Regional cluster `<name>-<region>`, the secret
   * `<name>-aurora-master`, the KMS alias `alias/<name>-aurora`, the SSM parameter
   * `/cdk-cross-region-failover/<name>/aurora`. Letters, digits and hyphens, starting
   * with a letter; `<name>-<region>` must fit in 63 characters.
   */
  readonly name: string;

  /**
   * One entry per Region, 2 to 11. The first is the initial primary; the others
   * become secondary clusters.
   */
  readonly regions: AuroraRegionOptions[];

  /**
   * Aurora PostgreSQL engine version of every cluster. It must be one RDS still creates
   * clusters with and that can be part of a global database: a deprecated one (for
   * example 16.6) or one below the global-database floor of its major version (for
   * example 10.x or 17.1) is refused at synth; a database that already runs a deprecated
   * version deploys with the context `cdk-cross-region-failover:deployedEngineVersion`
   * set to it. A version this release's data does not list is accepted with a warning.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.GlobalDatabase.html
   * @default AuroraPostgresEngineVersion.VER_16_13
   */
  readonly engineVersion?: rds.AuroraPostgresEngineVersion;

  /**
   * Database port, 1150 to 65535.
   *
   * @default 5432
   */
  readonly port?: number;

  /**
   * How long automated backups are kept, 1 to 35 days.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Managing.Backups.html
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;

  /**
   * Deletion protection on the global cluster and every Regional cluster.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DeleteCluster.html
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * What happens to the clusters when they leave the stack. The KMS keys and log
   * groups are kept unless this is `DESTROY`, so snapshots stay readable.
   *
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Retention of the exported PostgreSQL log in CloudWatch Logs.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly cloudwatchLogsRetention?: logs.RetentionDays;

  /**
   * Performance Insights on every instance, encrypted with the Region's key.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_PerfInsights.html
   * @default true
   */
  readonly performanceInsights?: boolean;

  /**
   * How often Enhanced Monitoring collects each instance's operating-system metrics (into
   * CloudWatch Logs, `RDSOSMetrics`): 1, 5, 10, 15, 30 or 60 seconds, or
   * `Duration.seconds(0)` to turn it off. A monitoring role is created per Region.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Monitoring.OS.html
   * @default Duration.seconds(60)
   */
  readonly monitoringInterval?: Duration;

  /**
   * Global write forwarding on every Regional cluster, for active/active: a secondary
   * cluster then accepts writes on its reader endpoint and forwards them to the writer's
   * Region, so an application serves reads and writes from every Region. On the primary it
   * does nothing until a switchover or failover makes it a secondary, which is why every
   * cluster gets it. Turning it on or off needs no reboot.
   *
   * Needs Aurora PostgreSQL 16 or later, 15.4 or later, or 14.9 or later. A forwarded
   * write costs a round trip to the writer's Region; see `writeForwardingConsistency` for
   * what reads wait for.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-write-forwarding-apg.html
   * @default false
   */
  readonly globalWriteForwarding?: boolean;

  /**
   * The read consistency of sessions that forward writes, set as
   * `apg_write_forward.consistency_mode` in every Regional cluster parameter group. A
   * session can still choose its own with `SET apg_write_forward.consistency_mode`.
   * Only with `globalWriteForwarding`.
   *
   * @default - Aurora's default, `SESSION` (read-your-writes)
   */
  readonly writeForwardingConsistency?: WriteForwardingConsistency;
}

/**
 * What {@link MultiRegionAuroraPostgres} created in one Region.
 */
export interface RegionalAuroraCluster {
  /** The AWS Region. */
  readonly region: string;
  /** The stack holding this Region's resources. */
  readonly stack: Stack;
  /** Whether this Region was the primary at first deployment (the first entry). */
  readonly initialPrimary: boolean;
  /** The Regional cluster, for grants, metrics and `connections`. */
  readonly cluster: rds.IDatabaseCluster;
  /** The CloudFormation resource of the Regional cluster (escape hatch). */
  readonly cfnCluster: rds.CfnDBCluster;
  /**
   * The cluster's reader endpoint: reads stay in this Region. With `globalWriteForwarding`,
   * a session on it in a secondary Region can also write; the write is forwarded to the
   * writer's Region.
   */
  readonly readerEndpointAddress: string;
  /** The cluster's instances, first one first; empty for a headless secondary. */
  readonly instances: rds.CfnDBInstance[];
  /** Network access to the cluster on the database port. */
  readonly connections: ec2.Connections;
  /** The master credentials secret (the primary secret or this Region's replica). */
  readonly secret: secretsmanager.ISecret;
  /** The KMS key encrypting this Region's cluster. */
  readonly kmsKey: kms.IKey;
  /** The Regional cluster parameter group. */
  readonly parameterGroup: rds.IParameterGroup;
  /** The Regional DB subnet group. */
  readonly subnetGroup: rds.ISubnetGroup;
  /** `DBClusterIdentifier` of the Regional cluster: `<name>-<region>`. */
  readonly clusterIdentifier: string;
  /** ARN of the Regional cluster, built from known names. */
  readonly clusterArn: string;
  /**
   * The global writer endpoint, resolved inside this Region's stack (read from the RDS
   * API at deploy time by a custom resource). It always points at the current writer,
   * wherever it is.
   */
  readonly globalWriterEndpoint: string;
  /** The SSM parameter in this Region holding the topology as JSON. */
  readonly topologyParameter: ssm.IStringParameter;
  /**
   * The SSM parameter in this Region holding how this Region's cluster and instances were
   * created, as JSON: what the rebuild runbook re-creates the cluster from.
   */
  readonly clusterSpecParameter: ssm.IStringParameter;
}

/**
 * An Aurora PostgreSQL global database across the Regional stacks you pass: a
 * KMS-encrypted global cluster, the primary cluster in the first Region and a
 * secondary cluster (optionally headless) in each other Region, the master secret
 * replicated to every Region, and the names a runbook needs published in every Region.
 *
 * Create it in any scope (the App is a good one); its resources go into the stacks
 * listed in `regions`. Every secondary stack is made to depend on the primary stack.
 * No cross-Region reference is used: physical names derive from `name`.
 *
 * The template never names a source cluster for the global database, so after a
 * switchover or failover moved the writer to another Region, redeploying the stacks
 * does not try to move it back.
 *
 * @example
 * const db = new MultiRegionAuroraPostgres(app, 'Database', {
 *   name: 'payments',
 *   regions: [
 *     { stack: east, vpc: eastVpc, databaseName: 'payments' },
 *     { stack: west, vpc: westVpc },
 *   ],
 * });
 * db.grantConnect(handler, 'app_user', 'us-east-1');
 */
export class MultiRegionAuroraPostgres extends Construct {
  /** The global cluster identifier (the `name` prop). */
  public readonly globalClusterIdentifier: string;
  /** ARN of the global cluster (`arn:<partition>:rds::<account>:global-cluster:<name>`), as a token of the primary stack. */
  public readonly globalClusterArn: string;
  /** The global cluster resource, in the primary stack. */
  public readonly globalCluster: rds.CfnGlobalCluster;
  /** The Regions, initial primary first. */
  public readonly regionNames: string[];
  /** What was created in each Region, in the order of `regions`. */
  public readonly regionalClusters: RegionalAuroraCluster[];
  /** The Region that is primary at first deployment. */
  public readonly primaryRegion: string;
  /** Name of the master credentials secret, the same in every Region. */
  public readonly secretName: string;
  /** Name of the SSM parameter that holds the topology as JSON, the same in every Region. */
  public readonly topologyParameterName: string;
  /** Name of the SSM parameter that holds, in each Region, how that Region's cluster was created (for the rebuild runbook). */
  public readonly clusterSpecParameterName: string;
  /** The database port. */
  public readonly port: number;
  /** Whether every Regional cluster has global write forwarding (the `globalWriteForwarding` prop). */
  public readonly globalWriteForwarding: boolean;

  /**
   * @param scope where the construct lives; any scope, the App is a good one
   * @param id the construct id, also used for the Regional resources in every stack
   * @param props the name, the Regions and the settings of the global database
   */
  constructor(scope: Construct, id: string, props: MultiRegionAuroraPostgresProps) {
    super(scope, id);

    const stacks = props.regions.map((r) => r.stack);
    this.regionNames = validateRegionalStacks(this, CONSTRUCT_NAME, 'regions', stacks, MAX_REGIONS);
    validateProps(this, props, this.regionNames);

    const version = props.engineVersion ?? DEFAULT_ENGINE_VERSION;
    const engine = rds.DatabaseClusterEngine.auroraPostgres({ version });
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.SNAPSHOT;
    const deletionProtection = props.deletionProtection ?? true;
    this.port = props.port ?? DEFAULT_PORT;
    this.globalWriteForwarding = props.globalWriteForwarding ?? false;
    this.globalClusterIdentifier = props.name;
    this.primaryRegion = this.regionNames[0];
    this.secretName = `${props.name}-aurora-master`;
    this.topologyParameterName = auroraTopologyParameterName(props.name);
    this.clusterSpecParameterName = clusterSpecParameterName(props.name);


    const primaryStack = stacks[0];
    for (const stack of stacks.slice(1)) {
      stack.addDependency(primaryStack, `the secondary cluster joins global cluster '${props.name}' created in ${this.primaryRegion}`);
    }

    // Where each Region's resources live: under this construct in the stack that holds
    // it, under a construct of the same id at the root of every other stack.
    const placement = new RegionalPlacement(this);
    const parents = stacks.map((stack) => placement.parentIn(stack));

    // Warnings go to every Regional stack, where `cdk synth` prints them.
    if (!deletionProtection) {
      warnInStacks(parents, 'cdk-cross-region-failover:deletion-protection-off',
        'deletionProtection is false: a stack deletion or a replacement can delete the global database.');
    }
    if (removalPolicy === RemovalPolicy.DESTROY) {
      warnInStacks(parents, 'cdk-cross-region-failover:removal-policy-destroy',
        'removalPolicy is DESTROY: removing a cluster from its stack deletes it without a final snapshot.');
    }
    const fullVersion = version.auroraPostgresFullVersion;
    const deployedVersion = this.node.tryGetContext(DEPLOYED_ENGINE_VERSION_CONTEXT) as string | undefined;
    const versionWarning = Token.isUnresolved(fullVersion) ? undefined : checkEngineVersion(fullVersion, deployedVersion).warning;
    if (versionWarning) {
      const kept = DEPRECATED_AURORA_POSTGRES_VERSIONS.includes(fullVersion);
      warnInStacks(parents, `cdk-cross-region-failover:engine-version-${kept ? 'deprecated' : 'unknown'}`, versionWarning);
    }

    const primaryParent = parents[0];
    this.globalCluster = new rds.CfnGlobalCluster(primaryParent, 'GlobalCluster', {
      globalClusterIdentifier: props.name,
      engine: ENGINE,
      engineVersion: version.auroraPostgresFullVersion,
      storageEncrypted: true,
      deletionProtection,
    });
    // A global cluster has no snapshot of its own: the Regional clusters are snapshotted.
    this.globalCluster.applyRemovalPolicy(removalPolicy === RemovalPolicy.RETAIN ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
    this.globalClusterArn = globalClusterArn(primaryStack, props.name);

    const keys = props.regions.map((r, i) => {
      if (r.kmsKey) {
        // A key of this app gets the statement too; an imported key's policy is its owner's (see kmsKey).
        allowLogGroupsToUse(r.kmsKey, r.stack, this.regionNames[i]);
        return r.kmsKey;
      }
      const key = new kms.Key(parents[i], 'Key', {
        description: `Encrypts the ${props.name} Aurora global database in ${this.regionNames[i]}, and the library's log groups there`,
        alias: `alias/${props.name}-aurora`,
        enableKeyRotation: true,
        removalPolicy: removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      });
      // The PostgreSQL log and the runbooks' log in this Region are encrypted with it.
      allowLogGroupsToUse(key, r.stack, this.regionNames[i]);
      return key;
    });

    const masterUsername = props.regions[0].masterUsername ?? DEFAULT_MASTER_USERNAME;
    const primarySecret = new secretsmanager.Secret(primaryParent, 'Secret', {
      secretName: this.secretName,
      description: `Master credentials of the ${props.name} Aurora global database`,
      encryptionKey: keys[0],
      generateSecretString: {
        secretStringTemplate: JSON.stringify({
          username: masterUsername,
          engine: 'postgres',
          port: this.port,
          ...(props.regions[0].databaseName ? { dbname: props.regions[0].databaseName } : {}),
        }),
        generateStringKey: 'password',
        excludeCharacters: PASSWORD_EXCLUDE_CHARACTERS,
        passwordLength: 32,
      },
      // No ReplicaRegions here: each secondary stack adds its own Region's replica,
      // encrypted with that Region's key, which does not exist when this stack deploys.
      removalPolicy: removalPolicy === RemovalPolicy.RETAIN ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const noRotation = 'The master secret of a global database is replicated to every Region and must keep working after the writer ' +
      'moves; a single-Region rotation function cannot reach the writer in another Region. Applications authenticate ' +
      'with IAM (grantConnect); rotate the master password as a planned operation.';
    acknowledgeFinding(primarySecret, 'AwsSolutions-SMG4', noRotation);
    acknowledgeInPacks(primarySecret, 'SecretsManagerRotationEnabled', noRotation, ['NIST.800.53.R5', 'HIPAA.Security']);

    const clusterIds = this.regionNames.map((region) => `${props.name}-${region}`);
    const instanceClasses = props.regions.map((r) => (r.instanceType === undefined ? 'db.serverless' : `db.${r.instanceType}`));
    const clusterArns = parents.map((parent, i) => clusterArn(Stack.of(parent), this.regionNames[i], clusterIds[i]));

    this.regionalClusters = props.regions.map((options, i) => {
      const parent = parents[i];
      const region = this.regionNames[i];
      const isPrimary = i === 0;
      const stack = options.stack;
      const key = keys[i];
      const childRemoval = removalPolicy === RemovalPolicy.RETAIN ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

      const securityGroups = options.securityGroups ?? [
        new ec2.SecurityGroup(parent, 'SecurityGroup', {
          vpc: options.vpc,
          description: `Aurora cluster ${clusterIds[i]}`,
          allowAllOutbound: false,
        }),
      ];
      const connections = new ec2.Connections({ securityGroups, defaultPort: ec2.Port.tcp(this.port) });

      const subnetGroup = new rds.SubnetGroup(parent, 'SubnetGroup', {
        vpc: options.vpc,
        vpcSubnets: options.vpcSubnets ?? defaultSubnets(options.vpc),
        description: `Subnets of Aurora cluster ${clusterIds[i]}`,
        removalPolicy: childRemoval,
      });

      const parameters: { [name: string]: string } = { 'rds.force_ssl': '1', ...options.parameters };
      if (props.writeForwardingConsistency !== undefined) {
        parameters[WRITE_FORWARD_CONSISTENCY_PARAMETER] = props.writeForwardingConsistency;
      }
      if (options.globalDbRpo) {
        parameters['rds.global_db_rpo'] = String(options.globalDbRpo.toSeconds());
      }
      const parameterGroup = new rds.ParameterGroup(parent, 'ParameterGroup', {
        engine,
        description: `Cluster parameters of Aurora cluster ${clusterIds[i]}`,
        parameters,
        removalPolicy: childRemoval,
      });
      const parameterGroupName = parameterGroup.bindToCluster({}).parameterGroupName;

      // RDS writes the exported log into a group of a fixed name. A kept group would stop a
      // re-created stack from creating it again, so it is created or adopted, and given its
      // retention and this Region's key, by API calls rather than as a CloudFormation resource.
      const logGroup = postgresLogGroup(parent, `/aws/rds/cluster/${clusterIds[i]}/postgresql`, key,
        props.cloudwatchLogsRetention ?? logs.RetentionDays.THREE_MONTHS, removalPolicy === RemovalPolicy.DESTROY);

      const serverless = options.instanceType === undefined;
      const secret = isPrimary ? primarySecret : replicateSecret(parent, {
        secretName: this.secretName,
        primaryRegion: this.primaryRegion,
        region: this.regionNames[i],
        key,
        keep: removalPolicy === RemovalPolicy.RETAIN,
      });
      const cfnCluster = new rds.CfnDBCluster(parent, 'Resource', {
        dbClusterIdentifier: clusterIds[i],
        engine: ENGINE,
        engineVersion: version.auroraPostgresFullVersion,
        globalClusterIdentifier: isPrimary ? this.globalCluster.ref : props.name,
        dbSubnetGroupName: subnetGroup.subnetGroupName,
        vpcSecurityGroupIds: securityGroups.map((sg) => sg.securityGroupId),
        dbClusterParameterGroupName: parameterGroupName,
        port: this.port,
        storageEncrypted: true,
        kmsKeyId: key.keyArn,
        enableIamDatabaseAuthentication: true,
        enableCloudwatchLogsExports: ['postgresql'],
        deletionProtection,
        backupRetentionPeriod: (props.backupRetention ?? Duration.days(7)).toDays(),
        copyTagsToSnapshot: true,
        preferredMaintenanceWindow: options.preferredMaintenanceWindow,
        // On the primary too: RDS applies it when a switchover or failover demotes the cluster.
        enableGlobalWriteForwarding: this.globalWriteForwarding ? true : undefined,
        serverlessV2ScalingConfiguration: serverless
          ? {
            minCapacity: options.serverlessV2MinCapacity ?? DEFAULT_SERVERLESS_MIN,
            maxCapacity: options.serverlessV2MaxCapacity ?? DEFAULT_SERVERLESS_MAX,
          }
          : undefined,
        // Only the primary carries credentials and a database name; a secondary
        // inherits both, and naming them on it fails the deployment.
        masterUsername: isPrimary ? masterUsername : undefined,
        masterUserPassword: isPrimary ? primarySecret.secretValueFromJson('password').unsafeUnwrap() : undefined,
        databaseName: isPrimary ? options.databaseName : undefined,
      });
      cfnCluster.applyRemovalPolicy(removalPolicy);
      cfnCluster.node.addDependency(logGroup);
      if (this.port === DEFAULT_PORT) {
        acknowledgeFinding(
          cfnCluster,
          'AwsSolutions-RDS11',
          'The PostgreSQL default port is kept so drivers and tools work unchanged; access is limited by security ' +
            'groups with no inbound rule by default, TLS is enforced (rds.force_ssl) and IAM authentication is on. Set `port` to change it.',
        );
      }

      const instanceCount = options.headless ? 0 : 1 + (options.readers ?? 0);
      const instanceClass = instanceClasses[i];
      const performanceInsights = props.performanceInsights ?? true;
      const monitoringSeconds = (props.monitoringInterval ?? Duration.seconds(60)).toSeconds();
      const monitoringRole = monitoringSeconds > 0 && instanceCount > 0 ? new iam.Role(parent, 'MonitoringRole', {
        assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
        description: `Lets RDS Enhanced Monitoring publish the OS metrics of ${clusterIds[i]}`,
      }) : undefined;
      if (monitoringRole) {
        acknowledgeFinding(monitoringRole,
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
          'The AWS managed policy RDS documents for Enhanced Monitoring: it only writes the RDSOSMetrics log group.');
      }
      const instances: rds.CfnDBInstance[] = [];
      for (let n = 1; n <= instanceCount; n++) {
        const instance = new rds.CfnDBInstance(parent, `Instance${n}`, {
          dbClusterIdentifier: cfnCluster.ref,
          dbInstanceClass: instanceClass,
          engine: ENGINE,
          publiclyAccessible: false,
          autoMinorVersionUpgrade: true,
          promotionTier: n === 1 ? 0 : 1,
          enablePerformanceInsights: performanceInsights,
          performanceInsightsKmsKeyId: performanceInsights ? key.keyArn : undefined,
          performanceInsightsRetentionPeriod: performanceInsights ? 7 : undefined,
          monitoringInterval: monitoringRole ? monitoringSeconds : undefined,
          monitoringRoleArn: monitoringRole?.roleArn,
        });
        // The cluster holds the data and takes the snapshot; its instances go with it.
        instance.applyRemovalPolicy(childRemoval);
        acknowledgeInPacks(instance, 'RDSInBackupPlan',
          'Aurora backs up the cluster, not its instances: continuous automated backups for backupRetention days, and a final ' +
            'snapshot when the cluster leaves its stack (removalPolicy). Add an AWS Backup plan for the cluster where policy asks for one.',
          ['NIST.800.53.R5', 'HIPAA.Security']);
        instances.push(instance);
      }

      const cluster = rds.DatabaseCluster.fromDatabaseClusterAttributes(parent, 'Cluster', {
        clusterIdentifier: cfnCluster.ref,
        clusterResourceIdentifier: cfnCluster.attrDbClusterResourceId,
        clusterEndpointAddress: cfnCluster.attrEndpointAddress,
        readerEndpointAddress: cfnCluster.attrReadEndpointAddress,
        instanceIdentifiers: instances.map((inst) => inst.ref),
        instanceEndpointAddresses: instances.map((inst) => inst.attrEndpointAddress),
        port: this.port,
        securityGroups,
        engine,
        secret,
      });

      const globalWriterEndpoint = lookUpGlobalWriterEndpoint(parent, props.name, globalClusterArn(stack, props.name), cfnCluster);

      const topology: AuroraTopology = {
        version: 1,
        globalClusterIdentifier: props.name,
        globalClusterArn: globalClusterArn(stack, props.name),
        secretName: this.secretName,
        port: this.port,
        regions: this.regionNames.map((r, j) => ({
          region: r,
          clusterIdentifier: clusterIds[j],
          clusterArn: clusterArn(stack, r, clusterIds[j]),
          initialPrimary: j === 0,
          instanceClass: instanceClasses[j],
        })),
      };
      const topologyParameter = new ssm.StringParameter(parent, 'TopologyParameter', {
        parameterName: this.topologyParameterName,
        description: `Aurora global database ${props.name}: members and names, for runbooks (written by ${region})`,
        stringValue: stack.toJsonString(topology),
        // About 350 characters per Region: past the Standard tier's 4 KB at about 11
        // Regions. Intelligent-Tiering stays Standard (free) until a value needs Advanced (8 KB).
        tier: ssm.ParameterTier.INTELLIGENT_TIERING,
      });

      // How this cluster was created: the rebuild runbook re-creates it from this as a
      // secondary after a failover that detached another Region's cluster.
      const spec: ClusterSpecDocument = {
        version: 1,
        region,
        clusterIdentifier: clusterIds[i],
        engineVersion: version.auroraPostgresFullVersion,
        port: this.port,
        subnetGroupName: subnetGroup.subnetGroupName,
        securityGroupIds: securityGroups.map((sg) => sg.securityGroupId),
        parameterGroupName,
        kmsKeyId: key.keyArn,
        backupRetentionDays: (props.backupRetention ?? Duration.days(7)).toDays(),
        deletionProtection,
        ...(options.preferredMaintenanceWindow ? { preferredMaintenanceWindow: options.preferredMaintenanceWindow } : {}),
        ...(this.globalWriteForwarding ? { globalWriteForwarding: true } : {}),
        ...(serverless ? {
          serverlessV2Scaling: {
            minCapacity: options.serverlessV2MinCapacity ?? DEFAULT_SERVERLESS_MIN,
            maxCapacity: options.serverlessV2MaxCapacity ?? DEFAULT_SERVERLESS_MAX,
          },
        } : {}),
        instances: instances.map((instance, n) => ({
          identifier: instance.ref,
          instanceClass,
          promotionTier: n === 0 ? 0 : 1,
          ...(performanceInsights ? { performanceInsightsKmsKeyId: key.keyArn } : {}),
          ...(monitoringRole ? { monitoringIntervalSeconds: monitoringSeconds, monitoringRoleArn: monitoringRole.roleArn } : {}),
        })),
      };
      const clusterSpecParameter = new ssm.StringParameter(parent, 'ClusterSpecParameter', {
        parameterName: clusterSpecParameterName(props.name),
        description: `How Aurora cluster ${clusterIds[i]} was created, for the rebuild runbook (written by ${region})`,
        stringValue: stack.toJsonString(spec),
        tier: ssm.ParameterTier.INTELLIGENT_TIERING,
      });

      return {
        region,
        stack,
        initialPrimary: isPrimary,
        cluster,
        cfnCluster,
        readerEndpointAddress: cfnCluster.attrReadEndpointAddress,
        instances,
        connections,
        secret,
        kmsKey: key,
        parameterGroup,
        subnetGroup,
        clusterIdentifier: clusterIds[i],
        clusterArn: clusterArns[i],
        globalWriterEndpoint,
        topologyParameter,
        clusterSpecParameter,
      };
    });
  }

  /**
   * What was created in `region`.
   *
   * @param region one of the Regions passed in `regions`
   */
  public regionalCluster(region: string): RegionalAuroraCluster {
    const found = this.regionalClusters.find((r) => r.region === region);
    if (!found) {
      throw new Error(
        `${CONSTRUCT_NAME} '${this.node.path}': no cluster in Region '${region}'; its Regions are ${this.regionNames.join(', ')}.`,
      );
    }
    return found;
  }

  /**
   * Grants `rds-db:connect` as database user `dbUser` on the cluster in `region`.
   * For IAM authentication through the global writer endpoint, grant every Region
   * the writer can move to.
   *
   * @param grantee who connects
   * @param dbUser the database user (created with `GRANT rds_iam TO <user>`)
   * @param region the Region whose cluster the grantee connects to
   */
  public grantConnect(grantee: iam.IGrantable, dbUser: string, region: string): iam.Grant {
    if (typeof (grantee as unknown) === 'string') {
      throw new Error(`${CONSTRUCT_NAME} '${this.node.path}': grantConnect takes the grantee first: grantConnect(grantee, dbUser, region), ` +
        `got the Region '${grantee as unknown as string}' first (the order before this release).`);
    }
    return this.regionalCluster(region).cluster.grantConnect(grantee, dbUser);
  }

  /**
   * `AuroraGlobalDBRPOLag` of the cluster in `region`, in milliseconds: the writes a
   * failover to that Region would lose. Aurora emits it from secondary clusters only, so
   * the metric has data while `region` is a secondary.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
   * @param clusterRegion the Region of the cluster
   * @param props options that override the defaults
   * @default - maximum over 1 minute, in the cluster's Region
   */
  public metricAuroraGlobalDBRPOLag(clusterRegion: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.clusterMetric(clusterRegion, 'AuroraGlobalDBRPOLag', props);
  }

  /**
   * `AuroraGlobalDBReplicationLag` of the cluster in `region`, in milliseconds: how far its
   * storage is behind the primary's. Emitted by secondary clusters only.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
   * @param clusterRegion the Region of the cluster
   * @param props options that override the defaults
   * @default - maximum over 1 minute, in the cluster's Region
   */
  public metricAuroraGlobalDBReplicationLag(clusterRegion: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.clusterMetric(clusterRegion, 'AuroraGlobalDBReplicationLag', props);
  }

  /**
   * `CommitLatency` of the cluster in `region`, in milliseconds: how long commits take
   * (one of the alarms that make a Region impaired in {@link ObservedWorkload}).
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
   * @param clusterRegion the Region of the cluster
   * @param props options that override the defaults
   * @default - average over 1 minute, in the cluster's Region
   */
  public metricCommitLatency(clusterRegion: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.clusterMetric(clusterRegion, 'CommitLatency', props);
  }

  /**
   * `CommitThroughput` of the cluster in `region`, commits per second: only the writer
   * commits, so the Region with commits is the one holding the writer.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
   * @param clusterRegion the Region of the cluster
   * @param props options that override the defaults
   * @default - average over 1 minute, in the cluster's Region
   */
  public metricCommitThroughput(clusterRegion: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.clusterMetric(clusterRegion, 'CommitThroughput', props);
  }

  /**
   * `CPUUtilization` of the cluster in `region`, in percent, its busiest instance.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
   * @param clusterRegion the Region of the cluster
   * @param props options that override the defaults
   * @default - maximum over 1 minute, in the cluster's Region
   */
  public metricCPUUtilization(clusterRegion: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.clusterMetric(clusterRegion, 'CPUUtilization', props);
  }

  /**
   * `DatabaseConnections` of the cluster in `region`: client connections.
   *
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
   * @param clusterRegion the Region of the cluster
   * @param props options that override the defaults
   * @default - maximum over 1 minute, in the cluster's Region
   */
  public metricDatabaseConnections(clusterRegion: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.clusterMetric(clusterRegion, 'DatabaseConnections', props);
  }

  /**
   * `AuroraGlobalDBRPOLag` of the cluster in `clusterRegion`.
   *
   * @deprecated use `metricAuroraGlobalDBRPOLag`, named after the CloudWatch metric
   * @param clusterRegion the Region of the cluster
   * @param props options that override the defaults (maximum over 1 minute)
   */
  public metricRpoLag(clusterRegion: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricAuroraGlobalDBRPOLag(clusterRegion, props);
  }

  private clusterMetric(region: string, metricName: AuroraClusterMetricName, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return auroraClusterMetric(this.regionalCluster(region).clusterIdentifier, metricName, { region, ...props });
  }
}

/**
 * The replica of the credentials secret in a secondary Region, encrypted with that
 * Region's key: added by this Region's stack with ReplicateSecretToRegions, called in the
 * primary secret's Region (the primary stack deploys before the Region's key exists).
 * A changed key is applied with UpdateSecret on the replica, the one change a replica
 * accepts. Removed with the stack unless the secret is kept (a primary secret that
 * still has replicas cannot be deleted). Returned as a secret whose grants include the key.
 */
function replicateSecret(
  scope: Construct, options: { secretName: string; primaryRegion: string; region: string; key: kms.IKey; keep: boolean },
): secretsmanager.ISecret {
  const stack = Stack.of(scope);
  const { secretName, primaryRegion, region, key } = options;
  const arnIn = (r: string) => stack.formatArn({
    service: 'secretsmanager', region: r, resource: 'secret', resourceName: `${secretName}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const id = cr.PhysicalResourceId.of(`${secretName}@${region}`);
  const replica = libraryCustomResource(scope, 'SecretReplica', {
    onCreate: {
      service: 'SecretsManager',
      action: 'replicateSecretToRegions',
      region: primaryRegion,
      physicalResourceId: id,
      parameters: { SecretId: secretName, AddReplicaRegions: [{ Region: region, KmsKeyId: key.keyArn }], ForceOverwriteReplicaSecret: false },
    },
    onUpdate: {
      service: 'SecretsManager',
      action: 'updateSecret',
      region,
      physicalResourceId: id,
      parameters: { SecretId: secretName, KmsKeyId: key.keyArn },
    },
    ...(options.keep ? {} : {
      onDelete: {
        service: 'SecretsManager',
        action: 'removeRegionsFromReplication',
        region: primaryRegion,
        parameters: { SecretId: secretName, RemoveReplicaRegions: [region] },
        ignoreErrorCodesMatching: 'ResourceNotFoundException',
      },
    }),
    policy: cr.AwsCustomResourcePolicy.fromStatements([
      new iam.PolicyStatement({
        actions: ['secretsmanager:ReplicateSecretToRegions', ...(options.keep ? [] : ['secretsmanager:RemoveRegionsFromReplication'])],
        resources: [arnIn(primaryRegion)],
      }),
      new iam.PolicyStatement({ actions: ['secretsmanager:UpdateSecret'], resources: [arnIn(region)] }),
      // Secrets Manager decrypts the primary's value with the caller's rights: any key
      // of the primary Region, only through Secrets Manager there.
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [stack.formatArn({ service: 'kms', region: primaryRegion, resource: 'key', resourceName: '*' })],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${primaryRegion}.amazonaws.com` } },
      }),
      // This Region's key, by its ARN. No kms:ViaService here: which service context the
      // replication's encryption runs in is not documented, and a wrong guess would fail the
      // replication silently (CloudFormation reports success before it ends).
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'], resources: [key.keyArn] }),
    ]),
    installLatestAwsSdk: false,
  });
  acknowledgeFinding(replica, `AwsSolutions-IAM5[Resource::${findingArn(stack, 'secretsmanager', primaryRegion, `secret:${secretName}-??????`)}]`,
    'The suffix Secrets Manager adds to the secret\'s ARN is random: the six ? match it and nothing else.');
  acknowledgeFinding(replica, `AwsSolutions-IAM5[Resource::${findingArn(stack, 'secretsmanager', region, `secret:${secretName}-??????`)}]`,
    'The replica\'s ARN ends in the same random suffix as the primary\'s: the six ? match it and nothing else.');
  acknowledgeFinding(replica, `AwsSolutions-IAM5[Resource::${findingArn(stack, 'kms', primaryRegion, 'key/*')}]`,
    'The primary Region\'s key is in another stack and Region, so its ARN is not known here; kms:Decrypt is allowed only through ' +
      'Secrets Manager in that Region (kms:ViaService), which uses it for this secret only.');
  const secret = secretsmanager.Secret.fromSecretAttributes(scope, 'Secret', {
    secretPartialArn: stack.formatArn({
      service: 'secretsmanager',
      region,
      resource: 'secret',
      resourceName: secretName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    encryptionKey: key,
  });
  // aws-cdk-lib reads the last word of a partial ARN as the random suffix when it has six
  // letters (`-master`); the name is known, so it is set (grants use the ARN, not the name).
  Object.defineProperty(secret, 'secretName', { value: secretName });
  return secret;
}

/**
 * The log group RDS exports the PostgreSQL log to, created when missing and adopted when
 * a kept one exists, then given its retention and KMS key (applied again whenever either
 * changes). Kept when the stack is deleted unless `destroy`.
 */
function postgresLogGroup(scope: Construct, logGroupName: string, key: kms.IKey, retention: logs.RetentionDays, destroy: boolean): Construct {
  const stack = Stack.of(scope);
  const arn = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const group = new Construct(scope, 'PostgresqlLog');
  const call = (action: string, parameters: object, ignore?: string): cr.AwsSdkCall => ({
    service: 'CloudWatchLogs', action, parameters, physicalResourceId: cr.PhysicalResourceId.of(logGroupName), ignoreErrorCodesMatching: ignore,
  });
  const policy = (actions: string[]) => cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
    actions,
    resources: [arn, `${arn}:*`],
  })]);
  const create = libraryCustomResource(group, 'Create', {
    onCreate: call('createLogGroup', { logGroupName }, 'ResourceAlreadyExistsException'),
    ...(destroy ? { onDelete: call('deleteLogGroup', { logGroupName }, 'ResourceNotFoundException') } : {}),
    policy: policy(['logs:CreateLogGroup', ...(destroy ? ['logs:DeleteLogGroup'] : [])]),
    installLatestAwsSdk: false,
  });
  // RetentionDays.INFINITE is not a value PutRetentionPolicy takes: "never expire" is no policy.
  const forever = retention === logs.RetentionDays.INFINITE;
  const retain = libraryCustomResource(group, 'Retention', {
    onUpdate: forever
      ? call('deleteRetentionPolicy', { logGroupName })
      : call('putRetentionPolicy', { logGroupName, retentionInDays: retention }),
    policy: policy([forever ? 'logs:DeleteRetentionPolicy' : 'logs:PutRetentionPolicy']),
    installLatestAwsSdk: false,
  });
  const encrypt = libraryCustomResource(group, 'Encryption', {
    onUpdate: call('associateKmsKey', { logGroupName, kmsKeyId: key.keyArn }),
    policy: policy(['logs:AssociateKmsKey']),
    installLatestAwsSdk: false,
  });
  retain.node.addDependency(create);
  encrypt.node.addDependency(create);
  for (const resource of [create, retain, encrypt]) {
    acknowledgeFinding(resource, `AwsSolutions-IAM5[Resource::${findingArn(stack, 'logs', stack.region, `log-group:${logGroupName}:*`)}]`,
      'The one log group RDS exports this cluster\'s PostgreSQL log to (log-group actions name the group with or without :*).');
  }
  return group;
}

/** Private subnets with egress where the VPC has them, else its isolated subnets. */
function defaultSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  return { subnetType: vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED };
}

/**
 * Every Region reads the global writer endpoint from the RDS API in its own Region,
 * once its cluster has joined. CloudFormation documents a `GlobalEndpoint.Address`
 * attribute of `AWS::RDS::GlobalCluster` but does not serve it (cfn-lint rejects it,
 * cloudformation-coverage-roadmap#2364), and a secondary could not reference the primary
 * stack's attribute anyway (that would be a cross-Region reference).
 */
function lookUpGlobalWriterEndpoint(scope: Construct, name: string, arn: string, cluster: rds.CfnDBCluster): string {
  const lookup = libraryCustomResource(scope, 'GlobalWriterEndpoint', {
    onUpdate: {
      service: 'RDS',
      action: 'describeGlobalClusters',
      parameters: { GlobalClusterIdentifier: name },
      physicalResourceId: cr.PhysicalResourceId.of(`${name}-global-writer-endpoint`),
      outputPaths: ['GlobalClusters.0.Endpoint'],
    },
    policy: cr.AwsCustomResourcePolicy.fromStatements([
      new iam.PolicyStatement({ actions: ['rds:DescribeGlobalClusters'], resources: [arn] }),
    ]),
    installLatestAwsSdk: false,
  });
  lookup.node.addDependency(cluster);
  acknowledgeAwsCustomResourceProvider(Stack.of(scope));
  return lookup.getResponseField('GlobalClusters.0.Endpoint');
}

function validateProps(scope: Construct, props: MultiRegionAuroraPostgresProps, regions: string[]): void {
  const name = props.name;
  const idPattern = /^[a-zA-Z][a-zA-Z0-9-]*$/;
  const longestClusterId = Math.max(...regions.map((r) => `${name}-${r}`.length));
  const engineVersion = props.engineVersion?.auroraPostgresFullVersion;
  const deployed = scope.node.tryGetContext(DEPLOYED_ENGINE_VERSION_CONTEXT) as string | undefined;
  const versionError = engineVersion === undefined || Token.isUnresolved(engineVersion)
    ? undefined
    : checkEngineVersion(engineVersion, deployed).error;
  const fullVersion = (props.engineVersion ?? DEFAULT_ENGINE_VERSION).auroraPostgresFullVersion;
  const forwardingError = props.globalWriteForwarding === true && !Token.isUnresolved(fullVersion)
    ? writeForwardingVersionError(fullVersion)
    : undefined;
  const rules: ValidationRule[] = [
    { condition: versionError !== undefined, message: versionError ?? '' },
    { condition: versionError === undefined && forwardingError !== undefined, message: forwardingError ?? '' },
    {
      condition: props.writeForwardingConsistency !== undefined && props.globalWriteForwarding !== true,
      message: `'writeForwardingConsistency' is ${props.writeForwardingConsistency}, but 'globalWriteForwarding' is not true: the mode ` +
        'applies to sessions that forward writes. Set globalWriteForwarding: true, or remove writeForwardingConsistency.',
    },
    {
      condition: !Token.isUnresolved(name) && (!idPattern.test(name) || name.endsWith('-') || name.includes('--')),
      message:
        `'name' is '${name}', which is not a valid Aurora identifier: use letters, digits and single hyphens, ` +
        'start with a letter and do not end with a hyphen (e.g. \'payments-db\').',
    },
    {
      condition: Token.isUnresolved(name),
      message: "'name' must be a literal string: every physical name and the cross-Region wiring derive from it.",
    },
    {
      condition: !Token.isUnresolved(name) && longestClusterId > IDENTIFIER_MAX_LENGTH,
      message:
        `'name' is '${name}' (${name.length} characters), so cluster identifier '<name>-<region>' would be ` +
        `${longestClusterId} characters, over Aurora's ${IDENTIFIER_MAX_LENGTH}: shorten 'name' to at most ` +
        `${name.length - (longestClusterId - IDENTIFIER_MAX_LENGTH)} characters.`,
    },
    {
      condition: props.monitoringInterval !== undefined && !Token.isUnresolved(props.monitoringInterval.toSeconds({ integral: false })) &&
        ![0, 1, 5, 10, 15, 30, 60].includes(props.monitoringInterval.toSeconds({ integral: false })),
      message: `'monitoringInterval' is ${props.monitoringInterval?.toHumanString()}: Enhanced Monitoring takes 1, 5, 10, 15, 30 or 60 seconds, ` +
        'or Duration.seconds(0) to turn it off.',
    },
    {
      condition: props.port !== undefined && !isIntegerInRange(props.port, 1150, 65535),
      message: `'port' is ${props.port}: Aurora PostgreSQL accepts a whole number from 1150 to 65535 (default 5432).`,
    },
    {
      condition: props.backupRetention !== undefined && !isBackupRetentionValid(props.backupRetention),
      message: `'backupRetention' is ${props.backupRetention?.toHumanString()}: use a whole number of days from 1 to 35.`,
    },
  ];

  const twoRegions = props.regions.length === 2;
  props.regions.forEach((r, i) => {
    const at = `'regions[${i}]' (${regions[i]})`;
    const secondary = i > 0;
    rules.push(
      {
        condition: secondary && r.masterUsername !== undefined,
        message: `${at} sets masterUsername '${r.masterUsername}', but a secondary cluster inherits the primary's credentials: set ` +
          'masterUsername on regions[0] only.',
      },
      {
        condition: secondary && r.databaseName !== undefined,
        message: `${at} sets databaseName '${r.databaseName}', but a secondary cluster replicates the primary's databases: set databaseName on ` +
          'regions[0] only.',
      },
      {
        condition: !secondary && r.headless === true,
        message: `${at} is the primary and cannot be headless: the writer needs an instance. Make a later Region headless instead.`,
      },
      {
        condition: r.readers !== undefined && !isIntegerInRange(r.readers, 0, MAX_READERS),
        message: `${at} has readers ${r.readers}: use a whole number from 0 to ${MAX_READERS}.`,
      },
      {
        condition: r.headless === true && (r.readers ?? 0) > 0,
        message: `${at} is headless but asks for ${r.readers} readers: a headless cluster has no instance; drop readers or headless.`,
      },
      {
        condition: r.instanceType !== undefined && (r.serverlessV2MinCapacity !== undefined || r.serverlessV2MaxCapacity !== undefined),
        message: `${at} sets instanceType '${r.instanceType}' and a Serverless v2 capacity: capacity applies to Serverless v2 instances only; ` +
          'remove one of them.',
      },
      {
        condition: r.serverlessV2MinCapacity !== undefined && !isCapacityValid(r.serverlessV2MinCapacity, 0.5),
        message: `${at} has serverlessV2MinCapacity ${r.serverlessV2MinCapacity}: use 0.5 to 256 ACUs in steps of 0.5.`,
      },
      {
        condition: r.serverlessV2MaxCapacity !== undefined && !isCapacityValid(r.serverlessV2MaxCapacity, 1),
        message: `${at} has serverlessV2MaxCapacity ${r.serverlessV2MaxCapacity}: use 1 to 256 ACUs in steps of 0.5.`,
      },
      {
        condition: (r.serverlessV2MinCapacity ?? DEFAULT_SERVERLESS_MIN) > (r.serverlessV2MaxCapacity ?? DEFAULT_SERVERLESS_MAX),
        message:
          `${at} has serverlessV2MinCapacity ${r.serverlessV2MinCapacity ?? DEFAULT_SERVERLESS_MIN} above serverlessV2MaxCapacity ` +
          `${r.serverlessV2MaxCapacity ?? DEFAULT_SERVERLESS_MAX}: the minimum must not exceed the maximum.`,
      },
      {
        condition: r.globalDbRpo !== undefined && !isRpoValid(r.globalDbRpo),
        message:
          `${at} has globalDbRpo ${r.globalDbRpo?.toHumanString()}: rds.global_db_rpo takes a whole number of seconds ` +
          `from ${GLOBAL_DB_RPO_MIN_SECONDS} to ${GLOBAL_DB_RPO_MAX_SECONDS}.`,
      },
      {
        condition: twoRegions && secondary && r.globalDbRpo !== undefined,
        message:
          `${at} sets globalDbRpo, but with two Regions the secondary must keep the default: once promoted it would ` +
          'have no secondary left to meet the RPO and would block its commits. Set globalDbRpo on regions[0] only.',
      },
      {
        condition: props.writeForwardingConsistency !== undefined && r.parameters !== undefined &&
          WRITE_FORWARD_CONSISTENCY_PARAMETER in r.parameters,
        message: `${at} sets '${WRITE_FORWARD_CONSISTENCY_PARAMETER}' in parameters and writeForwardingConsistency is set too: ` +
          'keep one of them (writeForwardingConsistency sets it in every Region).',
      },
      {
        condition: r.parameters !== undefined && 'rds.global_db_rpo' in r.parameters,
        message: `${at} sets 'rds.global_db_rpo' in parameters: use the globalDbRpo option, which is validated, instead.`,
      },
    );
    if (!secondary) {
      rules.push(
        {
          condition: r.masterUsername !== undefined && !isValidPgName(r.masterUsername, RESERVED_USERNAMES),
          message:
            `${at} has masterUsername '${r.masterUsername}': use 1 to 63 letters, digits or underscores starting with a letter, ` +
            `not a reserved name (${RESERVED_USERNAMES.join(', ')}) nor one starting with 'rds' or 'pg_'.`,
        },
        {
          condition: r.databaseName !== undefined && !isValidPgName(r.databaseName, RESERVED_DATABASE_NAMES),
          message:
            `${at} has databaseName '${r.databaseName}': use 1 to 63 letters, digits or underscores starting with a letter, ` +
            `not a reserved name (${RESERVED_DATABASE_NAMES.join(', ')}) nor one starting with 'rds' or 'pg_'.`,
        },
      );
    }
  });

  throwIfInvalid(scope, CONSTRUCT_NAME, rules);
}

function isValidPgName(value: string, reserved: string[]): boolean {
  if (Token.isUnresolved(value)) return true;
  const lower = value.toLowerCase();
  return /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/.test(value) && !reserved.includes(lower) && !lower.startsWith('rds') && !lower.startsWith('pg_');
}

function isCapacityValid(acu: number, min: number): boolean {
  return Token.isUnresolved(acu) || (acu >= min && acu <= 256 && Number.isInteger(acu * 2));
}

function isBackupRetentionValid(retention: Duration): boolean {
  if (retention.isUnresolved()) return true;
  const days = retention.toDays({ integral: false });
  return Number.isInteger(days) && days >= 1 && days <= 35;
}

function isRpoValid(rpo: Duration): boolean {
  if (rpo.isUnresolved()) return true;
  const seconds = rpo.toSeconds({ integral: false });
  return Number.isInteger(seconds) && seconds >= GLOBAL_DB_RPO_MIN_SECONDS && seconds <= GLOBAL_DB_RPO_MAX_SECONDS;
}
