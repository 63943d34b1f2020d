/**
 * The model the invariant tests run the runbooks in: a {@link FakeCloud} with data
 * tracking, up to three runs started in different Regions, and random schedules of
 * their steps interleaved with application writes, replication, time, faults and
 * Regions going dark. `invariants.test.ts` states the invariants it checks.
 */
import * as fc from 'fast-check';
import { FakeCloud, Operation, specOf, topologyOf } from './fake-cloud';
import { RunbookRegion } from '../../src/ssm/cloud-operations';
import { RunbookName, RunbookReport, RunbookRun } from '../../src/ssm/runbooks';
import { runbookDocumentName } from '../../src/ssm/topology';

const ALL_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const RUNBOOK: RunbookName[] = ['switchover', 'failover', 'failback', 'rebuild'];
/** With active/active routing, the runbooks that take a Region out of service and put it back too. */
const ACTIVE_ACTIVE_RUNBOOK: RunbookName[] = [...RUNBOOK, 'evacuate', 'restore'];
export const FAULT_OPS: Operation[] = [
  'describe', 'switchover', 'failover', 'detach', 'describeCluster', 'keyState', 'addInstance', 'rpoLag', 'secret', 'executions',
  'remove', 'deleteGlobal', 'createGlobal', 'deleteInstance', 'deleteCluster', 'createCluster',
];
const FAULTS = ['ThrottlingException', 'InternalFailure', 'TimeoutError', 'AccessDeniedException', 'InvalidGlobalClusterStateFault', 'InvalidDBClusterStateFault'];
const MAX_RPO_LAG_MS = 3000;

export type Action =
  | { kind: 'start'; run: number }
  | { kind: 'step'; run: number }
  | { kind: 'write'; count: number }
  | { kind: 'replicate' }
  | { kind: 'tick'; ms: number }
  | { kind: 'fault'; op: Operation; error: string; times: number }
  | { kind: 'dark'; region: number; dark: boolean }
  | { kind: 'arcDown'; endpoint: number };

interface RunSpec {
  readonly runbook: RunbookName;
  readonly target: number;
  readonly allowDetach: boolean;
  /** Started when the run before it ends (else only by a `start` action, perhaps while the other runs). */
  readonly afterPrevious: boolean;
}

export interface Scenario {
  readonly regions: number;
  /** Every Region On at the start, and the runbooks act on active/active routing (secondaries serve and forward writes). */
  readonly activeActive?: boolean;
  /** Start after an earlier failover detached and promoted Region 1 (it serves; the global database is stale). */
  readonly startDetached?: boolean;
  readonly transitionPolls: number;
  readonly rejoinPolls: number;
  readonly runs: RunSpec[];
  readonly actions: Action[];
}

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('start' as const), run: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 14, arbitrary: fc.record({ kind: fc.constant('step' as const), run: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('write' as const), count: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'replicate' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 500, max: 5000 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('fault' as const), op: fc.constantFrom(...FAULT_OPS), error: fc.constantFrom(...FAULTS), times: fc.integer({ min: 1, max: 8 }),
    }),
  },
  // The faults that lead a failover towards a detach: the global database refusing or not answering.
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('fault' as const),
      op: fc.constantFrom<Operation>('failover', 'describe'),
      error: fc.constantFrom('InvalidGlobalClusterStateFault', 'TimeoutError'),
      times: fc.integer({ min: 4, max: 12 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dark' as const), region: fc.integer({ min: 0, max: 2 }), dark: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('arcDown' as const), endpoint: fc.integer({ min: 0, max: 4 }) }) },
);

export const scenario: fc.Arbitrary<Scenario> = fc.record({
  regions: fc.integer({ min: 2, max: 3 }),
  activeActive: fc.boolean(),
  startDetached: fc.boolean(),
  transitionPolls: fc.integer({ min: 1, max: 3 }),
  rejoinPolls: fc.integer({ min: 1, max: 4 }),
  // The first run moves away from the initial writer (Region 0); the others go anywhere.
  runs: fc.tuple(
    fc.record({ runbook: fc.constantFrom<RunbookName>('switchover', 'failover'), target: fc.integer({ min: 1, max: 2 }), allowDetach: fc.boolean(), afterPrevious: fc.constant(false) }),
    fc.array(fc.record({
      runbook: fc.constantFrom(...RUNBOOK), target: fc.integer({ min: 0, max: 2 }), allowDetach: fc.boolean(), afterPrevious: fc.boolean(),
    }), { maxLength: 2 }),
  ).map(([first, rest]) => [first, ...rest]),
  actions: fc.array(action, { minLength: 5, maxLength: 90 }),
}).chain((s) => (s.startDetached
  // After a detach the first run goes anywhere: a rebuild, a refused failback, a refused failover...
  ? fc.tuple(fc.constantFrom(...RUNBOOK), fc.integer({ min: 0, max: 2 }))
    .map(([runbook, target]) => ({ ...s, runs: [{ ...s.runs[0], runbook, target }, ...s.runs.slice(1)] }))
  : fc.constant(s))).chain((s) => (s.activeActive
  // Active/active: the first run may also take the writer's Region out, and the others may evacuate or restore anything.
  ? fc.tuple(
    fc.constantFrom<RunbookName>('switchover', 'failover', 'evacuate'),
    fc.array(fc.constantFrom(...ACTIVE_ACTIVE_RUNBOOK), { minLength: s.runs.length - 1, maxLength: s.runs.length - 1 }),
  ).map(([first, rest]) => ({
    ...s,
    runs: s.runs.map((r, i) => (i === 0
      ? { ...r, runbook: s.startDetached ? r.runbook : first, target: !s.startDetached && first === 'evacuate' ? 0 : r.target }
      // A restore puts back a Region the first run took out of service: the one evacuated, or one a failover left.
      : rest[i - 1] === 'restore' && !s.startDetached
        ? { ...r, runbook: rest[i - 1], target: first === 'evacuate' ? 0 : s.runs[0].target + 1, afterPrevious: true }
        : { ...r, runbook: rest[i - 1] })),
  }))
  : fc.constant(s)));

/** One run of the scenario: the runbook run, its execution in the fake SSM, and what it changed. */
interface Live {
  readonly index: number;
  readonly spec: RunSpec;
  readonly region: string;
  readonly run: RunbookRun;
  readonly execution: ReturnType<FakeCloud['startExecution']>;
  changes: number;
  /** The action index of its last change (for the dark Regions), and a sequence number that orders every change. */
  lastChangeAt?: number;
  lastChangeSeq?: number;
}

/** Everything a scenario run produces, for the invariant checks and the failure message. */
export class World {
  public readonly cloud: FakeCloud;
  public readonly regions: string[];
  public readonly topology;
  public readonly live: (Live | undefined)[] = [];
  public readonly acked: number[] = [];
  public readonly lost = new Set<number>();
  public readonly log: string[] = [];
  public readonly violations: Error[] = [];
  /** Per Region, the action indexes at which it went dark. */
  public readonly darkAt = new Map<string, number[]>();
  public stepping?: Live;
  public at = 0;
  private changeSeq = 0;
  private nextWrite = 1;

  constructor(private readonly s: Scenario) {
    this.regions = ALL_REGIONS.slice(0, s.regions);
    this.cloud = new FakeCloud(this.regions[0], this.regions);
    this.cloud.trackData = true;
    this.cloud.transitionPolls = s.transitionPolls;
    this.cloud.rejoinPolls = s.rejoinPolls;
    this.topology = { ...topologyOf(this.regions), ...(s.activeActive ? { activeActive: true } : {}) };
    if (s.activeActive) for (const r of this.topology.regions) this.cloud.routing.states.set(r.routingControlArn, 'On');
    this.cloud.beforeChange = (op, arg) => this.checkChange(op, arg);
    this.cloud.onComplete = (kind, to) => this.promoted(kind, to);
    const update = this.cloud.routing.updateRoutingControlStates.bind(this.cloud.routing);
    this.cloud.routing.updateRoutingControlStates = async (ep, entries) => {
      await update(ep, entries);
      this.changed('routing', entries.filter((e) => e.state === 'On').map((e) => e.routingControlArn.split('/').pop()).join(','));
    };
  }

  /**
   * Records a broken invariant and throws. The record matters: a check made inside a fake
   * AWS call throws into the code under test, which may catch it as a failed call.
   */
  public fail(message: string): never {
    const error = new Error(`${message}\n  after: ${this.log.slice(-25).join('\n    ')}`);
    this.violations.push(error);
    throw error;
  }

  /** Throws the first invariant broken so far, wherever it was noticed. */
  public assertNoViolation(): void {
    if (this.violations.length > 0) throw this.violations[0];
  }

  public async perform(a: Action): Promise<void> {
    this.log.push(`${this.at}: ${JSON.stringify(a)}`);
    switch (a.kind) {
      case 'start': return this.start(a.run);
      case 'step': return this.step(a.run);
      case 'write': {
        for (let i = 0; i < a.count; i++) this.write();
        return;
      }
      case 'replicate': return this.cloud.replicate();
      case 'tick': return this.cloud.advance(a.ms);
      case 'fault': {
        this.cloud.fail(a.op, `${a.error}: injected`, a.times);
        return;
      }
      case 'dark': {
        const region = this.regions[a.region % this.regions.length];
        if (a.dark && !this.cloud.dark.has(region)) this.darkAt.set(region, [...(this.darkAt.get(region) ?? []), this.at]);
        return this.cloud.setDark(region, a.dark);
      }
      case 'arcDown': {
        this.cloud.routing.failOn(['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-2'][a.endpoint]);
        return;
      }
    }
  }

  /** The state an earlier failover with AllowDetach left: Region 1 detached, promoted and serving, with writes of its own. */
  public async detachedBefore(): Promise<void> {
    const promoted = this.topology.regions[1];
    const check = this.cloud.beforeChange;
    this.cloud.beforeChange = undefined;
    this.write();
    this.cloud.replicate();
    this.write();
    await this.cloud.detachFromGlobalCluster('orders', promoted.clusterArn);
    for (let i = 0; i < this.s.transitionPolls; i++) this.cloud.advance(1000);
    // As the failover left it, in either routing mode: the promoted Region alone in service.
    for (const r of this.topology.regions) this.cloud.routing.states.set(r.routingControlArn, r === promoted ? 'On' : 'Off');
    this.write();
    this.cloud.beforeChange = check;
    this.log.push('set up: us-west-2 detached, promoted and routed');
  }

  public start(i: number): void {
    const spec = this.s.runs[i];
    if (!spec || this.live[i]) return;
    const target = this.regions[spec.target % this.regions.length];
    // An evacuation runs in another Region (the next one); every other runbook in the Region it activates.
    const region = spec.runbook === 'evacuate' ? this.regions[(spec.target + 1) % this.regions.length] : target;
    const execution = this.cloud.startExecution(region, runbookDocumentName('orders', spec.runbook), `run-${i}`);
    const run = new RunbookRun(spec.runbook, this.cloud.from(region), { ...this.topology, localClusterSpec: specOf(region) }, {
      targetRegion: target,
      localRegion: region,
      executionId: execution.executionId,
      allowDataLoss: true,
      allowDetach: spec.allowDetach,
      maxRpoLagMs: MAX_RPO_LAG_MS,
      pollWindowMs: 0,
      pollIntervalMs: 1000,
      timeoutMs: 120_000,
      retryBudgetMs: 4000,
    });
    this.live[i] = { index: i, spec, region, run, execution, changes: 0 };
  }

  public async step(i: number): Promise<void> {
    const live = this.live[i];
    if (!live || live.run.done) return;
    live.execution.currentStep = live.run.currentStep!.name;
    this.stepping = live;
    try {
      await live.run.step();
    } finally {
      this.stepping = undefined;
    }
    if (live.run.done) {
      live.execution.ended = true;
      const r = live.run.report();
      this.log.push(`   run-${i} ${live.spec.runbook} to ${live.region}: ${r.outcome}${r.reason ? `: ${r.reason.slice(0, 160)}` : ''}`);
      if (this.s.runs[i + 1]?.afterPrevious) this.start(i + 1);
    }
  }

  /** The application writes once through every routed Region whose cluster takes writes. */
  public write(): void {
    for (const r of this.routed()) {
      const into = this.takesWritesFor(r);
      if (!into) continue;
      this.checkHoldsTheData(into, into === r ? 'a write was about to be acknowledged by' : `a write forwarded from ${r.region} was about to be acknowledged by`);
      const id = this.nextWrite++;
      this.cloud.logs.get(into.clusterArn)!.push(id);
      this.acked.push(id);
    }
  }

  /**
   * Where a write through `r` lands: `r` when its cluster takes writes; with active/active
   * routing, a secondary member forwards it to the global database's writer when that one
   * takes writes (global write forwarding); undefined when the write fails.
   */
  public takesWritesFor(r: RunbookRegion): RunbookRegion | undefined {
    if (this.cloud.writable(r.clusterArn)) return r;
    if (!this.s.activeActive || this.cloud.dark.has(r.region) || !this.cloud.members.some((m) => m.clusterArn === r.clusterArn)) return undefined;
    const writer = this.topology.regions.find((x) => x.clusterArn === this.cloud.writer());
    return writer && this.cloud.writable(writer.clusterArn) ? writer : undefined;
  }

  public routed(): RunbookRegion[] {
    return this.topology.regions.filter((r) => this.cloud.routing.states.get(r.routingControlArn) === 'On');
  }

  /** I1: a routed cluster that takes writes holds every acknowledged write that was not declared lost. */
  public checkHoldsTheData(r: RunbookRegion, what = 'routing goes to'): void {
    const has = new Set(this.cloud.logs.get(r.clusterArn));
    const missing = this.acked.filter((w) => !this.lost.has(w) && !has.has(w));
    if (missing.length > 0) this.fail(`I1: ${what} ${r.region}, a writable copy missing acknowledged writes ${missing.slice(0, 5).join(',')}`);
  }

  public checkState(): void {
    for (const r of this.routed()) if (this.cloud.writable(r.clusterArn)) this.checkHoldsTheData(r);
    if (this.s.activeActive) this.checkNoStaleMemberRouted();
  }

  /**
   * I1 with active/active routing: once a detached copy holds acknowledged writes the
   * global database lacks, no member of the global database serves (its reads are of a
   * past the application has left, and its forwarded writes would land on a stale writer).
   */
  private checkNoStaleMemberRouted(): void {
    const members = new Set(this.cloud.members.map((m) => m.clusterArn));
    const inGlobal = new Set(this.cloud.members.flatMap((m) => this.cloud.logs.get(m.clusterArn) ?? []));
    const outside = this.topology.regions.filter((r) => !members.has(r.clusterArn)).flatMap((r) => this.cloud.logs.get(r.clusterArn) ?? []);
    const onlyOutside = outside.filter((w) => this.acked.includes(w) && !this.lost.has(w) && !inGlobal.has(w));
    if (onlyOutside.length === 0) return;
    const stale = this.routed().filter((r) => members.has(r.clusterArn));
    if (stale.length > 0) {
      this.fail(`I1: routing goes to ${stale.map((r) => r.region).join(', ')}, member(s) of a global database that lacks acknowledged writes ` +
        `${onlyOutside.slice(0, 5).join(',')} held by a detached copy`);
    }
  }

  public done(): boolean {
    return this.live.every((l) => !l || l.run.done);
  }

  /** A promotion with data loss (failover) or on its own (detach): writes the promoted cluster lacks are declared lost. */
  private promoted(kind: string, to: string): void {
    if (kind !== 'failover' && kind !== 'detach') return;
    const has = new Set(this.cloud.logs.get(to));
    for (const w of this.acked) if (!has.has(w)) this.lost.add(w);
  }

  private checkChange(op: Operation, arg: string): void {
    const live = this.stepping;
    if (!live) this.fail(`${op} of ${arg} outside any run step`);
    if (op === 'detach') {
      // I2
      if (!live.spec.allowDetach) this.fail(`I2: run-${live.index} detached ${arg} without AllowDetach`);
      if (this.cloud.failoverState) this.fail(`I2: run-${live.index} detached ${arg} while ${this.cloud.failoverState.status} was in progress`);
    }
    if (op === 'switchover') {
      // I3
      const member = this.cloud.members.find((m) => m.clusterArn === arg);
      const writer = this.cloud.writer();
      if (!member || member.isWriter || member.synchronizationStatus !== 'connected' || !writer) {
        this.fail(`I3: switchover to ${arg}, not a connected secondary (${JSON.stringify(member)})`);
      }
      const [w, t] = [this.cloud.logs.get(writer)!, this.cloud.logs.get(arg)!];
      if (t.some((x, i) => w[i] !== x) || (w.length - t.length) * 1000 > MAX_RPO_LAG_MS) {
        this.fail(`I3: switchover to ${arg}, which is not caught up with the writer (${t.length} of ${w.length} writes)`);
      }
    }
    if (op === 'remove' || op === 'deleteCluster' || op === 'deleteInstance') {
      // The rebuild: only a cluster that serves no traffic, outside the data's lineage, is removed or deleted.
      const routed = this.routed();
      if (routed.some((r) => r.clusterArn === arg)) this.fail(`rebuild: ${op} of ${arg}, which serves traffic`);
      const routedWriter = routed.some((r) => this.cloud.members.some((m) => m.clusterArn === r.clusterArn && m.isWriter));
      if (routedWriter && this.cloud.members.some((m) => m.clusterArn === arg)) {
        this.fail(`rebuild: ${op} of ${arg}, a member of the global database whose writer serves traffic`);
      }
    }
    if (op === 'createGlobal' && !this.routed().some((r) => r.clusterArn === arg)) this.fail(`rebuild: global database re-created from ${arg}, which serves no traffic`);
    this.changed(op, arg);
  }

  /** I4: no change while another run that changed something is under way, unless its Region went dark since. */
  private changed(op: string, arg: string): void {
    const live = this.stepping;
    if (!live) this.fail(`${op} ${arg} outside any run step`);
    for (const other of this.live) {
      if (!other || other === live || other.run.done || other.changes === 0) continue;
      const wentDark = (this.darkAt.get(other.region) ?? []).some((t) => t >= other.lastChangeAt!);
      if (!wentDark) this.fail(`I4: run-${live.index} made a change (${op} ${arg}) while run-${other.index}, which changed something, is under way`);
    }
    live.changes++;
    live.lastChangeAt = this.at;
    live.lastChangeSeq = ++this.changeSeq;
    this.log.push(`   run-${live.index} changed: ${op} ${arg}`);
  }
}

export async function play(s: Scenario): Promise<World> {
  const world = new World(s);
  if (s.startDetached) await world.detachedBefore();
  world.start(0);
  for (const a of s.actions) {
    await world.perform(a);
    world.assertNoViolation();
    world.checkState();
    world.at++;
  }
  // The outage ends: every Region answers again, and the runs under way go on to their end.
  for (const r of world.regions) world.cloud.setDark(r, false);
  world.cloud.routing.recover('us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-2');
  for (let i = 0; i < 600 && !world.done(); i++) {
    await world.step(i % 3);
    world.cloud.advance(1000);
    if (i % 3 === 0) world.cloud.replicate();
    world.write();
    world.assertNoViolation();
    world.checkState();
  }
  if (!world.done()) world.fail('the runs did not end');
  return world;
}

/** I5: when a run left traffic on a cluster that takes no writes, starting it again without faults finishes it. */
export async function convergence(world: World): Promise<void> {
  const cloud = world.cloud;
  for (let i = 0; i < 20; i++) {
    cloud.advance(1000);
    cloud.replicate();
  }
  const activeActive = world.topology.activeActive === true;
  // Active/active: stuck when no Region in service can take a write, even forwarded; otherwise, when one cannot.
  const stuck = activeActive
    ? (world.routed().some((r) => world.takesWritesFor(r)) ? [] : world.routed())
    : world.routed().filter((r) => !cloud.writable(r.clusterArn));
  if (stuck.length === 0) return;
  // The run to start again: the last that changed something and can move the writer (a restore cannot).
  const last = world.live.filter((l): l is Live => l !== undefined && l.changes > 0 && l.spec.runbook !== 'restore')
    .sort((a, b) => b.lastChangeSeq! - a.lastChangeSeq!)[0];
  if (!last) world.fail(`traffic goes to ${stuck.map((r) => r.region).join(', ')}, which takes no writes, and no run changed anything`);
  // Clear every fault: calls answer again.
  for (const op of FAULT_OPS) cloud.fail(op, 'none', 0);
  const execution = cloud.startExecution(last.region, runbookDocumentName('orders', last.spec.runbook), 'rerun');
  const lastTarget = world.regions[last.spec.target % world.regions.length];
  const rerun = new RunbookRun(last.spec.runbook, cloud.from(last.region), world.topology, {
    targetRegion: lastTarget,
    localRegion: last.region,
    executionId: execution.executionId,
    allowDataLoss: true,
    allowDetach: last.spec.allowDetach,
    maxRpoLagMs: MAX_RPO_LAG_MS,
    pollIntervalMs: 1000,
    timeoutMs: 600_000,
  });
  world.stepping = { index: 9, spec: last.spec, region: last.region, run: rerun, execution, changes: 0 };
  while (!rerun.done) await rerun.step();
  world.assertNoViolation();
  const report: RunbookReport = rerun.report();
  const target = world.topology.regions.find((r) => r.region === last.region)!;
  const finished = activeActive
    ? report.outcome === 'succeeded' && world.routed().some((r) => world.takesWritesFor(r))
    : report.outcome === 'succeeded' && cloud.writable(target.clusterArn) && world.routed().every((r) => r === target);
  if (!finished) {
    world.fail(`I5: run-${last.index} (${last.spec.runbook} to ${last.region}) left traffic on ${stuck.map((r) => r.region).join(', ')}, ` +
      `and running it again gave ${report.outcome}: ${report.reason}`);
  }
}

