/**
 * The small set of cloud operations the runbooks need, so their logic can run against
 * fakes in tests and against the AWS SDK in the Lambda step functions. Every call is
 * made in the Region the runbook runs in (the Region being activated) or on the ARC
 * cluster's data plane: nothing here reaches into the Region being left.
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
  /** `RemoveFromGlobalCluster`: detaches the target, which becomes a writable stand-alone cluster. */
  detachFromGlobalCluster(identifier: string, clusterArn: string): Promise<void>;
  /** The Regional cluster's `Status` (e.g. `available`), read in its own Region. */
  clusterStatus(clusterArn: string): Promise<string | undefined>;
  /** The latest `AuroraGlobalDBRPOLag` of a secondary cluster, in milliseconds; undefined when there is no recent data point. */
  rpoLagMs(clusterIdentifier: string): Promise<number | undefined>;
  /**
   * Whether the database credentials secret `secretName` can be read in the Region the
   * runbook runs in (the primary secret or its replica, not scheduled for deletion).
   */
  secretAvailable(secretName: string): Promise<boolean>;
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
}

/** Everything a runbook needs to know about the deployment, read from the published SSM parameters. */
export interface RunbookTopology {
  readonly globalClusterIdentifier: string;
  /** Name of the database credentials secret, the same in every Region. */
  readonly secretName: string;
  readonly regions: RunbookRegion[];
  readonly clusterEndpoints: ClusterEndpoint[];
}
