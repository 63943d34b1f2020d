/**
 * `npm run drill`: the failover rehearsal, measured. Each scenario starts its own
 * replicating PostgreSQL Regions ({@link Rehearsal}), writes through the remittance API
 * the whole time (every acknowledged write recorded by its id), runs the real runbooks,
 * then reads the new writer and counts:
 *
 * - acknowledged writes missing from the writer (lost) and rows written twice;
 * - the write gap: the longest time without an acknowledged write;
 * - the runbook's reported recovery time and data-loss window next to the measured loss.
 *
 * It prints one table, writes it to `benchmarks/recovery.md` and docs/performance.md, and exits 1 when an invariant is breached (an acknowledged write
 * lost in a switchover or a failback, traffic routed to a Region that is not the writer,
 * a reported data-loss window that does not cover the measured loss, a run that should
 * have been refused and was not), never because of a time.
 *
 *   npm run drill -- [--seed N] [--repeat N] [--no-write]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OPERATORS_GROUP, Rehearsal, RehearsalOptions } from './rehearsal';
import { POLL_INTERVAL_MS } from '../../../src/ssm/runbook-steps';
import { RunbookReport } from '../../../src/ssm/runbooks';
import { ApiEvent } from '../api/remittances';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const EU = 'eu-west-1';
/** The switchover threshold the lag scenario runs with (the runbooks' MaxRpoLagMs). */
const LAG_THRESHOLD_MS = 2_000;
const ROOT = path.join(__dirname, '..', '..', '..');

/** A small seeded generator (Park and Miller's minimal standard): the same seed, the same choices. */
export function seeded(seed: number): () => number {
  const modulus = 2_147_483_647;
  let state = seed % modulus || 1;
  return () => {
    state = (state * 48_271) % modulus;
    return (state - 1) / (modulus - 1);
  };
}

/**
 * An acknowledged write: the API answered 201. `sentAt` is when the request was made
 * (before the commit), `at` when the answer came (after it).
 */
interface Ack { readonly key: string; readonly sentAt: number; readonly at: number }

/**
 * Writes remittances through the API, one at a time per execution environment, and
 * records every acknowledged one by a key it puts in the note.
 */
export class WriteLoad {
  /** Stops every load still running (a scenario that threw leaves its load behind). */
  public static async stopAll(): Promise<void> {
    await Promise.all([...WriteLoad.active].map((l) => l.stop()));
  }

  private static readonly active = new Set<WriteLoad>();

  public readonly acks: Ack[] = [];
  public attempts = 0;
  public refusals = 0;
  private running = false;
  private workers: Promise<void>[] = [];
  private startedAt = 0;
  private stoppedAt = 0;
  private n = 0;

  constructor(private readonly rehearsal: Rehearsal, private readonly label: string, private readonly environments = 2) {}

  public start(): void {
    WriteLoad.active.add(this);
    this.running = true;
    this.startedAt = Date.now();
    this.workers = Array.from({ length: this.environments }, (_, env) => this.work(env));
  }

  public async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await Promise.all(this.workers);
    this.stoppedAt = Date.now();
    WriteLoad.active.delete(this);
  }

  /** The longest time without an acknowledged write, from the start to the stop of the load. */
  public gapMs(): number {
    const times = [this.startedAt, ...this.acks.map((a) => a.at).sort((a, b) => a - b), this.stoppedAt];
    return Math.max(...times.slice(1).map((t, i) => t - times[i]));
  }

  private async work(environment: number): Promise<void> {
    while (this.running) {
      const key = `${this.label}-${this.n++}`;
      this.attempts++;
      const event: ApiEvent = {
        httpMethod: 'POST',
        path: '/api/remittances',
        body: JSON.stringify({ sender: 'drill', recipient: 'load', amount: '1.00', currency: 'EUR', note: key }),
        requestContext: { authorizer: { claims: { 'sub': 'drill', 'email': 'drill@example.com', 'cognito:groups': OPERATORS_GROUP } } },
      };
      const sentAt = Date.now();
      const result = await this.rehearsal.request(event, { environment }).catch(() => ({ statusCode: 599 }));
      if (result.statusCode === 201) {
        this.acks.push({ key, sentAt, at: Date.now() });
      } else {
        this.refusals++;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
}

/** One run of a scenario. */
interface Measured {
  readonly reports: RunbookReport[];
  readonly acked: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly gapMs: number;
  /** Failover: from the first lost write's acknowledgement to the moment the writer's Region was lost. */
  readonly lossSpanMs?: number;
  /** Failover: how far before that moment the reported window reaches (from its data point's time minus the window). */
  readonly coversMs?: number;
  readonly breaches: string[];
  /** Each move of the writer in the run: from the writer settling to a runbook's poll seeing it, in ms. */
  readonly noticeMs?: number[];
}

interface Scenario {
  readonly name: string;
  readonly expected: string;
  readonly regions: string[];
  readonly repeat: boolean;
  run(r: Rehearsal, random: () => number): Promise<Measured>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The notes (write keys) on the global writer, with how many rows each has. */
export async function rowsOnWriter(r: Rehearsal): Promise<Map<string, number>> {
  const writer = await r.cloud.writerEndpoint();
  if (!writer) throw new Error('no Region takes writes after the scenario');
  const rows = await r.regions.query<{ note: string; n: string }>(writer.region, "SELECT note, count(*)::text AS n FROM remittances WHERE sender = 'drill' GROUP BY note");
  return new Map(rows.map((x) => [x.note, Number(x.n)]));
}

/** Waits until the move under way and the runs have ended, and the writer is known. */
async function settle(r: Rehearsal): Promise<void> {
  await r.runbooks.settled();
  await r.cloud.settled();
}

/**
 * The checks every scenario ends with: the Region routed On is the writer (or the
 * detached copy that took over), no row written twice; the writes that must have
 * survived are on the writer.
 */
async function measure(
  r: Rehearsal, load: WriteLoad, reports: RunbookReport[], mustSurvive: (a: Ack) => boolean, extra: string[] = [],
): Promise<Measured & { missing: Ack[] }> {
  await settle(r);
  const rows = await rowsOnWriter(r);
  const missing = load.acks.filter((a) => !rows.has(a.key));
  const duplicates = [...rows.values()].filter((n) => n > 1).length;
  const breaches = [...extra];
  const views = await r.describe();
  const routed = views.filter((v) => v.routed);
  const serving = views.filter((v) => (v.writer || v.detached) && !v.impaired).map((v) => v.region);
  if (routed.length !== 1 || !serving.includes(routed[0].region)) {
    breaches.push(`traffic routed to ${routed.map((v) => v.region).join(', ') || 'no Region'}, but the writer is ${serving.join(', ') || 'none'}`);
  }
  const lostThatMustNot = missing.filter(mustSurvive);
  if (lostThatMustNot.length > 0) breaches.push(`${lostThatMustNot.length} acknowledged write(s) lost, e.g. ${lostThatMustNot[0].key}`);
  if (duplicates > 0) breaches.push(`${duplicates} write(s) stored twice`);
  return { reports, acked: load.acks.length, lost: missing.length, duplicates, gapMs: load.gapMs(), breaches, missing };
}

function expectOutcome(report: RunbookReport, outcome: RunbookReport['outcome'], breaches: string[], reason?: RegExp): void {
  if (report.outcome !== outcome || (reason && !reason.test(report.reason ?? ''))) {
    breaches.push(`${report.runbook} to ${report.targetRegion} ${report.outcome}${report.reason ? ` (${report.reason})` : ''}; expected ${outcome}${reason ? ` matching ${reason}` : ''}`);
  }
}

/** Writes under load for `ms` (a random part of it, seeded). */
async function loadFor(ms: number, random: () => number): Promise<void> {
  await pause(ms * (0.75 + random() / 2));
}

/**
 * Impairs `from` under load and fails over to `to`. `lostAt` is when the Region was lost;
 * a request made after `lostEnd` (its server certainly stopped) can only have committed
 * on the new writer: it must survive.
 */
async function failOver(r: Rehearsal, from: string, to: string, random: () => number, extra: object = {}, loadMs = 1_500) {
  if (loadMs > 0) await loadFor(loadMs, random);
  const lostAt = Date.now();
  r.impair(from);
  const lostEnd = Date.now();
  const id = r.runbooks.start(to, 'failover', { allowDataLoss: true, ...extra });
  const report = await r.runbooks.report(id);
  await settle(r);
  return { report, lostAt, lostEnd };
}

/**
 * The failover's promise: the writes that may be lost are those committed after
 * `dataLossMeasuredAt - dataLossWindowMs` (the lag data point's time minus its value). A
 * lost write acknowledged before that (so committed before it) breaches it. The client
 * sees the acknowledgement a request's latency after the commit, so a write committed
 * just before that time and acknowledged after it goes unflagged: the check can miss a
 * breach by about a millisecond here, never report one that did not happen.
 */
function coverage(report: RunbookReport, missing: Ack[], lostAt: number): { lossSpanMs?: number; coversMs?: number; breaches: string[] } {
  const measured = report.dataLossWindowMs !== undefined && report.dataLossMeasuredAt !== undefined;
  const from = measured ? report.dataLossMeasuredAt! - report.dataLossWindowMs! : undefined;
  const coversMs = from !== undefined ? lostAt - from : undefined;
  if (missing.length === 0) return { lossSpanMs: 0, coversMs, breaches: [] };
  const earliest = Math.min(...missing.map((a) => a.at));
  const lossSpanMs = Math.max(0, lostAt - earliest);
  if (from === undefined) return { lossSpanMs, breaches: [`${missing.length} write(s) lost and no data-loss window reported`] };
  return earliest < from
    ? { lossSpanMs, coversMs, breaches: [`a write acknowledged ${from - earliest} ms before the reported window (${report.dataLossWindowMs} ms before ${new Date(report.dataLossMeasuredAt!).toISOString()}) was lost`] }
    : { lossSpanMs, coversMs, breaches: [] };
}

/** A switchover to WEST under load, `loadMs` before and after: it must succeed and lose nothing. */
async function switchoverUnderLoad(r: Rehearsal, label: string, random: () => number, loadMs: number): Promise<Measured> {
  const load = new WriteLoad(r, label);
  load.start();
  await loadFor(loadMs, random);
  const report = await r.runbooks.report(r.runbooks.start(WEST, 'switchover'));
  await loadFor(loadMs, random);
  await load.stop();
  const breaches: string[] = [];
  expectOutcome(report, 'succeeded', breaches);
  return measure(r, load, [report], () => true, breaches);
}

/**
 * The end of a failover scenario: a second more of load, then the checks of a failover
 * (it succeeded, every write requested after the loss survived, the window covers the loss).
 */
async function failoverMeasured(
  r: Rehearsal, load: WriteLoad, failover: { report: RunbookReport; lostAt: number; lostEnd: number }, random: () => number,
): Promise<Measured> {
  const { report, lostAt, lostEnd } = failover;
  await loadFor(1_000, random);
  await load.stop();
  const breaches: string[] = [];
  expectOutcome(report, 'succeeded', breaches);
  const m = await measure(r, load, [report], (a) => a.sentAt > lostEnd, breaches);
  const c = coverage(report, m.missing, lostAt);
  return { ...m, lossSpanMs: c.lossSpanMs, coversMs: c.coversMs, breaches: [...m.breaches, ...c.breaches] };
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'switchover',
    expected: 'succeeds, 0 lost',
    regions: [EAST, WEST],
    repeat: true,
    run: (r, random) => switchoverUnderLoad(r, 'switchover', random, 1_500),
  },
  {
    name: 'failover, writer killed under load',
    expected: 'succeeds; window covers the loss',
    regions: [EAST, WEST],
    repeat: true,
    async run(r, random) {
      const load = new WriteLoad(r, 'failover');
      load.start();
      return failoverMeasured(r, load, await failOver(r, EAST, WEST, random), random);
    },
  },
  {
    name: 'failover, link cut 1 s before the Region is lost',
    expected: 'succeeds; window covers the loss',
    regions: [EAST, WEST],
    repeat: true,
    async run(r, random) {
      const load = new WriteLoad(r, 'cut');
      load.start();
      await loadFor(1_000, random);
      // The secondary stops receiving: the writes after this are not replicated.
      await r.regions.disconnect(WEST);
      await pause(1_000);
      return failoverMeasured(r, load, await failOver(r, EAST, WEST, random, {}, 0), random);
    },
  },
  {
    name: 'failback after rejoin',
    expected: 'succeeds, 0 lost in the failback',
    regions: [EAST, WEST],
    repeat: true,
    async run(r, random) {
      const load = new WriteLoad(r, 'failback');
      load.start();
      const failover = await failOver(r, EAST, WEST, random);
      await r.restore(EAST);
      await loadFor(1_000, random);
      // Every write the new writer has now, and every one requested from here on, must survive the failback.
      const kept = new Set((await rowsOnWriter(r)).keys());
      const since = Date.now();
      const report = await r.runbooks.report(r.runbooks.start(EAST, 'failback'));
      await loadFor(1_000, random);
      await load.stop();
      const breaches: string[] = [];
      expectOutcome(failover.report, 'succeeded', breaches);
      expectOutcome(report, 'succeeded', breaches);
      const m = await measure(r, load, [report], (a) => kept.has(a.key) || a.sentAt > since, breaches);
      if ((await r.cloud.writerEndpoint())?.region !== EAST) m.breaches.push(`the writer is not ${EAST} after the failback`);
      return { ...m, lost: m.missing.filter((a) => kept.has(a.key) || a.sentAt > since).length };
    },
  },
  {
    name: 'failback after a detach',
    expected: 'refused, nothing changed',
    regions: [EAST, WEST],
    repeat: false,
    async run(r, random) {
      const load = new WriteLoad(r, 'detach');
      load.start();
      // The RDS API does not answer either: the failover detaches the target to promote it.
      r.cloud.rdsUnreachable = true;
      const failover = await failOver(r, EAST, WEST, random, { allowDetach: true, retryBudgetMs: 1_500 });
      r.cloud.rdsUnreachable = false;
      await r.restore(EAST);
      // Who writes, who is detached, who is routed: the lag moves on by itself.
      const standing = async () => JSON.stringify((await r.describe()).map((v) => [v.region, v.impaired, v.writer, v.detached, v.routed]));
      const before = await standing();
      const report = await r.runbooks.report(r.runbooks.start(EAST, 'failback'));
      await load.stop();
      const breaches: string[] = [];
      expectOutcome(failover.report, 'succeeded', breaches);
      if (!r.cloud.isDetached(WEST)) breaches.push(`${WEST} was not detached`);
      expectOutcome(report, 'refused', breaches, /detach/);
      const after = await standing();
      if (after !== before) breaches.push(`the refused failback changed the Regions: ${before} became ${after}`);
      const routed = r.routed();
      if (routed.join() !== WEST) breaches.push(`traffic routed to ${routed.join(', ')} after the refused failback, not to the detached ${WEST}`);
      // The writes are split between two writers now: not counted; what counts is that nothing moved.
      return { reports: [failover.report, report], acked: load.acks.length, lost: NaN, duplicates: NaN, gapMs: load.gapMs(), breaches };
    },
  },
  {
    name: 'two failovers at once, from two Regions',
    expected: 'one succeeds, one refused',
    regions: [EAST, WEST, EU],
    repeat: false,
    async run(r, random) {
      const load = new WriteLoad(r, 'concurrent');
      load.start();
      await loadFor(1_500, random);
      const lostAt = Date.now();
      r.impair(EAST);
      const lostEnd = Date.now();
      const order = random() < 0.5 ? [WEST, EU] : [EU, WEST];
      const ids = order.map((region) => r.runbooks.start(region, 'failover', { allowDataLoss: true }));
      const reports = await Promise.all(ids.map((id) => r.runbooks.report(id)));
      await loadFor(1_000, random);
      await load.stop();
      const breaches: string[] = [];
      const outcomes = reports.map((x) => x.outcome).sort();
      if (outcomes.join() !== 'refused,succeeded') breaches.push(`outcomes ${reports.map((x) => `${x.targetRegion} ${x.outcome}`).join(', ')}; expected one succeeded and one refused`);
      const won = reports.find((x) => x.outcome === 'succeeded');
      const m = await measure(r, load, reports, (a) => a.sentAt > lostEnd, breaches);
      if (won && (await r.cloud.writerEndpoint())?.region !== won.targetRegion) m.breaches.push(`the writer is not ${won.targetRegion}, whose failover succeeded`);
      const c = won ? coverage(won, m.missing, lostAt) : { breaches: [] };
      return { ...m, lossSpanMs: c.lossSpanMs, coversMs: c.coversMs, breaches: [...m.breaches, ...c.breaches] };
    },
  },
  {
    name: 'switchover, 2 of 5 ARC endpoints hung',
    expected: 'succeeds, 0 lost',
    regions: [EAST, WEST],
    repeat: false,
    async run(r, random) {
      const endpoints = r.topology.clusterEndpoints.map((e) => e.region);
      const hung = [...endpoints].sort(() => random() - 0.5).slice(0, 2);
      hung.forEach((h) => r.cloud.routing.hung.add(h));
      return switchoverUnderLoad(r, 'hung', random, 1_000);
    },
  },
  {
    name: 'switchover, every ARC endpoint hung',
    expected: 'refused, nothing changed',
    regions: [EAST, WEST],
    repeat: false,
    async run(r, random) {
      r.topology.clusterEndpoints.forEach((e) => r.cloud.routing.hung.add(e.region));
      const load = new WriteLoad(r, 'allhung');
      load.start();
      await loadFor(1_000, random);
      const report = await r.runbooks.report(r.runbooks.start(WEST, 'switchover'));
      await load.stop();
      r.cloud.routing.hung.clear();
      const breaches: string[] = [];
      expectOutcome(report, 'refused', breaches);
      const m = await measure(r, load, [report], () => true, breaches);
      if ((await r.cloud.writerEndpoint())?.region !== EAST) m.breaches.push(`the writer moved to ${WEST} although the switchover was refused`);
      return m;
    },
  },
  {
    name: `switchover, replica lagging past ${LAG_THRESHOLD_MS / 1000} s`,
    expected: 'refused, nothing changed',
    regions: [EAST, WEST],
    repeat: false,
    async run(r, random) {
      const load = new WriteLoad(r, 'lag');
      load.start();
      await r.regions.delayReplay(WEST, LAG_THRESHOLD_MS * 2);
      const westArn = r.topology.regions[1].clusterIdentifier;
      await r.regions.waitUntil(async () => ((await r.cloud.lastRpoLag(westArn, 5_000))?.valueMs ?? 0) > LAG_THRESHOLD_MS, 30_000, `${WEST} to lag past ${LAG_THRESHOLD_MS} ms`);
      await loadFor(500, random);
      const report = await r.runbooks.report(r.runbooks.start(WEST, 'switchover', { maxRpoLagMs: LAG_THRESHOLD_MS }));
      await load.stop();
      await r.regions.delayReplay(WEST, 0);
      const breaches: string[] = [];
      expectOutcome(report, 'refused', breaches, /lag/i);
      const m = await measure(r, load, [report], () => true, breaches);
      if ((await r.cloud.writerEndpoint())?.region !== EAST) m.breaches.push(`the writer moved to ${WEST} although the switchover was refused`);
      return m;
    },
  },
];

/** A scenario's runs, summed up for the table. */
interface Row { readonly scenario: Scenario; readonly runs: Measured[] }

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A sum for the table; `–` when a run did not count it (NaN). */
const total = (values: number[]) => (values.some((v) => Number.isNaN(v)) ? '–' : String(values.reduce((a, b) => a + b, 0)));

function outcomeText(runs: Measured[]): string {
  const counts = new Map<string, number>();
  for (const m of runs) {
    const key = m.reports.map((x) => x.outcome).join(' + ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (runs.length > 1 ? `${n}× ${k}` : k)).join(', ');
}

/** The table, in Markdown. */
export function table(rows: Row[]): string {
  const lines = [
    '| scenario | expected | runs | outcome | acknowledged writes | lost | stored twice | write gap p50 / max | recovery time p50 (report) | ' +
      `writer settled → seen by a wait p50 / max (polls every ${POLL_INTERVAL_MS / 1000} s) | ` +
      'data-loss window (report) | window reaches back / loss reaches back (tightest run) | invariants |',
    '|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const { scenario, runs } of rows) {
    const gaps = runs.map((m) => m.gapMs);
    const rto = runs.flatMap((m) => m.reports.filter((x) => x.recoveryTimeMs !== undefined && x.outcome === 'succeeded').map((x) => x.recoveryTimeMs!));
    const windows = runs.flatMap((m) => m.reports.filter((x) => x.dataLossWindowMs !== undefined && x.outcome === 'succeeded').map((x) => x.dataLossWindowMs!));
    // The run where the reported window's reach came closest to the measured loss.
    const tightest = runs.filter((m) => m.lossSpanMs !== undefined && m.coversMs !== undefined)
      .sort((a, b) => (a.coversMs! - a.lossSpanMs!) - (b.coversMs! - b.lossSpanMs!))[0];
    const breaches = runs.flatMap((m) => m.breaches);
    const notice = runs.flatMap((m) => m.noticeMs ?? []);
    lines.push(`| ${[
      scenario.name,
      scenario.expected,
      runs.length,
      outcomeText(runs),
      runs.map((m) => m.acked).reduce((a, b) => a + b, 0),
      total(runs.map((m) => m.lost)),
      total(runs.map((m) => m.duplicates)),
      `${seconds(median(gaps))} / ${seconds(Math.max(...gaps))}`,
      rto.length > 0 ? seconds(median(rto)) : '–',
      notice.length > 0 ? `${seconds(median(notice))} / ${seconds(Math.max(...notice))}` : '–',
      windows.length === 0 ? '–' : Math.min(...windows) === Math.max(...windows) ? `${windows[0]} ms` : `${Math.min(...windows)}–${Math.max(...windows)} ms`,
      tightest ? `${seconds(tightest.coversMs!)} / ${seconds(tightest.lossSpanMs!)}` : '–',
      breaches.length === 0 ? 'held' : `**BREACHED**: ${breaches.join('; ')}`,
    ].join(' | ')} |`);
  }
  return lines.join('\n');
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

function positiveInteger(name: string, fallback: number): number {
  const text = option(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a whole number of 1 or more, like --${name} ${fallback}; got '${text}'`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const seed = option('seed') !== undefined ? positiveInteger('seed', 1) : Math.floor(Math.random() * 2 ** 31) + 1;
  const repeat = positiveInteger('repeat', 3);
  const write = !process.argv.includes('--no-write');
  const random = seeded(seed);
  console.log(`Failover drill: seed ${seed} (npm run drill -- --seed ${seed} repeats these choices), ${repeat} run(s) of the repeated scenarios`);
  const rows: Row[] = [];
  for (const scenario of SCENARIOS) {
    const runs: Measured[] = [];
    for (let i = 0; i < (scenario.repeat ? repeat : 1); i++) {
      // The waits poll as deployed, so the recovery times include what polling adds.
      const runbooks = { pollIntervalMs: POLL_INTERVAL_MS, timeoutMs: 60_000, retryBudgetMs: 5_000 };
      const options: RehearsalOptions = { regions: scenario.regions, runbooks };
      const rehearsal = await Rehearsal.start(options);
      const started = Date.now();
      // The API logs every request it answers 503 (as the function logs to CloudWatch):
      // counted here, not printed; anything else is printed.
      const logged = { api: 0 };
      const consoleError = console.error;
      console.error = (...args: unknown[]) => {
        if (args.length === 1 && typeof args[0] === 'string' && /^\{"error":/.test(args[0])) logged.api++;
        else consoleError(...args);
      };
      try {
        const m: Measured = {
          ...await scenario.run(rehearsal, random),
          noticeMs: rehearsal.cloud.noticeDelaysMs(),
        };
        runs.push(m);
        const r = m.reports.map((x) => `${x.runbook} to ${x.targetRegion} ${x.outcome}${x.reason ? ` (${x.reason.slice(0, 140)})` : ''}`).join('; ');
        console.log(`  ${scenario.name} #${i + 1}: ${r}; ${m.acked} acknowledged, ${Number.isNaN(m.lost) ? 'not counted' : m.lost} lost, gap ${seconds(m.gapMs)}; ` +
          `${m.breaches.length === 0 ? 'invariants held' : `BREACHED: ${m.breaches.join('; ')}`} (${seconds(Date.now() - started)}; ` +
          `the API answered ${logged.api} request(s) 503 while no writer was reachable)`);
      } catch (e) {
        runs.push({ reports: [], acked: 0, lost: 0, duplicates: 0, gapMs: 0, breaches: [`the scenario failed: ${(e as Error).message}`] });
        console.log(`  ${scenario.name} #${i + 1}: FAILED: ${(e as Error).stack ?? (e as Error).message}`);
      } finally {
        await WriteLoad.stopAll();
        console.error = consoleError;
        await rehearsal.stop();
      }
    }
    rows.push({ scenario, runs });
  }
  const text = table(rows);
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const note = [
    `Seed ${seed}; ${repeat} run(s) of the switchover, failover and failback; machine: ${machine}; ${new Date().toISOString().slice(0, 10)}.`,
    'Times are this machine\'s; the invariants hold or not on any machine. What the columns mean: docs/remittance-example.md, "Rehearsing a failover".',
  ].join(' ');
  console.log(`\n${text}\n\n${note}`);
  if (write) {
    fs.mkdirSync(path.join(ROOT, 'benchmarks'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'benchmarks', 'recovery.md'), `# Failover drill (npm run drill)\n\n${text}\n\n${note}\n`);
    const readme = path.join(ROOT, 'docs', 'performance.md');
    const start = '<!-- drill: benchmarks/recovery.md -->\n';
    const end = '<!-- /drill -->';
    const current = fs.readFileSync(readme, 'utf8');
    const a = current.indexOf(start);
    const b = current.indexOf(end);
    if (a >= 0 && b > a) fs.writeFileSync(readme, `${current.slice(0, a + start.length)}${text}\n\n${note}\n${current.slice(b)}`);
    console.log('Written to benchmarks/recovery.md and docs/performance.md.');
  }
  const breached = rows.flatMap((row) => row.runs.flatMap((m) => m.breaches.map((b) => `${row.scenario.name}: ${b}`)));
  if (breached.length > 0) {
    console.error(`\nINVARIANTS BREACHED (seed ${seed}):\n${breached.map((b) => `- ${b}`).join('\n')}`);
    process.exit(1);
  }
  console.log('Every invariant held.');
}

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(`drill failed: ${e.stack ?? e.message}`);
    process.exit(1);
  });
}
