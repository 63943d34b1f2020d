/**
 * The small set of cloud operations the runbooks need, so their logic can run against
 * fakes in tests and against the AWS SDK in the Lambda step functions. Every call that
 * changes something is made in the Region the runbook runs in (the Region being
 * activated) or on the ARC cluster's data plane. Two reads reach other Regions, each
 * bounded and allowed to fail: the runbook executions under way there (one run of a
 * deployment at a time) and, for the status command, each Region's replication lag.
 */
import { ClusterEndpoint, RoutingDataPlane } from '../arc/routing-states';

/** One member of a global database, as `DescribeGlobalClusters` reports it. */
export interface GlobalClusterMember {
  readonly clusterArn: string;
  readonly isWriter: boolean;
  /** `connected` once a secondary replicates; `pending-resync` while it rebuilds. */
  readonly synchronizationStatus?: string;
}

/** A switchover or failover in progress (`FailoverState`). */
export interface GlobalFailoverState {
  /** `pending`, `failing-over`, `switching-over` or `cancelling`. */
  readonly status: string;
  readonly fromClusterArn?: string;
  readonly toClusterArn?: string;
  readonly isDataLossAllowed?: boolean;
}

/** A global database, as `DescribeGlobalClusters` reports it. */
export interface GlobalClusterView {
  readonly identifier: string;
  /** `available`, `failing-over`, `modifying`, ... */
  readonly status: string;
  readonly members: GlobalClusterMember[];
  readonly failoverState?: GlobalFailoverState;
}

/** One DB instance of a Regional cluster. */
export interface ClusterInstanceView {
  readonly identifier: string;
  /** `DBInstanceStatus`: `available`, `creating`, `stopped`, ... */
  readonly status: string;
}

/** A Regional cluster, as `DescribeDBClusters` and `DescribeDBInstances` report it in its own Region. */
export interface ClusterView {
  /** `available`, `inaccessible-encryption-credentials`, `stopped`, `modifying`, ... */
  readonly status: string;
  /** The KMS key encrypting the cluster's storage. */
  readonly kmsKeyId?: string;
  /** The global database it is a member of (`GlobalClusterIdentifier`); none for a stand-alone cluster. */
  readonly globalClusterIdentifier?: string;
  /** The cluster's instances; none for a headless secondary. */
  readonly instances: ClusterInstanceView[];
}

/** One instance of a Regional cluster, as its stack creates it. */
export interface InstanceSpec {
  /** `DBInstanceIdentifier`. */
  readonly identifier: string;
  /** `db.serverless`, `db.r6g.large`, ... */
  readonly instanceClass: string;
  readonly promotionTier: number;
  /** The KMS key of Performance Insights; none when it is off. */
  readonly performanceInsightsKmsKeyId?: string;
  /** Enhanced Monitoring's interval in seconds and the role it publishes with; none when it is off. */
  readonly monitoringIntervalSeconds?: number;
  readonly monitoringRoleArn?: string;
}

/**
 * The settings a Regional cluster is created with, as its stack publishes them: what the
 * rebuild runbook needs to create the cluster again as a secondary.
 */
export interface ClusterSpec {
  readonly region: string;
  readonly clusterIdentifier: string;
  readonly engineVersion: string;
  readonly port: number;
  readonly subnetGroupName: string;
  readonly securityGroupIds: string[];
  readonly parameterGroupName: string;
  readonly kmsKeyId: string;
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
  readonly preferredMaintenanceWindow?: string;
  /** Global write forwarding, as the construct's `globalWriteForwarding` set it; absent means off. */
  readonly globalWriteForwarding?: boolean;
  /** Aurora Serverless v2 capacity range, for `db.serverless` instances. */
  readonly serverlessV2Scaling?: { readonly minCapacity: number; readonly maxCapacity: number };
  /** The instances, the first one the writer-to-be; none for a headless secondary. */
  readonly instances: InstanceSpec[];
}

/** The latest `AuroraGlobalDBRPOLag` data point of a secondary cluster. */
export interface LagReading {
  /** The replication lag, in milliseconds: the writes a promotion at that time would have lost. */
  readonly valueMs: number;
  /** When it was measured (epoch ms). */
  readonly at: number;
}

/** A runbook execution that has not ended, as `DescribeAutomationExecutions` reports it. */
export interface RunningExecution {
  readonly executionId: string;
  readonly documentName: string;
  /** The Region it runs in. */
  readonly region: string;
  /** `Pending`, `InProgress`, `Waiting`, `Cancelling`, ... */
  readonly status: string;
  /** When it started (epoch ms). */
  readonly startTime: number;
  /** The step it is at (`CurrentStepName`); undefined before its first step. */
  readonly currentStep?: string;
}

/** A runbook execution that has ended, as `DescribeAutomationExecutions` reports it. */
export interface EndedExecution {
  readonly executionId: string;
  readonly documentName: string;
  /** The Region it ran in. */
  readonly region: string;
  /** `Success`, `Failed`, `Cancelled`, `TimedOut`, ... */
  readonly status: string;
  /** When it started and ended (epoch ms). */
  readonly startTime: number;
  readonly endTime: number;
}

/** What the runbooks ask of AWS. */
export interface CloudOperations {
  /** The ARC data plane. */
  readonly routing: RoutingDataPlane;
  /** `DescribeGlobalClusters` for one identifier; undefined when it does not exist. Throws when the API cannot be reached. */
  describeGlobalCluster(identifier: string): Promise<GlobalClusterView | undefined>;
  /** `SwitchoverGlobalCluster`: planned, no data loss. */
  switchoverGlobalCluster(identifier: string, targetClusterArn: string): Promise<void>;
  /** `FailoverGlobalCluster` with `AllowDataLoss: true`. */
  failoverGlobalCluster(identifier: string, targetClusterArn: string): Promise<void>;
  /** `RemoveFromGlobalCluster`: detaches the target, which becomes a writable stand-alone cluster. Irreversible. */
  detachFromGlobalCluster(identifier: string, clusterArn: string): Promise<void>;
  /** The Regional cluster and its instances, read in its own Region; undefined when it does not exist. */
  describeCluster(clusterArn: string): Promise<ClusterView | undefined>;
  /** `KeyState` of a KMS key (`Enabled`, `Disabled`, `PendingDeletion`, ...); undefined when it does not exist. */
  keyState(keyId: string): Promise<string | undefined>;
  /** `CreateDBInstance` in the cluster: gives a headless secondary an instance that can become writer. */
  addInstance(clusterArn: string, instanceIdentifier: string, instanceClass: string): Promise<void>;
  /**
   * `RemoveFromGlobalCluster` of a stale member while the global database is re-homed on
   * the cluster that serves traffic (rebuild). Called in the member's Region.
   */
  removeFromGlobalCluster(identifier: string, clusterArn: string): Promise<void>;
  /** `DeleteGlobalCluster` of a global database with no member left (deletion protection turned off first). */
  deleteGlobalCluster(identifier: string): Promise<void>;
  /** `CreateGlobalCluster` from an existing cluster, which becomes its writer (deletion protection on). */
  createGlobalCluster(identifier: string, sourceClusterArn: string): Promise<void>;
  /** `DeleteDBInstance`, in the cluster's Region. */
  deleteInstance(clusterArn: string, instanceIdentifier: string): Promise<void>;
  /** `DeleteDBCluster` with a final snapshot (deletion protection turned off first). */
  deleteCluster(clusterArn: string, finalSnapshotIdentifier: string): Promise<void>;
  /** `CreateDBCluster` of `spec` as a secondary of the global database `identifier`, in the spec's Region. */
  createSecondaryCluster(identifier: string, spec: ClusterSpec): Promise<void>;
  /** `CreateDBInstance` of one instance of `spec`. */
  createInstance(spec: ClusterSpec, instance: InstanceSpec): Promise<void>;
  /**
   * The latest `AuroraGlobalDBRPOLag` data point of a secondary cluster within the last
   * `lookbackMs`; undefined when there is none.
   */
  lastRpoLag(clusterIdentifier: string, lookbackMs: number): Promise<LagReading | undefined>;
  /**
   * Whether the database credentials secret `secretName` can be read in the Region the
   * runbook runs in (the primary secret or its replica, not scheduled for deletion).
   */
  secretAvailable(secretName: string): Promise<boolean>;
  /** The executions of `documentNames` in `region` that have not ended (SSM of that Region). */
  runningExecutions(region: string, documentNames: readonly string[]): Promise<RunningExecution[]>;
  /** The current time, in milliseconds. */
  now(): number;
  /** Waits `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** The members of the topology a runbook acts on: each Region's cluster and routing control. */
export interface RunbookRegion {
  readonly region: string;
  readonly clusterIdentifier: string;
  readonly clusterArn: string;
  readonly routingControlArn: string;
  /** Class of the instance a runbook adds to a headless cluster before it becomes writer (`db.serverless`, `db.r6g.large`). */
  readonly instanceClass?: string;
}

/** Everything a runbook needs to know about the deployment, read from the published SSM parameters. */
export interface RunbookTopology {
  readonly globalClusterIdentifier: string;
  /** Name of the database credentials secret, the same in every Region. */
  readonly secretName: string;
  readonly regions: RunbookRegion[];
  readonly clusterEndpoints: ClusterEndpoint[];
  /** How the cluster of the Region the runbook runs in was created, when its stack publishes it (the rebuild needs it). */
  readonly localClusterSpec?: ClusterSpec;
  /**
   * Every Region serves while its routing control is On (ArcRoutedApi's
   * `RoutingMode.ACTIVE_ACTIVE`); absent or false: one Region at a time.
   */
  readonly activeActive?: boolean;
}
