/**
 * The runbooks' cloud operations over {@link ReplicatedRegions}: a second implementation
 * of the interface the step logic uses (beside the AWS SDK one), so that the real
 * switchover and failover runbooks, unchanged, move a real replicating database.
 *
 * How it maps Aurora onto PostgreSQL:
 * - a member of the global database is a Region's server; the writer is the one not in
 *   recovery; a standby streaming from it is `connected`, one that is not is
 *   `pending-resync`; an impaired Region is still listed, unreachable, until a failover
 *   removes it (as Aurora does with an old primary until it is re-added);
 * - `SwitchoverGlobalCluster` and `FailoverGlobalCluster` start the move and return, as
 *   the APIs do; `failoverState` shows it under way until it completes;
 * - a managed failover fences the old writer (stops its server, if it still runs) and
 *   promotes the target with what it replayed; {@link LocalCloud.restore} brings the old
 *   Region back rewound, as Aurora re-adds an old primary;
 * - `AuroraGlobalDBRPOLag` is a metric sampled every second while the metrics run
 *   ({@link LocalCloud.startMetrics}): {@link ReplicatedRegions.lagSample}, whose value
 *   means that every write committed before the sample time minus the lag had been
 *   replayed; `lastRpoLag` answers the latest data point within the lookback, as
 *   CloudWatch would, so a runbook can read a data point a second old;
 * - routing is an in-memory set of routing-control states ({@link LocalRouter});
 * - the runs under way (`DescribeAutomationExecutions`) are read from {@link LocalCloud.runs},
 *   the in-process runs' registry (`local-runbooks.ts`);
 * - {@link LocalCloud.rdsUnreachable} makes the global database's API fail with a
 *   transient error, as when the RDS API cannot be reached.
 *
 * What it does not model: the rebuild runbook's operations (creating and deleting
 * clusters and global databases) throw; KMS keys are always enabled; the secret is always
 * there.
 */
import { ReplicatedRegions } from './replicated-regions';
import { ClusterEndpoint, RoutingControlState, RoutingControlStateEntry, RoutingDataPlane } from '../../../src/arc/routing-states';
import {
  CloudOperations, ClusterView, GlobalClusterView, LagReading, RunbookTopology, RunningExecution,
} from '../../../src/ssm/cloud-operations';

/** Routing-control states in memory, behind every endpoint alike; a hung endpoint can be simulated. */
export class LocalRouter implements RoutingDataPlane {
  public readonly states = new Map<string, RoutingControlState>();
  /** Endpoints (by Region) that do not answer: a call waits {@link hangMs}, then times out. */
  public readonly hung = new Set<string>();
  /** How long a call to a hung endpoint waits before it times out, as the SDK's timeout would. */
  public hangMs = 200;
  public updates = 0;

  public async updateRoutingControlStates(endpoint: ClusterEndpoint, entries: RoutingControlStateEntry[]): Promise<void> {
    await this.check(endpoint);
    // One transaction, and never every control Off (ARC's assertion rule).
    const next = new Map(this.states);
    for (const e of entries) next.set(e.routingControlArn, e.state);
    if (![...next.values()].includes('On')) throw Object.assign(new Error('the update would turn every routing control Off'), { name: 'ConflictException' });
    entries.forEach((e) => this.states.set(e.routingControlArn, e.state));
    this.updates++;
  }

  public async getRoutingControlState(endpoint: ClusterEndpoint, routingControlArn: string): Promise<RoutingControlState> {
    await this.check(endpoint);
    return this.states.get(routingControlArn) ?? 'Off';
  }

  /** The Regions routed On. */
  public routed(topology: RunbookTopology): string[] {
    return topology.regions.filter((r) => this.states.get(r.routingControlArn) === 'On').map((r) => r.region);
  }

  private async check(endpoint: ClusterEndpoint): Promise<void> {
    if (!this.hung.has(endpoint.region)) return;
    await new Promise((resolve) => setTimeout(resolve, this.hangMs));
    throw Object.assign(new Error(`the ARC endpoint in ${endpoint.region} does not answer`), { name: 'TimeoutError' });
  }
}

/** A topology for {@link LocalCloud}: one cluster and one routing control per Region. */
export function localTopology(name: string, regions: readonly string[]): RunbookTopology {
  return {
    globalClusterIdentifier: name,
    secretName: `${name}-aurora-master`,
    clusterEndpoints: ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-2']
      .map((region) => ({ region, endpoint: `https://local.route53-recovery-cluster.${region}.amazonaws.com/v1` })),
    regions: regions.map((region) => ({
      region,
      clusterIdentifier: `${name}-${region}`,
      clusterArn: `arn:aws:rds:${region}:000000000000:cluster:${name}-${region}`,
      routingControlArn: `arn:aws:route53-recovery-control::000000000000:controlpanel/local/routingcontrol/${region}`,
    })),
  };
}

async function notModelled(): Promise<void> {
  throw new Error('the local cloud does not model the rebuild runbook');
}

/** The runs under way, as `DescribeAutomationExecutions` answers in a Region. */
export interface LocalRuns {
  running(region: string, documentNames: readonly string[]): RunningExecution[];
}

/** One `AuroraGlobalDBRPOLag` data point of a Region. */
interface LagPoint { readonly region: string; readonly valueMs: number; readonly at: number }

type Move = { kind: 'switchover' | 'failover'; from?: string; to: string; done: Promise<void>; error?: Error };

export class LocalCloud implements CloudOperations {
  public readonly routing: LocalRouter;
  /** The runs under way; none until set. */
  public runs?: LocalRuns;
  /** While true, the global database's API (describe, switchover, failover) answers a transient error. */
  public rdsUnreachable = false;
  // The rebuild runbook's operations: not modelled (see the file's comment).
  public readonly removeFromGlobalCluster = notModelled;
  public readonly deleteGlobalCluster = notModelled;
  public readonly createGlobalCluster = notModelled;
  public readonly deleteInstance = notModelled;
  public readonly deleteCluster = notModelled;
  public readonly createSecondaryCluster = notModelled;
  public readonly createInstance = notModelled;

  /** Regions removed from the global database: by a failover (until restored) or by a detach. */
  private readonly removed = new Set<string>();
  private readonly detached = new Set<string>();
  /**
   * Each switchover or failover that completed: when the writer settled, and when a read
   * of the global database first saw it settled (what a runbook's wait step polls). The
   * difference is the time the waits' polling adds to a recovery.
   */
  public readonly settlements: { kind: Move['kind']; to: string; settledAt: number; noticedAt?: number }[] = [];
  private move?: Move;
  private readonly points: LagPoint[] = [];
  private metrics?: { stop: boolean; loop: Promise<void> };
  private halted = false;

  constructor(public readonly regions: ReplicatedRegions, public readonly topology: RunbookTopology, routing = new LocalRouter()) {
    this.routing = routing;
  }

  /** For each settlement a read has seen: milliseconds from the writer settling to that read. */
  public noticeDelaysMs(): number[] {
    return this.settlements.filter((x) => x.noticedAt !== undefined).map((x) => x.noticedAt! - x.settledAt);
  }

  /** The Region of a cluster ARN of the topology. */
  public regionOf(clusterArn: string): string {
    const found = this.topology.regions.find((r) => r.clusterArn === clusterArn || r.clusterIdentifier === clusterArn);
    if (!found) throw Object.assign(new Error(`DBClusterNotFoundFault: ${clusterArn} is not a cluster of ${this.topology.globalClusterIdentifier}`), { name: 'DBClusterNotFoundFault' });
    return found.region;
  }

  public async describeGlobalCluster(identifier: string): Promise<GlobalClusterView | undefined> {
    this.checkRds();
    if (identifier !== this.topology.globalClusterIdentifier) return undefined;
    const states = await this.regions.describe();
    const members = this.topology.regions
      .filter((r) => !this.removed.has(r.region) && !this.detached.has(r.region))
      .map((r) => {
        const s = states.find((x) => x.region === r.region)!;
        return { clusterArn: r.clusterArn, isWriter: s.writer, synchronizationStatus: s.writer ? undefined : (s.streaming ? 'connected' : 'pending-resync') };
      });
    const move = this.move;
    if (!move) for (const settled of this.settlements) settled.noticedAt ??= Date.now();
    return {
      identifier,
      status: 'available',
      members,
      ...(move ? {
        failoverState: {
          status: move.kind === 'switchover' ? 'switching-over' : 'failing-over',
          fromClusterArn: move.from ? this.arnOf(move.from) : undefined,
          toClusterArn: this.arnOf(move.to),
          isDataLossAllowed: move.kind === 'failover',
        },
      } : {}),
    };
  }

  public async switchoverGlobalCluster(_identifier: string, targetClusterArn: string): Promise<void> {
    this.checkRds();
    this.refuseWhileMoving();
    const to = this.regionOf(targetClusterArn);
    const from = await this.regions.writer();
    this.start({ kind: 'switchover', from, to }, () => this.regions.switchover(to));
  }

  public async failoverGlobalCluster(_identifier: string, targetClusterArn: string): Promise<void> {
    this.checkRds();
    this.refuseWhileMoving();
    const to = this.regionOf(targetClusterArn);
    const from = await this.regions.writer();
    this.start({ kind: 'failover', from, to }, async () => {
      // A managed failover fences the old writer; it is re-added later ({@link restore}).
      if (from && from !== to) this.regions.impair(from);
      await this.regions.failover(to);
      for (const s of this.regions.servers.filter((x) => !x.running)) this.removed.add(s.region);
    });
  }

  public async detachFromGlobalCluster(_identifier: string, clusterArn: string): Promise<void> {
    const region = this.regionOf(clusterArn);
    await this.regions.detach(region);
    this.detached.add(region);
  }

  public async describeCluster(clusterArn: string): Promise<ClusterView | undefined> {
    const region = this.regionOf(clusterArn);
    const server = this.regions.server(region);
    return {
      status: server.running ? 'available' : 'inaccessible',
      kmsKeyId: `local-key-${region}`,
      globalClusterIdentifier: this.detached.has(region) ? undefined : this.topology.globalClusterIdentifier,
      instances: [{ identifier: `${this.topology.globalClusterIdentifier}-${region}-instance1`, status: server.running ? 'available' : 'stopped' }],
    };
  }

  public async keyState(): Promise<string | undefined> {
    return 'Enabled';
  }

  public async addInstance(): Promise<void> {
    // Every local Region has its server: nothing to add.
  }

  public async lastRpoLag(clusterIdentifier: string, lookbackMs: number): Promise<LagReading | undefined> {
    const region = this.regionOf(clusterIdentifier);
    const since = Date.now() - lookbackMs;
    const last = [...this.points].reverse().find((p) => p.region === region && p.at >= since);
    return last ? { valueMs: last.valueMs, at: last.at } : undefined;
  }

  /**
   * Starts publishing the lag metric: one data point per secondary Region every
   * `intervalMs` (taken from the servers, {@link ReplicatedRegions.lagSample}); a Region
   * that cannot be sampled publishes nothing, as an impaired Region publishes no metric.
   */
  public startMetrics(intervalMs = 1_000): void {
    if (this.metrics) return;
    const state = { stop: false, loop: Promise.resolve() };
    state.loop = (async () => {
      while (!state.stop) {
        await this.sampleLag();
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    })();
    this.metrics = state;
  }

  /** Takes one data point per secondary Region now. */
  public async sampleLag(): Promise<void> {
    for (const r of this.topology.regions) {
      const sample = await this.regions.lagSample(r.region);
      if (sample) this.points.push({ region: r.region, valueMs: sample.lagMs, at: sample.at });
    }
    // An hour of points at most.
    if (this.points.length > 3_600 * this.topology.regions.length) this.points.splice(0, this.points.length / 2);
  }

  /** Stops publishing the metric. */
  public async stopMetrics(): Promise<void> {
    if (!this.metrics) return;
    this.metrics.stop = true;
    await this.metrics.loop;
    this.metrics = undefined;
  }

  public async secretAvailable(): Promise<boolean> {
    return true;
  }

  public async runningExecutions(region: string, documentNames: readonly string[]): Promise<RunningExecution[]> {
    return this.runs?.running(region, documentNames) ?? [];
  }

  public now(): number {
    return Date.now();
  }

  public async sleep(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.halted) throw new Error('the local cloud was stopped');
  }

  /** Ends every wait of the runs under way: their next sleep throws, so they stop at once. */
  public halt(): void {
    this.halted = true;
  }

  /**
   * The impaired Region is back, once the move under way (if any) has completed. When a
   * failover removed it from the global database, its server rejoins as a secondary of
   * the writer, rewound, as Aurora re-adds an old primary; otherwise (nothing failed over
   * from it, or the target was detached) its server starts again as it was: after a
   * detach, the old writer is a writer again.
   */
  public async restore(region: string): Promise<void> {
    // A failover under way decides whether the Region comes back a member or removed.
    await this.settled();
    if (this.regions.server(region).running) return;
    if (this.removed.has(region)) {
      await this.regions.rejoin(region);
      this.removed.delete(region);
    } else {
      this.regions.resume(region);
    }
  }

  /**
   * Where the global writer endpoint leads: the port of the global database's writer, or
   * undefined while no member takes writes (a switchover or failover under way, the
   * writer's Region impaired). The API's connections follow it, as the Lambda functions
   * follow the global writer endpoint.
   */
  public async writerEndpoint(): Promise<{ region: string; port: number } | undefined> {
    const states = await this.regions.describe();
    const writer = states.find((s) => s.writer && !this.removed.has(s.region) && !this.detached.has(s.region));
    return writer ? { region: writer.region, port: this.regions.server(writer.region).port } : undefined;
  }

  /** Whether `region` was detached from the global database. */
  public isDetached(region: string): boolean {
    return this.detached.has(region);
  }

  /** Waits until the move under way, if any, has completed. */
  public async settled(): Promise<void> {
    await this.move?.done.catch(() => undefined);
  }

  private arnOf(region: string): string {
    return this.topology.regions.find((r) => r.region === region)!.clusterArn;
  }

  private checkRds(): void {
    if (this.rdsUnreachable) throw Object.assign(new Error('the RDS API did not answer'), { name: 'ServiceUnavailable' });
  }

  private refuseWhileMoving(): void {
    if (this.move) {
      throw Object.assign(new Error(`InvalidGlobalClusterStateFault: a ${this.move.kind} to ${this.move.to} is in progress`), { name: 'InvalidGlobalClusterStateFault' });
    }
  }

  private start(move: Omit<Move, 'done'>, run: () => Promise<void>): void {
    const entry = move as Move;
    entry.done = run().then(() => {
      this.settlements.push({ kind: move.kind, to: move.to, settledAt: Date.now() });
    }, (e) => {
      entry.error = e as Error;
      console.error(`the local ${move.kind} to ${move.to} failed: ${(e as Error).message}`);
    }).finally(() => {
      if (this.move === entry) this.move = undefined;
    });
    this.move = entry;
  }
}
