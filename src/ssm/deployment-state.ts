/**
 * A deployment's state, Region by Region, read from where each fact lives: the writer from
 * `DescribeGlobalClusters`, the traffic from the ARC data plane, each secondary's
 * replication lag from `AuroraGlobalDBRPOLag` in its own Region, the last readiness
 * evaluation, the runs under way and the last ended ones from SSM of each Region, and
 * (when asked) the alarms. The command line's `status` prints it; an application's
 * operations page (the remittance example's) shows it. Every read may fail on its own:
 * what could not be read is said, never guessed.
 */
import { CloudOperations, EndedExecution, GlobalFailoverState, RunbookTopology, RunningExecution } from './cloud-operations';
import { ReadinessEvaluation } from './readiness';
import { LAG_LOOKBACK_MS } from './runbook-steps';
import { readStates, RoutingControlState } from '../arc/routing-states';

/** One alarm, as `DescribeAlarms` reports it. */
export interface AlarmView {
  readonly name: string;
  /** `OK`, `ALARM` or `INSUFFICIENT_DATA`. */
  readonly state: string;
  /** When it last changed state (epoch ms). */
  readonly since?: number;
  /** The alarm's description. */
  readonly description?: string;
}

/** Where the state of a deployment is read from. */
export interface DeploymentStateSources {
  readonly topology: RunbookTopology;
  /**
   * How long one read may take before it is reported as not answered (a Region that
   * does not answer must not hold up the others). Default 10 s.
   */
  readonly readTimeoutMs?: number;
  /** The cloud operations, made from `region` (the runbooks' own). */
  cloud(region: string): CloudOperations;
  /** The runs of the deployment's runbooks under way in `region`. */
  runningExecutions(region: string): Promise<RunningExecution[]>;
  /** The last runs of the deployment's runbooks that ended in `region`, the last ended first. */
  endedExecutions(region: string): Promise<EndedExecution[]>;
  /** The last readiness evaluation published in `region`; undefined when there is none yet. */
  readiness(region: string): Promise<ReadinessEvaluation | undefined>;
  /** The deployment's alarms in `region`; not read when absent. */
  alarms?(region: string): Promise<AlarmView[]>;
  /** How an error reads to an operator. Default: its message. */
  explain?(error: unknown, region?: string): string;
}

/** One Region's state. Each `...Error` says why the value beside it could not be read. */
export interface RegionState {
  readonly region: string;
  /** `writer`, `secondary`, `not a member` (detached, or not yet added) or `unknown` (the global database could not be read). */
  readonly role: 'writer' | 'secondary' | 'not a member' | 'unknown';
  /** A secondary's `SynchronizationStatus`: `connected`, or `pending-resync` while it rebuilds. */
  readonly synchronizationStatus?: string;
  /** The routing control's state; `unknown` when ARC could not be read. */
  readonly traffic: RoutingControlState | 'unknown';
  /** A secondary's latest replication lag in the last 24 hours. */
  readonly rpoLag?: { readonly valueMs: number; readonly at: number };
  readonly rpoLagError?: string;
  readonly readiness?: ReadinessEvaluation;
  readonly readinessError?: string;
  readonly running?: RunningExecution[];
  readonly runningError?: string;
  readonly lastRuns?: EndedExecution[];
  readonly lastRunsError?: string;
  readonly alarms?: AlarmView[];
  readonly alarmsError?: string;
}

/** The whole deployment's state. */
export interface DeploymentState {
  readonly globalDatabase: {
    readonly identifier: string;
    /** `available`, `failing-over`, ...; undefined when it could not be read or does not exist. */
    readonly status?: string;
    readonly failoverState?: GlobalFailoverState;
  };
  /** The Region the reads were made from. */
  readonly readFrom: string;
  /** When the reads started (epoch ms). */
  readonly readAt: number;
  /** In the topology's order, the home Region first. */
  readonly regions: RegionState[];
  /** What could not be read for the whole deployment (the global database, the routing controls). */
  readonly problems: string[];
  /**
   * One Region is writer and another alone receives traffic: a run was interrupted
   * between moving the writer and moving the traffic, and running it again finishes it.
   */
  readonly interrupted: boolean;
}

/** The default of {@link DeploymentStateSources.readTimeoutMs}. */
export const STATE_READ_TIMEOUT_MS = 10_000;

async function attempt<T>(call: () => Promise<T>, explain: (e: unknown) => string, timeoutMs: number): Promise<{ value?: T; error?: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return { value: await Promise.race([call(), late]) };
  } catch (e) {
    return { error: explain(e) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads the state of the deployment, every Region at once, from `readFrom`. Never throws
 * for a read that failed or did not answer in time: it says so beside the value.
 */
export async function readDeploymentState(sources: DeploymentStateSources, readFrom: string): Promise<DeploymentState> {
  const { topology } = sources;
  const explain = (region?: string) => (e: unknown) => (sources.explain ? sources.explain(e, region) : (e as Error)?.message ?? String(e));
  const timeoutMs = sources.readTimeoutMs ?? STATE_READ_TIMEOUT_MS;
  const read = <T>(call: () => Promise<T>, region?: string) => attempt(call, explain(region), timeoutMs);
  const cloud = sources.cloud(readFrom);
  const readAt = cloud.now();
  const [global, states] = await Promise.all([
    read(() => cloud.describeGlobalCluster(topology.globalClusterIdentifier), readFrom),
    read(() => readStates(cloud.routing, topology.clusterEndpoints, topology.regions.map((r) => r.routingControlArn))),
  ]);
  const view = global.value;
  const regions = await Promise.all(topology.regions.map(async (r): Promise<RegionState> => {
    const member = view?.members.find((m) => m.clusterArn === r.clusterArn);
    const role = global.error ? 'unknown' : !member ? 'not a member' : member.isWriter ? 'writer' : 'secondary';
    const [lag, running, lastRuns, readiness, alarms] = await Promise.all([
      member && !member.isWriter ? read(() => sources.cloud(r.region).lastRpoLag(r.clusterIdentifier, LAG_LOOKBACK_MS), r.region) : undefined,
      read(() => sources.runningExecutions(r.region), r.region),
      read(() => sources.endedExecutions(r.region), r.region),
      read(() => sources.readiness(r.region), r.region),
      sources.alarms ? read(() => sources.alarms!(r.region), r.region) : undefined,
    ]);
    return {
      region: r.region,
      role,
      ...(member && !member.isWriter ? { synchronizationStatus: member.synchronizationStatus } : {}),
      traffic: states.value?.[r.routingControlArn] ?? 'unknown',
      ...(lag?.value ? { rpoLag: { valueMs: lag.value.valueMs, at: lag.value.at } } : {}),
      ...(lag?.error ? { rpoLagError: lag.error } : {}),
      ...(readiness.value ? { readiness: readiness.value } : {}),
      ...(readiness.error ? { readinessError: readiness.error } : {}),
      ...(running.error ? { runningError: running.error } : { running: running.value }),
      ...(lastRuns.error ? { lastRunsError: lastRuns.error } : { lastRuns: lastRuns.value }),
      ...(alarms?.error ? { alarmsError: alarms.error } : {}),
      ...(alarms?.value ? { alarms: alarms.value } : {}),
    };
  }));
  const problems = [
    ...(global.error ? [`the global database could not be described: ${global.error}`] : []),
    ...(!global.error && !view ? [`the global database '${topology.globalClusterIdentifier}' does not exist`] : []),
    ...(states.error ? [`the routing controls could not be read: ${states.error}`] : []),
  ];
  const writers = regions.filter((r) => r.role === 'writer').map((r) => r.region);
  const routed = regions.filter((r) => r.traffic === 'On').map((r) => r.region);
  return {
    globalDatabase: {
      identifier: topology.globalClusterIdentifier,
      ...(view ? { status: view.status } : {}),
      ...(view?.failoverState ? { failoverState: view.failoverState } : {}),
    },
    readFrom,
    readAt,
    regions,
    problems,
    interrupted: writers.length === 1 && routed.length === 1 && writers[0] !== routed[0],
  };
}
