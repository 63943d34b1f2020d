/**
 * A failover rehearsal on this machine: the remittance application in two or three
 * simulated Regions, over real PostgreSQL servers joined by streaming replication
 * ({@link ReplicatedRegions}), moved by the real runbooks ({@link LocalRunbooks} over
 * {@link LocalCloud}).
 *
 * - Each Region has the API's real handlers (`route`). A request reaches the Region the
 *   routing controls turn On, as DNS does behind ARC, or a named Region; an impaired
 *   Region's API does not answer.
 * - The handlers connect to the global writer endpoint, as the deployed functions do:
 *   the global database's writer, wherever it is. Each "execution environment" (a number
 *   the caller picks, as Lambda runs one request per environment) keeps its connection.
 * - With active/active routing, as the deployed functions then do, each Region's API reads
 *   from its own Region's server (its "reader endpoint") and sends its writes there first
 *   ({@link ForwardedWrites}). PostgreSQL has no write forwarding: a standby refuses the
 *   write as read-only (25006), and the write goes on to the global writer endpoint, as in
 *   AWS when a reader endpoint leads to a replica of the writer's own cluster. What Aurora
 *   adds in a Region without the writer, the forwarding itself, is not rehearsed here.
 * - {@link impair} takes a Region down (its server stopped at once, its API path cut);
 *   {@link restore} brings it back, rejoined as a secondary when a failover left it.
 */
import { LocalCloud, localTopology } from './local-cloud';
import { LocalRunbookDefaults, LocalRunbooks } from './local-runbooks';
import { ReplicatedRegions } from './replicated-regions';
import { LAST_RUNS } from '../../../src/cli/cli';
import { RunbookTopology } from '../../../src/ssm/cloud-operations';
import { DeploymentState, readDeploymentState } from '../../../src/ssm/deployment-state';
import { evaluateReadiness, ReadinessEvaluation } from '../../../src/ssm/readiness';
import { RUNBOOK_NAMES } from '../../../src/ssm/runbooks';
import { Database, ForwardedWrites } from '../api/db';
import { OperationsSettings } from '../api/operations';
import { ApiEvent, ApiResult } from '../api/remittances';
import { route } from '../api/router';
import { migrate } from '../api/schema';

export interface RehearsalOptions {
  /** The Regions, the writer's first. Default us-east-1, us-west-2. */
  readonly regions?: readonly string[];
  /** The deployment's name (the global database's identifier). Default `remittance`. */
  readonly name?: string;
  /** Where the servers' temporary folder goes. Default: the system's temporary folder. */
  readonly parentDir?: string;
  /** Settings of every runbook run, as a deployed document's defaults. Default: polls every 250 ms, waits at most 60 s. */
  readonly runbooks?: LocalRunbookDefaults;
  /** How often the lag metric is sampled. Default 1 s. */
  readonly metricIntervalMs?: number;
  /**
   * Active/active routing (ArcRoutedApi's RoutingMode.ACTIVE_ACTIVE): every Region On at
   * the start, and the runbooks evacuate and restore Regions. Default false: the first
   * Region alone.
   */
  readonly activeActive?: boolean;
}

/** How a Region stands, for the local UI and the drill. */
export interface RegionView {
  readonly region: string;
  /** Its server and API are down. */
  readonly impaired: boolean;
  /** The global database's writer. */
  readonly writer: boolean;
  /** Detached from the global database: a stand-alone copy. */
  readonly detached: boolean;
  /** Its routing control is On. */
  readonly routed: boolean;
  /** A secondary streaming from the writer. */
  readonly streaming: boolean;
  /** Its latest lag data point, in ms. */
  readonly lagMs?: number;
}

export const OPERATORS_GROUP = 'operators';

/** What CloudFront answers when the API behind it does not: a 503 that names no Region (no `x-served-by`). */
function unanswered(message: string): ApiResult {
  return { statusCode: 503, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify({ message }) };
}

export class Rehearsal {
  /**
   * Starts the servers, migrates the schema on the writer, routes to the first Region,
   * starts the lag metric and waits for its first data points.
   */
  public static async start(options: RehearsalOptions = {}): Promise<Rehearsal> {
    const names = options.regions ?? ['us-east-1', 'us-west-2'];
    const regions = await ReplicatedRegions.start(names, { parentDir: options.parentDir });
    const topology = localTopology(options.name ?? 'remittance', names);
    const rehearsal = new Rehearsal(regions, options.activeActive ? { ...topology, activeActive: true } : topology, options);
    try {
      await migrate(rehearsal.database(names[0]));
      rehearsal.topology.regions.forEach((r, i) => rehearsal.cloud.routing.states.set(r.routingControlArn, i === 0 || options.activeActive ? 'On' : 'Off'));
      rehearsal.cloud.startMetrics(options.metricIntervalMs ?? 1_000);
      // As a deployment's first metric: until every secondary has a data point, a switchover refuses.
      await regions.waitUntil(async () => {
        const points = await Promise.all(rehearsal.topology.regions.slice(1).map((r) => rehearsal.cloud.lastRpoLag(r.clusterIdentifier, 60_000)));
        return points.every((p) => p !== undefined);
      }, 30_000, 'the first lag data point of every secondary');
    } catch (e) {
      await rehearsal.stop();
      throw e;
    }
    return rehearsal;
  }

  public readonly cloud: LocalCloud;
  public readonly runbooks: LocalRunbooks;
  /** Regions whose API does not answer. */
  private readonly down = new Set<string>();
  private readonly databases = new Map<string, Database>();
  private readonly writes = new Map<string, ForwardedWrites>();
  /** Each Region's last readiness evaluation, as its schedule would have published it. */
  private readonly evaluations = new Map<string, { value: Promise<ReadinessEvaluation>; at: number }>();

  private constructor(public readonly regions: ReplicatedRegions, public readonly topology: RunbookTopology, options: RehearsalOptions) {
    this.cloud = new LocalCloud(regions, topology);
    this.runbooks = new LocalRunbooks(this.cloud, topology, { pollIntervalMs: 250, timeoutMs: 60_000, ...options.runbooks });
  }

  /** The Region names, the first writer's first. */
  public get regionNames(): string[] {
    return this.topology.regions.map((r) => r.region);
  }

  /** The Regions routed On now. */
  public routed(): string[] {
    return this.cloud.routing.routed(this.topology);
  }

  /**
   * The API's connection in `region`'s execution environment `environment`: it reaches
   * the global writer endpoint, read again after a failed connection, as the functions
   * read their secret again. With `reconnectOnReadOnly` false, a separate connection,
   * the writer endpoint of {@link forwardedWrites}.
   */
  public database(region: string, environment = 0, reconnectOnReadOnly = true): Database {
    const key = `${region}#${environment}${reconnectOnReadOnly ? '' : '#forwarded'}`;
    let db = this.databases.get(key);
    if (!db) {
      db = new Database(async () => {
        const writer = await this.cloud.writerEndpoint();
        // As a DNS name that leads to no server: the connection is refused.
        if (!writer) throw Object.assign(new Error('the global writer endpoint leads to no writer right now'), { code: 'ECONNREFUSED' });
        return { host: '127.0.0.1', port: writer.port, username: 'app', password: this.regions.password, dbname: 'postgres' };
      }, { ssl: false, connectTimeoutMs: 2_000, reconnectOnReadOnly });
      this.databases.set(key, db);
    }
    return db;
  }

  /**
   * Active/active: `region`'s reader endpoint in execution environment `environment`,
   * which leads to the Region's own server, whatever its role; one connection for the
   * reads, another for the writes sent there first.
   */
  public reader(region: string, environment = 0, purpose: 'reads' | 'writes' = 'reads'): Database {
    const key = `${region}#${environment}#${purpose}`;
    let db = this.databases.get(key);
    if (!db) {
      db = new Database(async () => ({ host: '127.0.0.1', port: this.regions.server(region).port, username: 'app', password: this.regions.password, dbname: 'postgres' }), {
        ssl: false, connectTimeoutMs: 2_000, reconnectOnReadOnly: purpose === 'reads',
      });
      this.databases.set(key, db);
    }
    return db;
  }

  /** Active/active: the writes of `region`'s environment `environment`, its own server first, then the writer. */
  public forwardedWrites(region: string, environment = 0): ForwardedWrites {
    const key = `${region}#${environment}`;
    let writes = this.writes.get(key);
    if (!writes) {
      writes = new ForwardedWrites(this.reader(region, environment, 'writes'), this.database(region, environment, false));
      this.writes.set(key, writes);
    }
    return writes;
  }

  /**
   * One API request: to `region`, or to the Region the routing sends it to (with every
   * Region On, the first: as if the caller were nearest to it). Answers 503 with the
   * reason when no Region is routed or the Region's API is down.
   */
  public async request(event: ApiEvent, options: { region?: string; environment?: number } = {}): Promise<ApiResult> {
    const region = options.region ?? this.routed()[0];
    // Answered by the edge, not by an API: no Region served them, and they say none.
    if (!region) return unanswered('no Region is routed On');
    if (this.down.has(region)) return unanswered(`the API in ${region} does not answer: the Region is impaired`);
    return route(event, {
      ...(this.topology.activeActive
        ? { db: this.forwardedWrites(region, options.environment), reads: this.reader(region, options.environment) }
        : { db: this.database(region, options.environment) }),
      region,
      automation: this.runbooks.automation(region, () => this.state(region)),
      operations: this.operations(region),
    });
  }

  /** The Operations buttons' settings in `region`. */
  public operations(region: string): OperationsSettings {
    return {
      region,
      documents: {
        switchover: this.runbooks.documentName('switchover'),
        failover: this.runbooks.documentName('failover'),
        failback: this.runbooks.documentName('failback'),
        ...(this.topology.activeActive ? { evacuate: this.runbooks.documentName('evacuate'), restore: this.runbooks.documentName('restore') } : {}),
      },
      operatorsGroup: OPERATORS_GROUP,
      home: this.regionNames[0],
      impairedAlarms: Object.fromEntries(this.regionNames.map((r) => [r, this.impairedAlarmName(r)])),
    };
  }

  /** The stand-in of a Region's "Region impaired" alarm: named as ObservedWorkload names it. */
  public impairedAlarmName(region: string): string {
    return `${this.topology.globalClusterIdentifier}-${region}-region-impaired`;
  }

  /**
   * The deployment's state read from `readFrom`, with the same reader as the command
   * line's `status` and the deployed API (`readDeploymentState`). Stand-ins: a Region's
   * "Region impaired" alarm is in ALARM while the Region is impaired; its readiness is
   * evaluated with the real pre-flights every 15 seconds (every 30 minutes when deployed),
   * and not again while the Region is impaired, whose schedule would not run.
   */
  public async state(readFrom: string): Promise<DeploymentState> {
    const documents = RUNBOOK_NAMES.map((r) => this.runbooks.documentName(r));
    return readDeploymentState({
      topology: this.topology,
      cloud: () => this.cloud,
      runningExecutions: async (r) => this.runbooks.running(r, documents),
      endedExecutions: async (r) => this.runbooks.ended(r, documents, LAST_RUNS),
      readiness: (r) => this.readiness(r),
      alarms: async (r) => [{ name: this.impairedAlarmName(r), state: this.down.has(r) ? 'ALARM' : 'OK' }],
    }, readFrom);
  }

  private readiness(region: string): Promise<ReadinessEvaluation | undefined> {
    const last = this.evaluations.get(region);
    if (this.down.has(region) || (last && Date.now() - last.at < 15_000)) return last?.value ?? Promise.resolve(undefined);
    // The rebuild needs a cluster spec to create a cluster from, which the local Regions do not have: it is not rehearsed.
    const value = evaluateReadiness({ cloud: this.cloud, topology: this.topology, localRegion: region }).then((e) => {
      const runbooks = e.runbooks.filter((r) => r.runbook !== 'rebuild');
      return { ...e, runbooks, ready: runbooks.every((r) => r.ready) };
    });
    this.evaluations.set(region, { value, at: Date.now() });
    return value;
  }

  /** Takes `region` down: its server stops at once and its API stops answering. */
  public impair(region: string): void {
    this.regions.server(region);
    this.down.add(region);
    this.regions.impair(region);
  }

  /** Brings `region` back ({@link LocalCloud.restore}) and its API with it. */
  public async restore(region: string): Promise<void> {
    await this.cloud.restore(region);
    this.down.delete(region);
  }

  /** Every Region's state. */
  public async describe(): Promise<RegionView[]> {
    const states = await this.regions.describe();
    const writer = await this.cloud.writerEndpoint();
    const routed = this.routed();
    return Promise.all(this.topology.regions.map(async (r): Promise<RegionView> => {
      const s = states.find((x) => x.region === r.region)!;
      const lag = writer?.region === r.region ? undefined : await this.cloud.lastRpoLag(r.clusterIdentifier, 10_000);
      return {
        region: r.region,
        impaired: this.down.has(r.region) || !s.reachable,
        writer: writer?.region === r.region,
        detached: this.cloud.isDetached(r.region),
        routed: routed.includes(r.region),
        streaming: s.streaming,
        ...(lag ? { lagMs: lag.valueMs } : {}),
      };
    }));
  }

  /** Stops the runbook runs and the metric, closes the connections, stops the servers and removes their folder. */
  public async stop(): Promise<void> {
    this.cloud.halt();
    await this.runbooks.stop();
    await this.cloud.settled();
    await this.cloud.stopMetrics();
    await Promise.all([...this.databases.values()].map((db) => db.close().catch(() => undefined)));
    await this.regions.stop();
  }
}
