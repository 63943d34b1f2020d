/**
 * The logic of the switchover, failover and failback runbooks.
 *
 * Each runbook is a list of steps ({@link RUNBOOKS}). A step is a plain function over
 * {@link CloudOperations} that is safe to run again: it re-reads the state it acts on and
 * skips what is already done, so a re-run after a failure at any step converges. The
 * same step functions run in two ways:
 *
 * - in an SSM Automation execution, one Lambda invocation per step (see
 *   `runbook-step.lambda.ts` and `documents.ts`); a wait step polls for at most a few
 *   minutes per invocation and the document loops it until its deadline;
 * - in one process, by {@link runRunbook} (tests, dry runs).
 */
import { CloudOperations, GlobalClusterView, RunbookRegion, RunbookTopology } from './cloud-operations';
import { AllEndpointsFailedError, readStates, RoutingControlState, statesFor, updateStates } from '../arc/routing-states';

/** The three runbooks. */
export type RunbookName = 'switchover' | 'failover' | 'failback';

/** The runbooks, in the order the documents are listed. */
export const RUNBOOK_NAMES: readonly RunbookName[] = ['switchover', 'failover', 'failback'];

/** How a step ended. */
export type StepStatus = 'done' | 'skipped' | 'failed';

/** One step of a run, as recorded. */
export interface StepRecord {
  readonly name: string;
  readonly status: StepStatus;
  readonly durationMs: number;
  readonly detail: string;
}

/** The end-of-run report. */
export interface RunbookReport {
  readonly runbook: RunbookName;
  readonly targetRegion: string;
  readonly outcome: 'succeeded' | 'refused' | 'failed';
  /** Why the run was refused or failed. */
  readonly reason?: string;
  readonly steps: StepRecord[];
  /** From the start of the run until the target was writer and routed, when it got there. */
  readonly recoveryTimeMs?: number;
  /** Failover only: the replication lag of the target just before it was promoted, the writes that may be lost. */
  readonly dataLossWindowMs?: number;
}

/** What a step is told, beyond the topology. In an SSM execution these are the step's inputs. */
export interface StepInput {
  /** The Region to make primary and routed. */
  readonly targetRegion: string;
  /** Failover only: the operator accepts losing the writes not yet replicated. */
  readonly allowDataLoss?: boolean;
  /** Refuse a switchover (or keep waiting in a failback) while the target lags more than this. Default 30 s. */
  readonly maxRpoLagMs?: number;
  /** Whether an approval is asked for before any change. */
  readonly requireApproval?: boolean;
  /** Who may approve. */
  readonly approvers?: readonly string[];
  /** Time between polls of a wait step. Default 10 s. */
  readonly pollIntervalMs?: number;
  /** How long one invocation of a wait step may poll before handing back. Default: until its deadline. */
  readonly pollWindowMs?: number;
  /** How long the wait after this step may take; the step returns the deadline as `waitUntil`. Default 30 min. */
  readonly waitTimeoutMs?: number;
  /** Wait steps: when to give up (epoch ms), as returned by the step before the wait. */
  readonly deadline?: number;
  /** Failover: whether the promote step detached the target (its output, for when the global cluster cannot be described). */
  readonly detached?: boolean;
}

/** What a step runs with. */
export interface StepContext {
  readonly cloud: CloudOperations;
  readonly topology: RunbookTopology;
  /** The Region the step runs in. A runbook runs in the Region it activates. */
  readonly localRegion: string;
  readonly input: StepInput;
}

/** What a step returns; a step that cannot do its job throws instead. */
export interface StepResult {
  readonly detail: string;
  /** There was nothing to do. */
  readonly skipped?: boolean;
  /** Wait steps: not there yet; run the step again. */
  readonly waiting?: boolean;
  /** Failover pre-flight: the target's last replication lag. */
  readonly dataLossWindowMs?: number;
  /** Failover promote: the target was detached from the global cluster. */
  readonly detached?: boolean;
  /** The deadline of the wait that follows this step (epoch ms). */
  readonly waitUntil?: number;
}

/** The kinds of step a runbook has. */
export type StepKind = 'action' | 'wait' | 'approve';

/** One step of a runbook. */
export interface RunbookStep {
  /** Step name in the SSM document (letters only). */
  readonly name: string;
  /** What the step does, for people. */
  readonly title: string;
  readonly kind: StepKind;
  /** The step's logic; none for an approval. */
  readonly run?: (ctx: StepContext) => Promise<StepResult>;
  /** For the step before a wait: which timeout that wait uses. */
  readonly nextWait?: 'writer' | 'rejoin';
}

/** A pre-flight check said no: nothing was changed. */
export class PreflightRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreflightRefusal';
  }
}

const IN_PROGRESS = ['pending', 'switching-over', 'failing-over'];
const DEFAULT_MAX_RPO_LAG_MS = 30_000;
const DEFAULT_POLL_INTERVAL_MS = 10_000;
const DEFAULT_WAIT_TIMEOUT_MS = 30 * 60_000;

function regionOf(topology: RunbookTopology, region: string): RunbookRegion {
  const found = topology.regions.find((r) => r.region === region);
  if (!found) {
    throw new PreflightRefusal(`target Region '${region}' is not part of this topology (${topology.regions.map((r) => r.region).join(', ')})`);
  }
  return found;
}

function writerOf(view: GlobalClusterView): string | undefined {
  return view.members.find((m) => m.isWriter)?.clusterArn;
}

/**
 * Describes the global cluster in a failover, where it may be unreachable: `error` is
 * set when the call failed, `view` is undefined when it does not exist.
 */
async function describeIfReachable(ctx: StepContext): Promise<{ view?: GlobalClusterView; error?: Error }> {
  try {
    return { view: await ctx.cloud.describeGlobalCluster(ctx.topology.globalClusterIdentifier) };
  } catch (e) {
    return { error: e as Error };
  }
}

function inProgress(view: GlobalClusterView): boolean {
  return view.failoverState !== undefined && IN_PROGRESS.includes(view.failoverState.status);
}

async function routingStates(cloud: CloudOperations, topology: RunbookTopology): Promise<Record<string, RoutingControlState>> {
  try {
    return await readStates(cloud.routing, topology.clusterEndpoints, topology.regions.map((r) => r.routingControlArn));
  } catch (e) {
    if (e instanceof AllEndpointsFailedError) {
      throw new PreflightRefusal(`the ARC data plane is unreachable: ${e.message}`);
    }
    throw e;
  }
}

function routedOnlyTo(states: Record<string, RoutingControlState>, topology: RunbookTopology, target: RunbookRegion): boolean {
  return topology.regions.every((r) => states[r.routingControlArn] === (r === target ? 'On' : 'Off'));
}

/** Turns the target's control On and every other Off, in one `UpdateRoutingControlStates` call, unless that is already so. */
async function routeOnlyTo(ctx: StepContext, target: RunbookRegion): Promise<StepResult> {
  const { cloud, topology } = ctx;
  const states = await readStates(cloud.routing, topology.clusterEndpoints, topology.regions.map((r) => r.routingControlArn));
  if (routedOnlyTo(states, topology, target)) return { skipped: true, detail: `traffic already goes to ${target.region} only` };
  const entries = statesFor(topology.regions.map((r) => r.routingControlArn), [target.routingControlArn]);
  await updateStates(cloud.routing, topology.clusterEndpoints, entries);
  return { detail: `${target.region} On, every other Region Off, in one UpdateRoutingControlStates call` };
}

/** Refusals every pre-flight shares: the Region, the approval settings, the credentials. */
async function commonChecks(ctx: StepContext): Promise<RunbookRegion> {
  const target = regionOf(ctx.topology, ctx.input.targetRegion);
  if (ctx.localRegion !== target.region) {
    throw new PreflightRefusal(
      `this runbook runs in ${ctx.localRegion} but TargetRegion is ${target.region}: start it in ${target.region}, ` +
        'the Region being activated, so that it never depends on the Region being left',
    );
  }
  if (ctx.input.requireApproval && (ctx.input.approvers ?? []).length === 0) {
    throw new PreflightRefusal('RequireApproval is true but Approvers is empty: name at least one IAM user or role ARN in Approvers');
  }
  if (!(await ctx.cloud.secretAvailable(ctx.topology.secretName))) {
    throw new PreflightRefusal(
      `the database secret '${ctx.topology.secretName}' has no usable replica in ${target.region}: ` +
        'the application there could not connect; redeploy the database stack of that Region',
    );
  }
  return target;
}

function waitUntil(ctx: StepContext): number {
  return ctx.cloud.now() + (ctx.input.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS);
}

/**
 * Polls `check` until it is done. Gives up with a timeout error at the deadline; hands
 * back with `waiting` when this invocation's poll window is over.
 */
async function pollUntil(ctx: StepContext, what: string, check: () => Promise<{ done: boolean; seen: string }>): Promise<StepResult> {
  const { cloud, input } = ctx;
  const start = cloud.now();
  const timeout = input.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const deadline = input.deadline ?? start + timeout;
  const windowEnd = Math.min(deadline, start + (input.pollWindowMs ?? Number.POSITIVE_INFINITY));
  for (;;) {
    const { done, seen } = await check();
    if (done) return { detail: `${seen} (polled for ${cloud.now() - start} ms)` };
    if (cloud.now() >= deadline) {
      throw new Error(`timed out after ${Math.round(timeout / 1000)} s waiting until ${what} (last seen: ${seen}); run the runbook again to resume`);
    }
    if (cloud.now() >= windowEnd) return { waiting: true, detail: `still waiting until ${what} (last seen: ${seen})` };
    await cloud.sleep(Math.min(input.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, Math.max(0, deadline - cloud.now())));
  }
}

async function isSettledWriter(ctx: StepContext, target: RunbookRegion): Promise<{ done: boolean; seen: string }> {
  const view = await ctx.cloud.describeGlobalCluster(ctx.topology.globalClusterIdentifier);
  if (!view) return { done: false, seen: `global cluster '${ctx.topology.globalClusterIdentifier}' not found` };
  if (inProgress(view)) return { done: false, seen: `${view.failoverState!.status} in progress` };
  const writer = writerOf(view);
  if (writer !== target.clusterArn) return { done: false, seen: `writer is ${writer ?? 'none'}` };
  const status = await ctx.cloud.clusterStatus(target.clusterArn);
  return status === 'available'
    ? { done: true, seen: `${target.region} is the writer` }
    : { done: false, seen: `${target.region} is the writer, cluster ${status}` };
}

// ---------------------------------------------------------------------------
// Switchover steps (also the second half of a failback)
// ---------------------------------------------------------------------------

async function switchoverPreflight(ctx: StepContext): Promise<StepResult> {
  const { cloud, topology } = ctx;
  const target = await commonChecks(ctx);
  const maxLag = ctx.input.maxRpoLagMs ?? DEFAULT_MAX_RPO_LAG_MS;
  const view = await cloud.describeGlobalCluster(topology.globalClusterIdentifier);
  if (!view) throw new PreflightRefusal(`global cluster '${topology.globalClusterIdentifier}' was not found`);
  const member = view.members.find((m) => m.clusterArn === target.clusterArn);
  if (!member) throw new PreflightRefusal(`${target.clusterArn} is not a member of global cluster '${view.identifier}'`);
  const states = await routingStates(cloud, topology);
  const writer = writerOf(view);
  if (writer === target.clusterArn && routedOnlyTo(states, topology, target) && !inProgress(view)) {
    throw new PreflightRefusal(`${target.region} is already the writer and receives all traffic: nothing to do`);
  }
  if (inProgress(view) && view.failoverState!.toClusterArn !== target.clusterArn) {
    throw new PreflightRefusal(
      `a ${view.failoverState!.status} from ${view.failoverState!.fromClusterArn} to ${view.failoverState!.toClusterArn} is in progress; wait for it to finish`,
    );
  }
  if (writer === target.clusterArn || inProgress(view)) {
    return { detail: 'resuming: the writer is already moving or has moved to the target' };
  }
  if (view.status !== 'available') throw new PreflightRefusal(`global cluster '${view.identifier}' is ${view.status}, not available`);
  if (member.synchronizationStatus !== undefined && member.synchronizationStatus !== 'connected') {
    throw new PreflightRefusal(`${target.region} is not in sync (synchronization status ${member.synchronizationStatus}); wait until it is connected`);
  }
  const lag = await cloud.rpoLagMs(target.clusterIdentifier);
  if (lag === undefined) {
    throw new PreflightRefusal(`no recent AuroraGlobalDBRPOLag for ${target.clusterIdentifier}: cannot show the target is caught up`);
  }
  if (lag > maxLag) {
    throw new PreflightRefusal(`${target.region} lags ${lag} ms behind the writer, over the ${maxLag} ms allowed; wait and try again`);
  }
  return { detail: `target in sync (RPO lag ${lag} ms), ARC data plane reachable` };
}

async function startSwitchover(ctx: StepContext): Promise<StepResult> {
  const { cloud, topology } = ctx;
  const target = regionOf(topology, ctx.input.targetRegion);
  const until = waitUntil(ctx);
  const view = await cloud.describeGlobalCluster(topology.globalClusterIdentifier);
  if (!view) throw new Error(`global cluster '${topology.globalClusterIdentifier}' was not found`);
  if (writerOf(view) === target.clusterArn) return { skipped: true, detail: `${target.region} is already the writer`, waitUntil: until };
  if (inProgress(view)) {
    if (view.failoverState!.toClusterArn !== target.clusterArn) {
      throw new Error(`a ${view.failoverState!.status} to ${view.failoverState!.toClusterArn} started meanwhile; wait for it to finish, then run again`);
    }
    return { skipped: true, detail: `a ${view.failoverState!.status} to ${target.region} is already under way`, waitUntil: until };
  }
  await cloud.switchoverGlobalCluster(topology.globalClusterIdentifier, target.clusterArn);
  return { detail: `SwitchoverGlobalCluster to ${target.clusterArn}`, waitUntil: until };
}

async function waitForWriter(ctx: StepContext): Promise<StepResult> {
  const target = regionOf(ctx.topology, ctx.input.targetRegion);
  return pollUntil(ctx, `${target.region} is the writer`, () => isSettledWriter(ctx, target));
}

async function routeAfterSwitchover(ctx: StepContext): Promise<StepResult> {
  const target = regionOf(ctx.topology, ctx.input.targetRegion);
  const settled = await isSettledWriter(ctx, target);
  if (!settled.done) {
    throw new Error(`${target.region} is not the writer yet (${settled.seen}); traffic stays where it is; run the runbook again to resume`);
  }
  return routeOnlyTo(ctx, target);
}

async function verifySwitchover(ctx: StepContext): Promise<StepResult> {
  const target = regionOf(ctx.topology, ctx.input.targetRegion);
  await verifyRouting(ctx, target);
  const settled = await isSettledWriter(ctx, target);
  if (!settled.done) throw new Error(`${target.region} is not the settled writer of '${ctx.topology.globalClusterIdentifier}': ${settled.seen}`);
  return { detail: `${target.region} is the writer and receives all traffic` };
}

async function verifyRouting(ctx: StepContext, target: RunbookRegion): Promise<void> {
  const { cloud, topology } = ctx;
  const states = await readStates(cloud.routing, topology.clusterEndpoints, topology.regions.map((r) => r.routingControlArn));
  if (!routedOnlyTo(states, topology, target)) {
    throw new Error(`routing is not on ${target.region} only: ${JSON.stringify(states)}`);
  }
}

// ---------------------------------------------------------------------------
// Failover steps
// ---------------------------------------------------------------------------

async function failoverPreflight(ctx: StepContext): Promise<StepResult> {
  const { cloud, topology } = ctx;
  const target = regionOf(topology, ctx.input.targetRegion);
  if (ctx.input.allowDataLoss !== true) {
    throw new PreflightRefusal(
      'AllowDataLoss is not true: a failover promotes the target without waiting for replication and can lose the writes not yet replicated. ' +
        'Start it with AllowDataLoss=true to accept that, or run the switchover runbook when both Regions are healthy',
    );
  }
  await commonChecks(ctx);
  const states = await routingStates(cloud, topology);
  const { view, error } = await describeIfReachable(ctx);
  const reachable = error === undefined;
  let secondary = true;
  if (reachable) {
    if (!view) throw new PreflightRefusal(`global cluster '${topology.globalClusterIdentifier}' was not found`);
    const member = view.members.find((m) => m.clusterArn === target.clusterArn);
    if (!member) {
      if ((await cloud.clusterStatus(target.clusterArn)) === undefined) throw new PreflightRefusal(`${target.clusterArn} does not exist`);
      secondary = false; // detached by an earlier run's fallback: the following steps resume from there
    } else if (member.isWriter) {
      secondary = false;
      if (routedOnlyTo(states, topology, target) && !inProgress(view)) {
        throw new PreflightRefusal(`${target.region} is already the writer and receives all traffic: nothing to do`);
      }
    }
  } else if ((await cloud.clusterStatus(target.clusterArn)) === undefined) {
    throw new PreflightRefusal(`${target.clusterArn} does not exist`);
  }
  const dataLossWindowMs = secondary ? await cloud.rpoLagMs(target.clusterIdentifier) : undefined;
  return {
    detail: `ARC data plane reachable; global cluster ${reachable ? 'reachable' : 'unreachable: will detach and promote'}; ` +
      `last RPO lag ${dataLossWindowMs ?? 'unknown'} ms`,
    dataLossWindowMs,
  };
}

async function routeBeforePromotion(ctx: StepContext): Promise<StepResult> {
  return routeOnlyTo(ctx, regionOf(ctx.topology, ctx.input.targetRegion));
}

async function promoteTarget(ctx: StepContext): Promise<StepResult> {
  const { cloud, topology } = ctx;
  const target = regionOf(topology, ctx.input.targetRegion);
  const until = waitUntil(ctx);
  const id = topology.globalClusterIdentifier;
  const { view, error } = await describeIfReachable(ctx);
  if (error) {
    await cloud.detachFromGlobalCluster(id, target.clusterArn);
    return { detail: `global cluster unreachable (${error.message}); detached ${target.clusterArn} to promote it`, detached: true, waitUntil: until };
  }
  if (!view) throw new Error(`global cluster '${id}' was not found`);
  const member = view.members.find((m) => m.clusterArn === target.clusterArn);
  if (!member) return { skipped: true, detail: `${target.region} was already detached and promoted`, detached: true, waitUntil: until };
  if (inProgress(view) && view.failoverState!.toClusterArn === target.clusterArn) {
    return { skipped: true, detail: `a ${view.failoverState!.status} to ${target.region} is already under way`, waitUntil: until };
  }
  if (member.isWriter && !inProgress(view)) return { skipped: true, detail: `${target.region} is already the writer`, waitUntil: until };
  try {
    await cloud.failoverGlobalCluster(id, target.clusterArn);
    return { detail: `FailoverGlobalCluster to ${target.clusterArn} with AllowDataLoss`, waitUntil: until };
  } catch (e) {
    await cloud.detachFromGlobalCluster(id, target.clusterArn);
    return { detail: `FailoverGlobalCluster failed (${(e as Error).message}); detached ${target.clusterArn} to promote it`, detached: true, waitUntil: until };
  }
}

/** Whether the target takes writes: the settled writer of the global cluster, or a detached cluster that is available. */
async function isWritable(ctx: StepContext, target: RunbookRegion): Promise<{ done: boolean; seen: string; detached: boolean }> {
  const { cloud } = ctx;
  const { view, error } = await describeIfReachable(ctx);
  const reachable = error === undefined;
  const detached = reachable ? !view?.members.some((m) => m.clusterArn === target.clusterArn) : ctx.input.detached === true;
  if (!reachable && !detached) return { done: false, seen: 'global cluster unreachable', detached };
  if (detached) {
    const status = await cloud.clusterStatus(target.clusterArn);
    return { done: status === 'available', seen: `stand-alone cluster ${status ?? 'not found'}`, detached };
  }
  return { ...(await isSettledWriter(ctx, target)), detached };
}

async function waitUntilWritable(ctx: StepContext): Promise<StepResult> {
  const target = regionOf(ctx.topology, ctx.input.targetRegion);
  return pollUntil(ctx, `${target.region} is writable`, () => isWritable(ctx, target));
}

async function verifyFailover(ctx: StepContext): Promise<StepResult> {
  const target = regionOf(ctx.topology, ctx.input.targetRegion);
  await verifyRouting(ctx, target);
  const writable = await isWritable(ctx, target);
  if (!writable.done) throw new Error(`${target.region} is not writable: ${writable.seen}`);
  return {
    detail: writable.detached
      ? `${target.region} is a stand-alone writable cluster and receives all traffic`
      : `${target.region} is the writer and receives all traffic`,
  };
}

// ---------------------------------------------------------------------------
// Failback steps
// ---------------------------------------------------------------------------

async function failbackPreflight(ctx: StepContext): Promise<StepResult> {
  const { cloud, topology } = ctx;
  const target = await commonChecks(ctx);
  const states = await routingStates(cloud, topology);
  const view = await cloud.describeGlobalCluster(topology.globalClusterIdentifier);
  if (!view) throw new PreflightRefusal(`global cluster '${topology.globalClusterIdentifier}' was not found`);
  if (writerOf(view) === target.clusterArn && routedOnlyTo(states, topology, target) && !inProgress(view)) {
    throw new PreflightRefusal(`${target.region} is already the writer and receives all traffic: nothing to do`);
  }
  if ((await cloud.clusterStatus(target.clusterArn)) === undefined) {
    throw new PreflightRefusal(`${target.clusterArn} does not exist: recreate it (redeploy that Region's stack) before failing back`);
  }
  return { detail: `ARC data plane reachable; global cluster '${view.identifier}' is ${view.status}`, waitUntil: waitUntil(ctx) };
}

async function waitForRejoin(ctx: StepContext): Promise<StepResult> {
  const { cloud, topology } = ctx;
  const target = regionOf(topology, ctx.input.targetRegion);
  const maxLag = ctx.input.maxRpoLagMs ?? DEFAULT_MAX_RPO_LAG_MS;
  return pollUntil(ctx, `${target.region} rejoined and caught up`, async () => {
    const view = await cloud.describeGlobalCluster(topology.globalClusterIdentifier);
    const member = view?.members.find((m) => m.clusterArn === target.clusterArn);
    if (!member) return { done: false, seen: 'not yet a member of the global cluster' };
    if (member.isWriter) return { done: true, seen: `${target.region} is already the writer` };
    if (member.synchronizationStatus !== undefined && member.synchronizationStatus !== 'connected') {
      return { done: false, seen: `synchronization ${member.synchronizationStatus}` };
    }
    const lag = await cloud.rpoLagMs(target.clusterIdentifier);
    return { done: lag !== undefined && lag <= maxLag, seen: `connected secondary, RPO lag ${lag ?? 'unknown'} ms` };
  });
}

// ---------------------------------------------------------------------------
// The runbooks
// ---------------------------------------------------------------------------

const APPROVE: RunbookStep = { name: 'Approve', title: 'approval', kind: 'approve' };
const SWITCHOVER_TAIL: RunbookStep[] = [
  { name: 'SwitchoverGlobalCluster', title: 'switchover global cluster', kind: 'action', run: startSwitchover, nextWait: 'writer' },
  { name: 'WaitForWriter', title: 'wait until the target is writer', kind: 'wait', run: waitForWriter },
  { name: 'RouteTraffic', title: 'route traffic to the target', kind: 'action', run: routeAfterSwitchover },
  { name: 'Verify', title: 'verify', kind: 'action', run: verifySwitchover },
];

/** The steps of each runbook, in order. The SSM documents and {@link runRunbook} are built from these. */
export const RUNBOOKS: Record<RunbookName, readonly RunbookStep[]> = {
  switchover: [
    { name: 'Preflight', title: 'pre-flight', kind: 'action', run: switchoverPreflight },
    APPROVE,
    ...SWITCHOVER_TAIL,
  ],
  failover: [
    { name: 'Preflight', title: 'pre-flight', kind: 'action', run: failoverPreflight },
    APPROVE,
    { name: 'RouteTraffic', title: 'route traffic to the target', kind: 'action', run: routeBeforePromotion },
    { name: 'PromoteTarget', title: 'promote the target', kind: 'action', run: promoteTarget, nextWait: 'writer' },
    { name: 'WaitUntilWritable', title: 'wait until the target is writable', kind: 'wait', run: waitUntilWritable },
    { name: 'Verify', title: 'verify', kind: 'action', run: verifyFailover },
  ],
  failback: [
    { name: 'Preflight', title: 'pre-flight', kind: 'action', run: failbackPreflight, nextWait: 'rejoin' },
    { name: 'WaitForRejoin', title: 'wait until the old primary has rejoined and caught up', kind: 'wait', run: waitForRejoin },
    { name: 'CheckInSync', title: 'check the target is in sync', kind: 'action', run: switchoverPreflight },
    APPROVE,
    ...SWITCHOVER_TAIL,
  ],
};

/** Settings of a run in one process ({@link runRunbook}). */
export interface RunbookOptions extends Omit<StepInput, 'deadline' | 'detached' | 'pollWindowMs' | 'waitTimeoutMs'> {
  /** How long to wait for the writer to move, or for the old primary to rejoin. Default 30 min. */
  readonly timeoutMs?: number;
  /** The Region the run happens in. Default: the target Region. */
  readonly localRegion?: string;
  /** Asked when an approval is required; `false` rejects. Default: rejects. */
  readonly approve?: () => Promise<boolean>;
}

/** Which failure outcome an error means. */
export function outcomeOf(error: unknown): 'refused' | 'failed' {
  return error instanceof PreflightRefusal ? 'refused' : 'failed';
}

/**
 * Runs a whole runbook in this process, step after step, with the same step functions
 * an SSM execution invokes one by one. Stops at the first failing step.
 */
export async function runRunbook(
  runbook: RunbookName,
  cloud: CloudOperations,
  topology: RunbookTopology,
  options: RunbookOptions,
): Promise<RunbookReport> {
  const startedAt = cloud.now();
  const steps: StepRecord[] = [];
  let input: StepInput = { ...options, waitTimeoutMs: options.timeoutMs };
  let dataLossWindowMs: number | undefined;
  try {
    for (const step of RUNBOOKS[runbook]) {
      const start = cloud.now();
      const record = (status: StepStatus, detail: string) => steps.push({ name: step.title, status, durationMs: cloud.now() - start, detail });
      try {
        if (step.kind === 'approve') {
          if (!options.requireApproval) continue;
          if (!(await (options.approve ?? (async () => false))())) throw new PreflightRefusal('the approval was rejected: nothing was changed');
          record('done', `approved by one of ${(options.approvers ?? []).join(', ')}`);
          continue;
        }
        const result = await step.run!({ cloud, topology, localRegion: options.localRegion ?? options.targetRegion, input });
        if (result.waiting) throw new Error(`${step.title}: still waiting after its poll window`);
        record(result.skipped ? 'skipped' : 'done', result.detail);
        if (result.dataLossWindowMs !== undefined) dataLossWindowMs = result.dataLossWindowMs;
        input = { ...input, deadline: result.waitUntil ?? input.deadline, detached: result.detached ?? input.detached };
      } catch (e) {
        record('failed', (e as Error).message);
        throw e;
      }
    }
  } catch (e) {
    const outcome = outcomeOf(e);
    // A refused run changed nothing: no data-loss window to state.
    return { runbook, targetRegion: options.targetRegion, outcome, reason: (e as Error).message, steps, ...(outcome === 'failed' ? { dataLossWindowMs } : {}) };
  }
  return { runbook, targetRegion: options.targetRegion, outcome: 'succeeded', steps, recoveryTimeMs: cloud.now() - startedAt, dataLossWindowMs };
}

/** The planned move: pre-flight, switchover, wait for the writer, flip routing, verify. */
export function switchover(cloud: CloudOperations, topology: RunbookTopology, options: RunbookOptions): Promise<RunbookReport> {
  return runRunbook('switchover', cloud, topology, options);
}

/**
 * The unplanned move away from an impaired Region: flip routing first, then promote
 * the target with `AllowDataLoss` (or, when the global cluster cannot be reached,
 * detach and promote the target), wait until it is writable, verify.
 */
export function failover(cloud: CloudOperations, topology: RunbookTopology, options: RunbookOptions): Promise<RunbookReport> {
  return runRunbook('failover', cloud, topology, options);
}

/**
 * The return to the Region a failover left: wait until the old primary has rejoined as
 * a secondary and caught up, then switch over to it and flip routing back.
 */
export function failback(cloud: CloudOperations, topology: RunbookTopology, options: RunbookOptions): Promise<RunbookReport> {
  return runRunbook('failback', cloud, topology, options);
}
