/**
 * The logic of each runbook step: a plain function over {@link CloudOperations} that
 * re-reads the state it acts on and skips what is already done, so a re-run after a
 * failure at any step converges.
 *
 * The invariants every step keeps (docs/operations.md, "What each runbook guarantees"):
 *
 * - I1 routing follows the data: a Region is routed only when its cluster is the writer
 *   of the data last routed, or is being promoted by the failover that routed it; never
 *   a stale secondary or a detached copy.
 * - I2 no silent split brain: detach-and-promote only when the operator asked for it
 *   (`AllowDetach`) and the global database is unreachable or refuses the failover for a
 *   reason that will not pass; throttling, timeouts and an operation already in
 *   progress are retried or refused, never answered with a detach.
 * - I3 failback only to a rejoined, caught-up member of the same global database.
 * - I4 one run of a deployment at a time (`one-run-at-a-time.ts`).
 * - I5 convergence: every step is safe to run again.
 *
 * Every change (add an instance, switch over, fail over, detach, route) happens only
 * after the preconditions it rests on were read again in the same step.
 */
import { ClusterSpec, ClusterView, GlobalClusterView, LagReading, RunbookRegion } from './cloud-operations';
import { blockedBy, otherRuns } from './one-run-at-a-time';
import { describeError, errorKind, RetriesExhausted, withRetries } from './retries';
import { PreflightRefusal, StepContext, StepResult } from './runbook-types';
import { AllEndpointsFailedError, readStates, RoutingControlState, statesFor, updateStates } from '../arc/routing-states';

const IN_PROGRESS = ['pending', 'switching-over', 'failing-over', 'cancelling'];
const DEFAULT_MAX_RPO_LAG_MS = 30_000;
/**
 * Time between two polls of a wait step, as deployed: within a poll window, a wait sees
 * the writer at most this long (plus its reads) after it settled; after transient errors
 * the time doubles, up to 8 times this, so that the waits' RDS reads stay far under the
 * account's API rate even while RDS throttles (docs/aws-assumptions.md, A23).
 */
export const POLL_INTERVAL_MS = 2_000;
const DEFAULT_WAIT_TIMEOUT_MS = 30 * 60_000;
/**
 * How far back the replication lag is looked for: far enough to find the last data point
 * of a secondary whose primary Region went dark hours ago.
 */
export const LAG_LOOKBACK_MS = 24 * 3600_000;
/** Cluster statuses in which a cluster can take part in a switchover or failover. */
const USABLE = 'available';

type States = Record<string, RoutingControlState>;

// ---------------------------------------------------------------------------
// Reading the state, with transient errors retried
// ---------------------------------------------------------------------------

function retrying<T>(ctx: StepContext, what: string, call: () => Promise<T>): Promise<T> {
  return withRetries(what, ctx.cloud, call, { budgetMs: ctx.input.retryBudgetMs ?? 60_000 });
}

/** The topology's entry for the target Region; refuses a Region outside it. */
export function targetOf(ctx: StepContext): RunbookRegion {
  const found = ctx.topology.regions.find((r) => r.region === ctx.input.targetRegion);
  if (!found) {
    throw new PreflightRefusal(`target Region '${ctx.input.targetRegion}' is not part of this topology ` +
      `(${ctx.topology.regions.map((r) => r.region).join(', ')})`);
  }
  return found;
}

function writerOf(view: GlobalClusterView): string | undefined {
  return view.members.find((m) => m.isWriter)?.clusterArn;
}

function inProgress(view: GlobalClusterView): boolean {
  return view.failoverState !== undefined && IN_PROGRESS.includes(view.failoverState.status);
}

function regionOfArn(ctx: StepContext, arn: string | undefined): string {
  return ctx.topology.regions.find((r) => r.clusterArn === arn)?.region ?? arn ?? 'none';
}

function operationText(ctx: StepContext, view: GlobalClusterView): string {
  const f = view.failoverState!;
  return `a ${f.status} of global database '${view.identifier}' from ${regionOfArn(ctx, f.fromClusterArn)} to ${regionOfArn(ctx, f.toClusterArn)}`;
}

async function describeGlobal(ctx: StepContext): Promise<GlobalClusterView | undefined> {
  return retrying(ctx, `DescribeGlobalClusters of '${ctx.topology.globalClusterIdentifier}'`,
    () => ctx.cloud.describeGlobalCluster(ctx.topology.globalClusterIdentifier));
}

async function describeTarget(ctx: StepContext, target: RunbookRegion): Promise<ClusterView | undefined> {
  return retrying(ctx, `DescribeDBClusters of ${target.clusterIdentifier}`, () => ctx.cloud.describeCluster(target.clusterArn));
}

async function lagOf(ctx: StepContext, target: RunbookRegion): Promise<LagReading | undefined> {
  return retrying(ctx, `AuroraGlobalDBRPOLag of ${target.clusterIdentifier}`, () => ctx.cloud.lastRpoLag(target.clusterIdentifier, LAG_LOOKBACK_MS));
}

function lagText(ctx: StepContext, lag: LagReading | undefined): string {
  if (!lag) return `no AuroraGlobalDBRPOLag data point in the last ${LAG_LOOKBACK_MS / 3600_000} h`;
  const age = Math.max(0, Math.round((ctx.cloud.now() - lag.at) / 1000));
  return `RPO lag ${lag.valueMs} ms, measured ${age} s ago`;
}

/** The routing controls' states; `refuse` turns an unreachable data plane into a refusal (nothing changed yet). */
async function routingStates(ctx: StepContext, refuse: boolean): Promise<States> {
  const { cloud, topology } = ctx;
  try {
    return await readStates(cloud.routing, topology.clusterEndpoints, topology.regions.map((r) => r.routingControlArn));
  } catch (e) {
    if (refuse && e instanceof AllEndpointsFailedError) throw new PreflightRefusal(`the ARC data plane is unreachable: ${e.message}`);
    throw e;
  }
}

function routedOnlyTo(states: States, ctx: StepContext, target: RunbookRegion): boolean {
  return routedExactly(states, ctx, [target]);
}

function routedExactly(states: States, ctx: StepContext, on: readonly RunbookRegion[]): boolean {
  return ctx.topology.regions.every((r) => states[r.routingControlArn] === (on.includes(r) ? 'On' : 'Off'));
}

/**
 * The Regions a move of the writer to `target` leaves On. One Region at a time: the
 * target alone. Active/active: after a switchover (or the switchover of a failback), the
 * target besides the Regions On already, all members of the one global database; after a
 * failover, the target alone, as the other Regions' copies may be on the old writer's
 * side of the data loss until they are connected to the new writer again (the Restore
 * runbook checks that, Region by Region).
 */
function wantedOn(ctx: StepContext, target: RunbookRegion, states: States, move: 'switchover' | 'failover'): RunbookRegion[] {
  if (!ctx.topology.activeActive || move === 'failover') return [target];
  return ctx.topology.regions.filter((r) => r === target || states[r.routingControlArn] === 'On');
}

function names(regions: readonly RunbookRegion[]): string {
  return regions.map((r) => r.region).join(', ') || 'none';
}

function routedRegions(states: States, ctx: StepContext): RunbookRegion[] {
  return ctx.topology.regions.filter((r) => states[r.routingControlArn] === 'On');
}

/** Turns the target's control On and every other Off, in one `UpdateRoutingControlStates` call, unless that is already so. */
async function routeOnlyTo(ctx: StepContext, target: RunbookRegion, states: States): Promise<StepResult> {
  return routeExactly(ctx, [target], states);
}

/** Turns exactly the controls of `on` On and every other Off, in one `UpdateRoutingControlStates` call, unless that is already so. */
async function routeExactly(ctx: StepContext, on: readonly RunbookRegion[], states: States): Promise<StepResult> {
  if (routedExactly(states, ctx, on)) {
    return {
      skipped: true,
      detail: on.length === 1 ? `traffic already goes to ${on[0].region} only` : `${names(on)} already On, every other Region Off`,
    };
  }
  const entries = statesFor(ctx.topology.regions.map((r) => r.routingControlArn), on.map((r) => r.routingControlArn));
  await updateStates(ctx.cloud.routing, ctx.topology.clusterEndpoints, entries);
  return {
    detail: on.length === 1
      ? `${on[0].region} On, every other Region Off, in one UpdateRoutingControlStates call`
      : `${names(on)} On, every other Region Off, in one UpdateRoutingControlStates call`,
  };
}

// ---------------------------------------------------------------------------
// Checks the runbooks share
// ---------------------------------------------------------------------------

/** Refuses a run that asks for an approval but names nobody who may give it. */
function refuseApprovalWithoutApprovers(ctx: StepContext): void {
  if (ctx.input.requireApproval && (ctx.input.approvers ?? []).length === 0) {
    throw new PreflightRefusal('RequireApproval is true but Approvers is empty: name at least one IAM user or role ARN in Approvers');
  }
}

/** Whether the database credentials secret has a usable replica in the Region the run happens in. */
async function refuseWithoutSecret(ctx: StepContext): Promise<void> {
  if (!(await retrying(ctx, 'DescribeSecret', () => ctx.cloud.secretAvailable(ctx.topology.secretName)))) {
    throw new PreflightRefusal(
      `the database secret '${ctx.topology.secretName}' has no usable replica in ${ctx.localRegion}: ` +
        'the application there could not connect; redeploy the database stack of that Region',
    );
  }
}

/** Refusals every pre-flight shares: the Region, the approval settings, the credentials. */
async function commonChecks(ctx: StepContext): Promise<RunbookRegion> {
  const target = targetOf(ctx);
  if (ctx.localRegion !== target.region) {
    throw new PreflightRefusal(
      `this runbook runs in ${ctx.localRegion} but TargetRegion is ${target.region}: start it in ${target.region}, ` +
        'the Region being activated, so that it never depends on the Region being left',
    );
  }
  refuseApprovalWithoutApprovers(ctx);
  await refuseWithoutSecret(ctx);
  return target;
}

/**
 * I4: refuses while another run of the deployment is under way. In a pre-flight the
 * refusal changes nothing; in a later step, `changed` says what this run already did.
 */
async function oneRunAtATime(ctx: StepContext, phase: 'preflight' | 'change', changed?: string): Promise<string[]> {
  const found = await otherRuns(ctx, phase);
  if (found.blocking) {
    const message = blockedBy(found.blocking);
    if (phase === 'preflight' || !changed) throw new PreflightRefusal(message, 'busy', found.blocking.startTime);
    throw new Error(`${message}. This run stops here; ${changed}`);
  }
  return found.warnings;
}

/**
 * I1: the routed Regions whose cluster is not a member of the global database. Their
 * cluster was detached (a failover that detached and promoted it): the data lives there,
 * and every member of the global database lacks the writes made since.
 */
function detachedRouted(ctx: StepContext, view: GlobalClusterView, states: States): RunbookRegion[] {
  return routedRegions(states, ctx).filter((r) => !view.members.some((m) => m.clusterArn === r.clusterArn));
}

function rebuildAdvice(ctx: StepContext, serving: RunbookRegion[]): string {
  const where = serving.map((r) => r.region).join(', ');
  const others = ctx.topology.regions.filter((r) => !serving.includes(r)).map((r) => r.region);
  return `traffic goes to ${where}, whose cluster was detached from global database '${ctx.topology.globalClusterIdentifier}' ` +
    '(a failover that detached and promoted it): the data written since lives only there, and every member of the global ' +
    'database is a stale copy. Routing to one of them would serve stale data and strand those writes. Rebuild the other Regions ' +
    `(${others.join(', ')}) as secondaries of ${where}'s cluster first (docs/operations.md, "After a detach: rebuilding the other Regions"); ` +
    'then switch over or fail back as usual';
}

/** Refuses when routing points at a detached copy (other than `allowed`). */
function refuseIfDetachedRouted(ctx: StepContext, view: GlobalClusterView, states: States, allowed?: RunbookRegion): void {
  const detached = detachedRouted(ctx, view, states).filter((r) => r !== allowed);
  if (detached.length > 0) throw new PreflightRefusal(rebuildAdvice(ctx, detached));
}

/**
 * Whether the target cluster can become writer: available, its KMS key enabled, and an
 * instance that is or will be available. A headless target is fine: the runbook adds an
 * instance first. Answers what it saw.
 */
async function checkTargetHealth(ctx: StepContext, target: RunbookRegion): Promise<string> {
  const cluster = await describeTarget(ctx, target);
  if (!cluster) throw new PreflightRefusal(`the target cluster ${target.clusterArn} does not exist: deploy the database stack of ${target.region}`);
  if (cluster.status !== USABLE) {
    const why: Record<string, string> = {
      'inaccessible-encryption-credentials': `it cannot use its KMS key ${cluster.kmsKeyId ?? ''}: enable the key (or restore the grants RDS ` +
        'needs) and start the runbook again',
      'inaccessible-encryption-credentials-recoverable': `it cannot use its KMS key ${cluster.kmsKeyId ?? ''}: enable the key and start the ` +
        'runbook again',
      'stopped': `it is stopped: start it (aws rds start-db-cluster --region ${target.region} --db-cluster-identifier ` +
        `${target.clusterIdentifier}) and wait until it is available`,
    };
    throw new PreflightRefusal(`the target cluster ${target.clusterIdentifier} is ${cluster.status}, not available: ` +
      `${why[cluster.status] ?? 'wait until it is available, then start the runbook again'}`);
  }
  if (cluster.kmsKeyId) {
    const state = await retrying(ctx, `DescribeKey of ${cluster.kmsKeyId}`, () => ctx.cloud.keyState(cluster.kmsKeyId!));
    if (state !== 'Enabled') {
      throw new PreflightRefusal(`the KMS key of the target cluster (${cluster.kmsKeyId}) is ${state ?? 'missing'}, not Enabled: ` +
        'the cluster could not read its data as writer; enable the key and start the runbook again');
    }
  }
  if (cluster.instances.length === 0) {
    if (!target.instanceClass) {
      throw new PreflightRefusal(`the target cluster ${target.clusterIdentifier} has no instance and the published topology names no instance ` +
        'class to add: ' +
        'redeploy the database stacks (the topology parameter then names it), or give the cluster an instance');
    }
    return `target headless: a ${target.instanceClass} writer instance will be added`;
  }
  const usable = cluster.instances.filter((i) => i.status === USABLE || [
    'creating',
    'backing-up',
    'configuring-enhanced-monitoring',
    'modifying',
  ].includes(i.status));
  if (usable.length === 0) {
    throw new PreflightRefusal(`no instance of the target cluster ${target.clusterIdentifier} can become writer ` +
      `(${cluster.instances.map((i) => `${i.identifier} ${i.status}`).join(', ')}): start or replace one, then start the runbook again`);
  }
  return `target cluster available, key enabled, instance ${usable.map((i) => `${i.identifier} ${i.status}`).join(', ')}`;
}

function waitUntil(ctx: StepContext): number {
  return ctx.cloud.now() + (ctx.input.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS);
}

/**
 * Polls `check` until it is done. A transient error counts as "not yet". Gives up with
 * a timeout error at the deadline; hands back with `waiting` when this invocation's poll
 * window is over.
 */
async function pollUntil(ctx: StepContext, what: string, check: () => Promise<{ done: boolean; seen: string }>): Promise<StepResult> {
  const { cloud, input } = ctx;
  const start = cloud.now();
  const timeout = input.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const deadline = input.deadline ?? start + timeout;
  const windowEnd = Math.min(deadline, start + (input.pollWindowMs ?? Number.POSITIVE_INFINITY));
  const interval = input.pollIntervalMs ?? POLL_INTERVAL_MS;
  // Transient errors in a row (throttling among them): each doubles the time to the next poll, up to 8 intervals.
  let failures = 0;
  for (;;) {
    let seen: string;
    try {
      const result = await check();
      if (result.done) return { detail: `${result.seen} (polled for ${cloud.now() - start} ms)` };
      seen = result.seen;
      failures = 0;
    } catch (e) {
      if (errorKind(e) !== 'transient') throw e;
      seen = `no answer (${describeError(e)})`;
      failures++;
    }
    if (cloud.now() >= deadline) {
      throw new Error(`timed out after ${Math.round(timeout / 1000)} s waiting until ${what} (last seen: ${seen}); run the runbook again to resume`);
    }
    if (cloud.now() >= windowEnd) return { waiting: true, detail: `still waiting until ${what} (last seen: ${seen})` };
    await cloud.sleep(Math.min(interval * 2 ** Math.min(failures, 3), Math.max(0, deadline - cloud.now())));
  }
}

async function isSettledWriter(ctx: StepContext, target: RunbookRegion): Promise<{ done: boolean; seen: string }> {
  const view = await ctx.cloud.describeGlobalCluster(ctx.topology.globalClusterIdentifier);
  if (!view) return { done: false, seen: `global cluster '${ctx.topology.globalClusterIdentifier}' not found` };
  if (inProgress(view)) return { done: false, seen: `${view.failoverState!.status} in progress` };
  const writer = writerOf(view);
  if (writer !== target.clusterArn) return { done: false, seen: `writer is ${writer ?? 'none'}` };
  const cluster = await ctx.cloud.describeCluster(target.clusterArn);
  return cluster?.status === USABLE
    ? { done: true, seen: `${target.region} is the writer` }
    : { done: false, seen: `${target.region} is the writer, cluster ${cluster?.status ?? 'not found'}` };
}

// ---------------------------------------------------------------------------
// Preparing a headless target (every runbook)
// ---------------------------------------------------------------------------

/** The identifier of the instance a runbook adds to a headless cluster: deterministic, so a re-run finds it. */
export function addedInstanceIdentifier(clusterIdentifier: string): string {
  return `${clusterIdentifier.slice(0, 56).replace(/-+$/, '')}-writer`;
}

/** Gives a headless target an instance that can become writer; skipped when it has one. */
export async function prepareTarget(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  const until = waitUntil(ctx);
  const cluster = await describeTarget(ctx, target);
  if (!cluster) throw new Error(`the target cluster ${target.clusterArn} no longer exists`);
  if (cluster.instances.length > 0) {
    return {
      skipped: true,
      detail: 'the target cluster has ' +
      `${cluster.instances.map((i) => `${i.identifier} (${i.status})`).join(', ')}`,
      waitUntil: until,
    };
  }
  if (!target.instanceClass) {
    throw new PreflightRefusal(`the target cluster ${target.clusterIdentifier} is headless and the topology names no ` +
    'instance class: redeploy the database stacks');
  }
  const identifier = addedInstanceIdentifier(target.clusterIdentifier);
  try {
    await retrying(ctx, `CreateDBInstance ${identifier}`, () => ctx.cloud.addInstance(target.clusterArn, identifier, target.instanceClass!));
  } catch (e) {
    if ((e as Error).name !== 'DBInstanceAlreadyExistsFault') throw e;
  }
  return {
    detail: `the target cluster was headless: added writer instance ${identifier} (${target.instanceClass})`,
    warnings: [`instance ${identifier} was added to ${target.clusterIdentifier} by this run; the stack does not know it: set headless to false ` +
      'on that Region (and delete this instance once the stack\'s own is available), or delete it when the Region is a standby again'],
    waitUntil: until,
  };
}

/** The instances of a cluster and their states, for a wait's progress. */
function instanceList(instances: { identifier: string; status: string }[]): string {
  return instances.map((i) => `${i.identifier} ${i.status}`).join(', ') || 'none';
}

/** Waits until the target cluster has an available instance. */
export async function waitForInstance(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  return pollUntil(ctx, `${target.region} has an available instance`, async () => {
    const cluster = await ctx.cloud.describeCluster(target.clusterArn);
    const ready = cluster?.instances.find((i) => i.status === USABLE);
    return ready
      ? { done: true, seen: `instance ${ready.identifier} is available` }
      : { done: false, seen: cluster ? `instances: ${instanceList(cluster.instances)}` : 'cluster not found' };
  });
}

// ---------------------------------------------------------------------------
// Switchover steps (also the second half of a failback)
// ---------------------------------------------------------------------------

/**
 * The switchover's checks. `phase` `preflight` in the Preflight step; `change` when a
 * failback checks again after its wait. Refuses, changing nothing, unless the target is
 * a connected secondary under the lag threshold (or already the writer: a resumed run).
 */
async function switchoverChecks(ctx: StepContext, phase: 'preflight' | 'change'): Promise<StepResult> {
  const target = await commonChecks(ctx);
  const warnings = await oneRunAtATime(ctx, phase);
  const states = await routingStates(ctx, true);
  const view = await describeGlobal(ctx);
  if (!view) throw new PreflightRefusal(`global cluster '${ctx.topology.globalClusterIdentifier}' was not found`);
  refuseIfDetachedRouted(ctx, view, states);
  if (inProgress(view) && view.failoverState!.toClusterArn !== target.clusterArn) {
    throw new PreflightRefusal(`${operationText(ctx, view)} is in progress (not started by this run): wait for it to finish, then check with status`);
  }
  const member = view.members.find((m) => m.clusterArn === target.clusterArn);
  if (!member) {
    throw new PreflightRefusal(`${target.clusterArn} is not a member of global cluster '${view.identifier}': a detached cluster cannot become ` +
      'writer of it again. ' +
      `Rebuild ${target.region} as a secondary first (docs/operations.md, "After a detach: rebuilding the other Regions")`);
  }
  if (member.isWriter && !inProgress(view)) {
    if (routedExactly(states, ctx, wantedOn(ctx, target, states, 'switchover'))) {
      throw new PreflightRefusal(`${target.region} is already the writer and ${servesText(ctx)}: nothing ` +
      'to do', 'nothing-to-do');
    }
    return { detail: `${target.region} is already the writer; traffic will follow (a run to finish)`, warnings };
  }
  if (inProgress(view)) return { detail: `${operationText(ctx, view)} is under way; this run follows it`, warnings };
  await inSyncOrRefuse(ctx, target, view);
  const health = await checkTargetHealth(ctx, target);
  const lag = await lagOf(ctx, target);
  return { detail: `target in sync (${lagText(ctx, lag)}), ${health}, ARC data plane reachable`, warnings };
}

/** I3: refuses unless the target is a connected secondary of an available global cluster, under the lag threshold now. */
async function inSyncOrRefuse(ctx: StepContext, target: RunbookRegion, view: GlobalClusterView): Promise<void> {
  const member = view.members.find((m) => m.clusterArn === target.clusterArn)!;
  if (view.status !== 'available') {
    throw new PreflightRefusal(`global cluster '${view.identifier}' is ${view.status}, not available; wait until it is available`);
  }
  if (member.synchronizationStatus !== undefined && member.synchronizationStatus !== 'connected') {
    throw new PreflightRefusal(`${target.region} is not in sync (synchronization status ${member.synchronizationStatus}); wait until it is ` +
      'connected');
  }
  const maxLag = ctx.input.maxRpoLagMs ?? DEFAULT_MAX_RPO_LAG_MS;
  const lag = await lagOf(ctx, target);
  if (lag === undefined) {
    throw new PreflightRefusal(`no recent AuroraGlobalDBRPOLag for ${target.clusterIdentifier}: cannot tell how far it lags; check the ` +
      'secondary\'s replication');
  }
  if (lag.valueMs > maxLag) {
    throw new PreflightRefusal(`${target.region} lags ${lag.valueMs} ms behind the writer, over the ${maxLag} ms allowed (MaxRpoLagSeconds); ` +
      'wait for it to catch up');
  }
}

export async function switchoverPreflight(ctx: StepContext): Promise<StepResult> {
  return switchoverChecks(ctx, 'preflight');
}

/** Failback: the switchover's checks again, after the wait for the rejoin. */
export async function checkInSync(ctx: StepContext): Promise<StepResult> {
  return switchoverChecks(ctx, 'change');
}

/** `SwitchoverGlobalCluster`, after reading again that the target is a caught-up member (I3) and no other run is under way (I4). */
export async function startSwitchover(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  const until = waitUntil(ctx);
  const warnings = await oneRunAtATime(ctx, 'change');
  const view = await describeGlobal(ctx);
  if (!view) throw new Error(`global cluster '${ctx.topology.globalClusterIdentifier}' was not found`);
  if (inProgress(view)) {
    if (view.failoverState!.toClusterArn === target.clusterArn) {
      return { skipped: true, detail: `a ${view.failoverState!.status} to ${target.region} is already under way`, waitUntil: until, warnings };
    }
    throw new PreflightRefusal(`${operationText(ctx, view)} is in progress (not started by this run): wait for it to finish`);
  }
  const member = view.members.find((m) => m.clusterArn === target.clusterArn);
  if (member?.isWriter) return { skipped: true, detail: `${target.region} is already the writer`, waitUntil: until, warnings };
  if (!member) {
    throw new PreflightRefusal(`${target.clusterArn} is no longer a member of global cluster '${view.identifier}': nothing was ` +
    'switched over');
  }
  const states = await routingStates(ctx, true);
  refuseIfDetachedRouted(ctx, view, states);
  await inSyncOrRefuse(ctx, target, view);
  try {
    await retrying(ctx, 'SwitchoverGlobalCluster', () => ctx.cloud.switchoverGlobalCluster(view.identifier, target.clusterArn));
  } catch (e) {
    // Refused because an operation started meanwhile, or our own first attempt went through.
    const again = await describeGlobal(ctx);
    if (again && inProgress(again) && again.failoverState!.toClusterArn === target.clusterArn) {
      return { detail: `a ${again.failoverState!.status} to ${target.region} is under way`, waitUntil: until, warnings };
    }
    if (again && inProgress(again)) {
      throw new PreflightRefusal(`${operationText(ctx, again)} started meanwhile (not by this run): nothing was ` +
      'switched over');
    }
    throw e;
  }
  return { detail: `SwitchoverGlobalCluster to ${target.clusterArn}`, waitUntil: until, warnings };
}

export async function waitForWriter(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  return pollUntil(ctx, `${target.region} is the writer`, () => isSettledWriter(ctx, target));
}

/** Routes to the target once it is the settled writer of a global database that holds the data (I1). */
export async function routeAfterSwitchover(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  const warnings = await oneRunAtATime(ctx, 'change', `the writer moved to ${target.region}; traffic has not moved: run the runbook again to finish`);
  const settled = await isSettledWriter(ctx, target);
  if (!settled.done) {
    throw new Error(`${target.region} is not the writer yet (${settled.seen}); traffic stays where it is; run the runbook again to resume`);
  }
  const states = await routingStates(ctx, false);
  const view = await describeGlobal(ctx);
  if (view) refuseIfDetachedRouted(ctx, view, states, target);
  return { ...(await routeExactly(ctx, wantedOn(ctx, target, states, 'switchover'), states)), warnings };
}

export async function verifySwitchover(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  await verifyRouting(ctx, target, 'switchover');
  const settled = await isSettledWriter(ctx, target);
  if (!settled.done) throw new Error(`${target.region} is not the settled writer of '${ctx.topology.globalClusterIdentifier}': ${settled.seen}`);
  return { detail: `${target.region} is the writer and ${servesText(ctx)}` };
}

/** How the writer's Region serves once a move is done, for the messages. */
function servesText(ctx: StepContext): string {
  return ctx.topology.activeActive ? 'serves traffic' : 'receives all traffic';
}

async function verifyRouting(ctx: StepContext, target: RunbookRegion, move: 'switchover' | 'failover'): Promise<void> {
  const states = await routingStates(ctx, false);
  const on = wantedOn(ctx, target, states, move);
  if (!routedExactly(states, ctx, on)) {
    throw new Error(`routing is not on ${names(on)} only: ${JSON.stringify(states)}`);
  }
}

// ---------------------------------------------------------------------------
// Failover steps
// ---------------------------------------------------------------------------

/** How a failover stands, from the global cluster and the routing. */
type FailoverPlan =
  | { kind: 'promote' } // the target is a secondary: route, then promote
  | { kind: 'underway' } // a failover or switchover to the target is in progress
  | { kind: 'writer' } // the target is already the writer: route
  | { kind: 'detached' } // an earlier run of this runbook detached and routed the target
  | { kind: 'unreachable'; error: string }; // the global cluster cannot be described (AllowDetach given)

/**
 * The global cluster as a read sees it (undefined when it does not exist), or, when it
 * cannot be read after the retries, that error: refused with `refusal` unless the run
 * allows a detach (AllowDetach), the caller's to act on.
 */
async function describeGlobalUnlessUnreachable(
  ctx: StepContext, refusal: (error: RetriesExhausted) => Error,
): Promise<{ view?: GlobalClusterView; unreachable?: RetriesExhausted }> {
  try {
    return { view: await describeGlobal(ctx) };
  } catch (e) {
    if (!(e instanceof RetriesExhausted)) throw e;
    if (!ctx.input.allowDetach) throw refusal(e);
    return { unreachable: e };
  }
}

/**
 * Reads the global cluster and decides what the failover does, refusing (before any
 * change) what would break an invariant: a foreign operation in progress, a detached
 * copy routed, a target outside the global database, an unreachable global cluster
 * without AllowDetach.
 */
async function failoverPlan(ctx: StepContext, target: RunbookRegion, states: States): Promise<{ plan: FailoverPlan; view?: GlobalClusterView }> {
  const read = await describeGlobalUnlessUnreachable(ctx, (e) => new PreflightRefusal(
    `the global database cannot be described from ${ctx.localRegion} (${e.message}): a managed failover needs it. ` +
      'Start the failover again when it answers, or, if it stays unreachable, with AllowDetach=true to detach and promote ' +
      `${target.region} on its own (irreversible: the other Regions must then be rebuilt from it)`));
  if (read.unreachable) {
    await refuseIfStandaloneRouted(ctx, target, states);
    return { plan: { kind: 'unreachable', error: read.unreachable.message } };
  }
  let view = read.view;
  if (!view) throw new PreflightRefusal(`global cluster '${ctx.topology.globalClusterIdentifier}' was not found`);
  const member = view.members.find((m) => m.clusterArn === target.clusterArn);
  refuseIfDetachedRouted(ctx, view, states, member ? undefined : target);
  if (!member) {
    if (routedOnlyTo(states, ctx, target)) return { plan: { kind: 'detached' }, view };
    throw new PreflightRefusal(`${target.clusterArn} is not a member of global cluster '${view.identifier}': it is a detached copy, not the data. ` +
      `Rebuild ${target.region} as a secondary first (docs/operations.md, "After a detach: rebuilding the other Regions")`);
  }
  if (inProgress(view)) {
    if (view.failoverState!.toClusterArn === target.clusterArn) return { plan: { kind: 'underway' }, view };
    throw new PreflightRefusal(`${operationText(ctx, view)} is in progress (not started by this run): wait for it to finish, then check with status`);
  }
  if (member.isWriter) {
    if (routedOnlyTo(states, ctx, target)) {
      throw new PreflightRefusal(`${target.region} is already the writer and receives all traffic: nothing ` +
      'to do', 'nothing-to-do');
    }
    if (ctx.topology.activeActive) {
      // The writer is healthy where it is: what is impaired is a Region without it, whose
      // copy a failover would not move; taking every other Region out would be the harm.
      throw new PreflightRefusal(`${target.region} is already the writer and serves traffic: a failover has nothing to move, and would ` +
        `take every other Region out of service. To take an impaired Region out, run the Evacuate runbook from ${target.region}: ` +
        'nothing to do', 'nothing-to-do');
    }
    return { plan: { kind: 'writer' }, view };
  }
  return { plan: { kind: 'promote' }, view };
}

/**
 * I1 while the global database cannot be described: each Regional cluster still says
 * whether it belongs to a global database (`GlobalClusterIdentifier`). A routed cluster
 * that belongs to none was detached earlier and holds the data; a target that belongs to
 * none is a detached copy. Either way a detach of the target would serve stale data.
 * A Region that does not answer (the impaired one) cannot be told, and is not held against the run.
 */
async function refuseIfStandaloneRouted(ctx: StepContext, target: RunbookRegion, states: States): Promise<void> {
  for (const r of routedRegions(states, ctx).filter((x) => x !== target)) {
    let cluster: ClusterView | undefined;
    try {
      cluster = await ctx.cloud.describeCluster(r.clusterArn);
    } catch (e) {
      if (errorKind(e) !== 'transient') throw e;
      continue;
    }
    if (cluster && !cluster.globalClusterIdentifier) throw new PreflightRefusal(rebuildAdvice(ctx, [r]));
  }
  const own = await describeTarget(ctx, target);
  if (own && !own.globalClusterIdentifier && !routedOnlyTo(states, ctx, target)) {
    throw new PreflightRefusal(`${target.clusterArn} belongs to no global database: it is a detached copy, not the data. ` +
      `Rebuild ${target.region} as a secondary first (docs/operations.md, "After a detach: rebuilding the other Regions")`);
  }
}

/** Refuses, before routing moves, when the target lags more than MaxDataLossSeconds (or its lag is unknown then). */
function refuseOverDataLoss(ctx: StepContext, lag: LagReading | undefined): void {
  const max = ctx.input.maxDataLossMs;
  if (!max) return;
  if (!lag) {
    throw new PreflightRefusal(`MaxDataLossSeconds is ${max / 1000} but the data-loss window cannot be measured (${lagText(ctx, lag)}): ` +
      'start the failover with MaxDataLossSeconds=0 to go on without a bound');
  }
  if (lag.valueMs > max) {
    throw new PreflightRefusal(`the target lags ${lag.valueMs} ms (${lagText(ctx, lag)}), over MaxDataLossSeconds (${max / 1000} s): ` +
      'a failover now would lose more than that. Wait for the lag to fall, or start again with a larger MaxDataLossSeconds (0: no bound)');
  }
}

export async function failoverPreflight(ctx: StepContext): Promise<StepResult> {
  if (ctx.input.allowDataLoss !== true) {
    throw new PreflightRefusal(
      'AllowDataLoss is not true: a failover promotes the target without waiting for replication and can lose the writes not yet replicated. ' +
        'Start it with AllowDataLoss=true to accept that, or run the switchover runbook when both Regions are healthy',
    );
  }
  const target = await commonChecks(ctx);
  const warnings = await oneRunAtATime(ctx, 'preflight');
  const states = await routingStates(ctx, true);
  const { plan } = await failoverPlan(ctx, target, states);
  // A run that resumes one under way finds the target mid-promotion: its health is what the wait checks.
  const health = plan.kind === 'promote' ? `; ${await checkTargetHealth(ctx, target)}` : '';
  const lag = plan.kind === 'promote' || plan.kind === 'unreachable' ? await lagOf(ctx, target) : undefined;
  if (plan.kind === 'promote' || plan.kind === 'unreachable') refuseOverDataLoss(ctx, lag);
  const planText: Record<FailoverPlan['kind'], string> = {
    promote: 'global cluster reachable: will route, then fail over',
    underway: 'a failover to the target is under way: this run follows it',
    writer: 'the target is already the writer: will route to it',
    detached: 'the target was detached and promoted by an earlier run: this run finishes it',
    unreachable: `global cluster unreachable (${plan.kind === 'unreachable' ? plan.error : ''}): AllowDetach is true, will detach and promote`,
  };
  return {
    detail: `ARC data plane reachable; ${planText[plan.kind]}${health}; ${lag ? lagText(ctx, lag) : 'no lag to read'}`,
    warnings,
  };
}

/** Routes to the target before it is promoted, after reading again that the promotion will follow. */
export async function routeBeforePromotion(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  const warnings = await oneRunAtATime(ctx, 'change');
  const states = await routingStates(ctx, false);
  if (routedOnlyTo(states, ctx, target)) return { skipped: true, detail: `traffic already goes to ${target.region} only`, warnings };
  const { plan } = await failoverPlan(ctx, target, states);
  if (plan.kind === 'promote' || plan.kind === 'unreachable') refuseOverDataLoss(ctx, await lagOf(ctx, target));
  const others = routedRegions(states, ctx).filter((r) => r !== target);
  const restore = ctx.topology.activeActive && others.length > 0
    ? [`${names(others)} ${others.length === 1 ? 'was' : 'were'} taken out of service with the failover: once the failover is done, ` +
      'restore each Region with the Restore runbook, which checks that its copy is connected to the new writer and caught up']
    : [];
  return { ...(await routeOnlyTo(ctx, target, states)), warnings: [...warnings, ...restore] };
}

/** The fencing advice when the old writer was left behind by a detach (I2). */
function fencingWarning(ctx: StepContext, target: RunbookRegion, view: GlobalClusterView | undefined): string {
  const old = view ? writerOf(view) : undefined;
  const oldRegion = old ? regionOfArn(ctx, old) : 'the Region of the old writer';
  return `${target.region} was detached from global database '${ctx.topology.globalClusterIdentifier}' and promoted on its own: ` +
    `the old writer in ${oldRegion}${old ? ` (${old})` : ''} was not fenced and may still accept writes from anything that reaches it outside ` +
      'the routing ' +
    `(its routing control is Off). Fence it now: stop the application in ${oldRegion} and make the cluster refuse writes (revoke the application's ` +
    'database users, or remove the inbound rules of its security groups). Its data and the promoted cluster now diverge; ' +
    'before any failback, rebuild the other Regions from the promoted cluster (docs/operations.md, "After a detach: rebuilding the other Regions")';
}

async function detach(ctx: StepContext, target: RunbookRegion, why: string, view: GlobalClusterView | undefined, until: number): Promise<StepResult> {
  await retrying(ctx, 'RemoveFromGlobalCluster', () => ctx.cloud.detachFromGlobalCluster(ctx.topology.globalClusterIdentifier, target.clusterArn));
  return {
    detail: `${why}; AllowDetach is true: detached ${target.clusterArn} to promote it`,
    detached: true,
    waitUntil: until,
    warnings: [fencingWarning(ctx, target, view)],
  };
}

/**
 * Promotes the target: `FailoverGlobalCluster` with `AllowDataLoss`, transient errors
 * retried. Detaches only with AllowDetach and when the global cluster stays unreachable
 * or refuses the failover for a reason that will not pass (I2). Reads the data-loss
 * window just before the call.
 */
export async function promoteTarget(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  const until = waitUntil(ctx);
  const routed = `traffic goes to ${target.region}, which is not yet writer: start the failover again to promote it`;
  const warnings = await oneRunAtATime(ctx, 'change', routed);
  const id = ctx.topology.globalClusterIdentifier;
  const read = await describeGlobalUnlessUnreachable(ctx, (e) => new Error(
    `the global database cannot be described (${e.message}); ${routed}, or with AllowDetach=true to detach it`));
  if (read.unreachable) {
    const result = await detach(ctx, target, `global cluster unreachable (${read.unreachable.message})`, undefined, until);
    return { ...result, warnings: [...warnings, ...result.warnings!] };
  }
  const view = read.view;
  if (!view) throw new Error(`global cluster '${id}' was not found; ${routed}`);
  const member = view.members.find((m) => m.clusterArn === target.clusterArn);
  if (!member) return { skipped: true, detail: `${target.region} was already detached and promoted`, detached: true, waitUntil: until, warnings };
  if (inProgress(view)) {
    if (view.failoverState!.toClusterArn === target.clusterArn) {
      return { skipped: true, detail: `a ${view.failoverState!.status} to ${target.region} is already under way`, waitUntil: until, warnings };
    }
    throw new Error(`${operationText(ctx, view)} is in progress (not started by this run): this run does not promote; ${routed} once it has ` +
      'finished');
  }
  if (member.isWriter) return { skipped: true, detail: `${target.region} is already the writer`, waitUntil: until, warnings };

  const lag = await lagOf(ctx, target);
  const window = lag ? { dataLossWindowMs: lag.valueMs, dataLossMeasuredAt: lag.at } : {};
  try {
    await retrying(ctx, 'FailoverGlobalCluster', () => ctx.cloud.failoverGlobalCluster(id, target.clusterArn));
    return {
      detail: `FailoverGlobalCluster to ${target.clusterArn} with AllowDataLoss; ${lagText(ctx, lag)} before the ` +
      'call',
      waitUntil: until,
      warnings,
      ...window,
    };
  } catch (e) {
    if (e instanceof RetriesExhausted) throw new Error(`${e.message}; nothing irreversible was done; ${routed}`);
    const again = await describeGlobal(ctx);
    if (again && inProgress(again)) {
      if (again.failoverState!.toClusterArn === target.clusterArn) {
        return { detail: `a ${again.failoverState!.status} to ${target.region} is under way`, waitUntil: until, warnings, ...window };
      }
      throw new Error(`FailoverGlobalCluster was refused because ${operationText(ctx, again)} is in progress (not started by this run); ` +
        `${routed} once it has finished`);
    }
    if (!ctx.input.allowDetach) {
      throw new Error(`FailoverGlobalCluster was refused (${describeError(e)}); ${routed}, or with AllowDetach=true to detach and promote it on ` +
        'its own (irreversible)');
    }
    const result = await detach(ctx, target, `FailoverGlobalCluster was refused (${describeError(e)})`, view, until);
    return { ...result, ...window, warnings: [...warnings, ...result.warnings!] };
  }
}

/** Whether the target takes writes: the settled writer of the global cluster, or a detached cluster that is available. */
async function isWritable(ctx: StepContext, target: RunbookRegion): Promise<{ done: boolean; seen: string; detached: boolean }> {
  let view: GlobalClusterView | undefined;
  let reachable = true;
  try {
    view = await ctx.cloud.describeGlobalCluster(ctx.topology.globalClusterIdentifier);
  } catch (e) {
    if (errorKind(e) !== 'transient') throw e;
    reachable = false;
  }
  const detached = reachable ? !view?.members.some((m) => m.clusterArn === target.clusterArn) : ctx.input.detached === true;
  if (!reachable && !detached) return { done: false, seen: 'global cluster unreachable', detached };
  if (detached) {
    const cluster = await ctx.cloud.describeCluster(target.clusterArn);
    return { done: cluster?.status === USABLE, seen: `stand-alone cluster ${cluster?.status ?? 'not found'}`, detached };
  }
  return { ...(await isSettledWriter(ctx, target)), detached };
}

export async function waitUntilWritable(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  return pollUntil(ctx, `${target.region} is writable`, () => isWritable(ctx, target));
}

export async function verifyFailover(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  await verifyRouting(ctx, target, 'failover');
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

export async function failbackPreflight(ctx: StepContext): Promise<StepResult> {
  const target = await commonChecks(ctx);
  const warnings = await oneRunAtATime(ctx, 'preflight');
  const states = await routingStates(ctx, true);
  const view = await describeGlobal(ctx);
  if (!view) throw new PreflightRefusal(`global cluster '${ctx.topology.globalClusterIdentifier}' was not found`);
  // I3: after a detach the Region serving traffic is outside the global database; a
  // failback would route to the stale copy and strand every write made since.
  refuseIfDetachedRouted(ctx, view, states);
  const member = view.members.find((m) => m.clusterArn === target.clusterArn);
  if (member?.isWriter && routedExactly(states, ctx, wantedOn(ctx, target, states, 'switchover')) && !inProgress(view)) {
    throw new PreflightRefusal(`${target.region} is already the writer and ${servesText(ctx)}: nothing to do`, 'nothing-to-do');
  }
  if (inProgress(view) && view.failoverState!.toClusterArn !== target.clusterArn) {
    throw new PreflightRefusal(`${operationText(ctx, view)} is in progress (not started by this run): wait for it to finish, then check with status`);
  }
  const cluster = await describeTarget(ctx, target);
  if (!cluster) throw new PreflightRefusal(`${target.clusterArn} does not exist: recreate it (redeploy that Region's stack) before failing back`);
  const standing = member
    ? member.isWriter ? `${target.region} is already the writer (a run to ` +
      'finish)' : `${target.region} is a member (${member.synchronizationStatus ?? 'status unknown'})`
    : `${target.region} is not a member yet: waiting for Aurora to add it back`;
  return {
    detail: `ARC data plane reachable; global cluster '${view.identifier}' is ` +
    `${view.status}; ${standing}`,
    waitUntil: waitUntil(ctx),
    warnings,
  };
}

/** Waits until the target is a connected member of the global database under the lag threshold (or the writer, in a resumed run). */
export async function waitForRejoin(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  const maxLag = ctx.input.maxRpoLagMs ?? DEFAULT_MAX_RPO_LAG_MS;
  return pollUntil(ctx, `${target.region} rejoined and caught up`, async () => {
    const view = await ctx.cloud.describeGlobalCluster(ctx.topology.globalClusterIdentifier);
    const member = view?.members.find((m) => m.clusterArn === target.clusterArn);
    if (!member) return { done: false, seen: 'not yet a member of the global cluster' };
    if (member.isWriter) return { done: true, seen: `${target.region} is already the writer` };
    if (member.synchronizationStatus !== undefined && member.synchronizationStatus !== 'connected') {
      return { done: false, seen: `synchronization ${member.synchronizationStatus}` };
    }
    const lag = await ctx.cloud.lastRpoLag(target.clusterIdentifier, LAG_LOOKBACK_MS);
    return { done: lag !== undefined && lag.valueMs <= maxLag, seen: `connected secondary, ${lagText(ctx, lag)}` };
  });
}

// ---------------------------------------------------------------------------
// Rebuild steps: after a detach, the Regions left outside the serving cluster become
// its secondaries again. Routing never changes; the serving cluster is never touched
// but to become the writer of the re-created global database.
// ---------------------------------------------------------------------------

/** What a rebuild works from: the one Region serving traffic, and this Region's published cluster spec. */
async function rebuildPlan(
  ctx: StepContext, refuse: boolean,
): Promise<{ target: RunbookRegion; serving: RunbookRegion; spec: ClusterSpec; states: States }> {
  const target = targetOf(ctx);
  const states = await routingStates(ctx, refuse);
  const routed = routedRegions(states, ctx);
  if (routed.length !== 1) {
    throw new PreflightRefusal(`traffic goes to ${routed.map((r) => r.region).join(' and ') || 'no Region'}: a rebuild needs exactly one Region ` +
      'serving, ' +
      'the one whose cluster holds the data; route to it first');
  }
  const serving = routed[0];
  if (serving === target) {
    throw new PreflightRefusal(`${target.region} serves traffic: its cluster is the data. Run the rebuild in each Region to rebuild from it ` +
      `(${ctx.topology.regions.filter((r) => r !== target).map((r) => r.region).join(', ')})`, 'nothing-to-do');
  }
  const spec = ctx.topology.localClusterSpec;
  if (!spec || spec.clusterIdentifier !== target.clusterIdentifier) {
    throw new PreflightRefusal(`${target.region} publishes no spec of its cluster ${target.clusterIdentifier} to re-create it from: ` +
      'redeploy the database stack of this Region (it writes the parameter), then start the rebuild again');
  }
  return { target, serving, spec, states };
}

/** The final snapshot of the stale cluster: deterministic per run, so a step run again names the same one. */
export function rebuildSnapshotIdentifier(clusterIdentifier: string, executionId: string | undefined): string {
  const suffix = (executionId ?? 'manual').replace(/[^a-zA-Z0-9]/g, '').slice(0, 8).toLowerCase() || 'manual';
  return `${clusterIdentifier.slice(0, 200)}-before-rebuild-${suffix}`;
}

export async function rebuildPreflight(ctx: StepContext): Promise<StepResult> {
  await commonChecks(ctx);
  const warnings = await oneRunAtATime(ctx, 'preflight');
  const { target, serving } = await rebuildPlan(ctx, true);
  const view = await describeGlobal(ctx);
  const servingMember = view?.members.find((m) => m.clusterArn === serving.clusterArn);
  if (servingMember && !servingMember.isWriter) {
    throw new PreflightRefusal(`traffic goes to ${serving.region}, a secondary of global database '${ctx.topology.globalClusterIdentifier}' that ` +
      'takes no writes: ' +
      'finish the failover or switchover to it first');
  }
  const targetMember = view?.members.find((m) => m.clusterArn === target.clusterArn);
  if (servingMember?.isWriter && targetMember && !targetMember.isWriter && targetMember.synchronizationStatus === 'connected') {
    throw new PreflightRefusal(`${target.region} is already a connected secondary of ${serving.region}'s cluster: nothing to rebuild. ` +
      `Fail back to ${target.region} with the failback runbook once it has caught up`, 'nothing-to-do');
  }
  const servingCluster = await retrying(ctx, 'DescribeDBClusters of ' +
    `${serving.clusterIdentifier}`, () => ctx.cloud.describeCluster(serving.clusterArn));
  if (servingCluster?.status !== USABLE) {
    throw new PreflightRefusal(`the serving cluster ${serving.clusterIdentifier} is ${servingCluster?.status ?? 'missing'}, not available: wait ` +
      'until it is');
  }
  const plan = servingMember?.isWriter
    ? `global database '${ctx.topology.globalClusterIdentifier}' already has ${serving.region} as its writer`
    : `global database '${ctx.topology.globalClusterIdentifier}' will be re-created with ${serving.region}'s cluster as its writer` +
      (view ? ` (its ${view.members.length} stale member(s) removed first)` : '');
  const snapshot = rebuildSnapshotIdentifier(target.clusterIdentifier, ctx.input.executionId);
  return {
    detail: `${serving.region} serves traffic from a cluster outside the global database; ${plan}; ${target.clusterIdentifier} will be deleted ` +
      `(final snapshot ${snapshot}) and created again as a secondary`,
    warnings: [...warnings, `the stale cluster ${target.clusterIdentifier} in ${target.region} is deleted by this run; its data stays in the ` +
      `final snapshot ${snapshot}`],
  };
}

/** Reads again, after the approval, everything the rebuild rests on; the deadline of the waits that follow starts here. */
export async function checkBeforeRebuild(ctx: StepContext): Promise<StepResult> {
  const warnings = await oneRunAtATime(ctx, 'change');
  const { serving } = await rebuildPlan(ctx, true);
  return { detail: `${serving.region} still serves traffic alone`, waitUntil: waitUntil(ctx), warnings };
}

/**
 * Converges the global database on the serving cluster: removes its stale members
 * (secondaries first), deletes it, and creates it again from the serving cluster, which
 * becomes its writer. One action per poll, each after reading the state again.
 */
export async function rehomeGlobalDatabase(ctx: StepContext): Promise<StepResult> {
  const warnings = await oneRunAtATime(ctx, 'change');
  const { serving } = await rebuildPlan(ctx, false);
  const id = ctx.topology.globalClusterIdentifier;
  const result = await pollUntil(ctx, `global database '${id}' has ${serving.region} as its writer`, async () => {
    const view = await ctx.cloud.describeGlobalCluster(id);
    if (!view) {
      await ctx.cloud.createGlobalCluster(id, serving.clusterArn);
      return { done: false, seen: `creating global database '${id}' from ${serving.clusterIdentifier}` };
    }
    if (writerOf(view) === serving.clusterArn) {
      return view.status === 'available' ? {
        done: true,
        seen: `${serving.region} is the ` +
        'writer',
      } : { done: false, seen: `global database ${view.status}` };
    }
    if (view.members.some((m) => m.clusterArn === serving.clusterArn)) {
      throw new Error(`${serving.clusterIdentifier} is a member of the global database but not its writer: stopping before anything else is removed`);
    }
    const stale = [...view.members].sort((a, b) => Number(a.isWriter) - Number(b.isWriter))[0];
    if (stale) {
      await ctx.cloud.removeFromGlobalCluster(id, stale.clusterArn);
      return { done: false, seen: `removing stale member ${stale.clusterArn}` };
    }
    if (view.status !== 'deleting') await ctx.cloud.deleteGlobalCluster(id);
    return { done: false, seen: `deleting the emptied global database '${id}'` };
  });
  return { ...result, warnings };
}

/**
 * Converges this Region's cluster on a secondary of the re-homed global database: the
 * stale cluster's instances deleted, the cluster deleted with a final snapshot, then
 * created again from the published spec, with its instances. Never touches a cluster
 * that is a member of the global database.
 */
export async function replaceStaleCluster(ctx: StepContext): Promise<StepResult> {
  const warnings = await oneRunAtATime(ctx, 'change');
  const { target, serving, spec } = await rebuildPlan(ctx, false);
  const id = ctx.topology.globalClusterIdentifier;
  const snapshot = rebuildSnapshotIdentifier(target.clusterIdentifier, ctx.input.executionId);
  const result = await pollUntil(ctx, `${target.region} is a connected secondary of ${serving.region}`, async () => {
    const view = await ctx.cloud.describeGlobalCluster(id);
    if (!view || writerOf(view) !== serving.clusterArn) return { done: false, seen: 'the global database is not re-homed yet' };
    const cluster = await ctx.cloud.describeCluster(target.clusterArn);
    const member = view.members.find((m) => m.clusterArn === target.clusterArn);
    if (member) {
      if (!cluster || cluster.status !== USABLE) return { done: false, seen: `secondary ${cluster?.status ?? 'not found yet'}` };
      const missing = spec.instances.filter((i) => !cluster.instances.some((x) => x.identifier === i.identifier));
      for (const instance of missing) await ctx.cloud.createInstance(spec, instance);
      const ready = missing.length === 0 && cluster.instances.every((i) => i.status === USABLE);
      const synced = member.synchronizationStatus === undefined || member.synchronizationStatus === 'connected';
      return ready && synced
        ? { done: true, seen: `${target.clusterIdentifier} is a connected secondary with ${cluster.instances.length} instance(s)` }
        : {
          done: false,
          seen: `secondary ${member.synchronizationStatus ?? 'joining'}, instances ` +
          `${cluster.instances.map((i) => `${i.identifier} ${i.status}`).join(', ') || 'being created'}`,
        };
    }
    if (!cluster) {
      await ctx.cloud.createSecondaryCluster(id, spec);
      return { done: false, seen: `creating ${target.clusterIdentifier} as a secondary` };
    }
    if (cluster.status === 'deleting') return { done: false, seen: `the stale cluster is being deleted (final snapshot ${snapshot})` };
    // Just removed from the global database, a cluster is still being promoted: it cannot be deleted yet.
    if (cluster.status !== USABLE) return { done: false, seen: `the stale cluster is ${cluster.status}` };
    const live = cluster.instances.filter((i) => i.status !== 'deleting');
    for (const instance of live) await ctx.cloud.deleteInstance(target.clusterArn, instance.identifier);
    if (cluster.instances.length > 0) {
      return {
        done: false,
        seen: 'deleting the stale cluster\'s instances ' +
      `(${cluster.instances.map((i) => i.identifier).join(', ')})`,
      };
    }
    await ctx.cloud.deleteCluster(target.clusterArn, snapshot);
    return { done: false, seen: `deleting the stale cluster with final snapshot ${snapshot}` };
  });
  return { ...result, warnings };
}

export async function verifyRebuild(ctx: StepContext): Promise<StepResult> {
  const { target, serving } = await rebuildPlan(ctx, false);
  const view = await describeGlobal(ctx);
  const member = view?.members.find((m) => m.clusterArn === target.clusterArn);
  if (!view || writerOf(view) !== serving.clusterArn || !member || member.isWriter) {
    throw new Error(`${target.region} is not a secondary of ${serving.region}'s cluster in global database ` +
      `'${ctx.topology.globalClusterIdentifier}'`);
  }
  return {
    detail: `${target.region} is a secondary of ${serving.region}, which still serves traffic; fail back to ${target.region} with the failback ` +
      'runbook once it has caught up',
  };
}

// ---------------------------------------------------------------------------
// Evacuate and restore (active/active)
// ---------------------------------------------------------------------------

/** Refuses a runbook for active/active on routing that serves one Region at a time. */
function requireActiveActive(ctx: StepContext, runbook: string): void {
  if (!ctx.topology.activeActive) {
    throw new PreflightRefusal(`the ${runbook} runbook is for active/active routing, and this routing serves one Region at a time ` +
      '(ArcRoutedApi RoutingMode.ACTIVE_PASSIVE): move traffic with the switchover or failover runbook instead');
  }
}

/** The topology's entry for the Region the run happens in. */
function localOf(ctx: StepContext): RunbookRegion {
  const found = ctx.topology.regions.find((r) => r.region === ctx.localRegion);
  if (!found) {
    throw new PreflightRefusal(`this runbook runs in ${ctx.localRegion}, which is not part of this topology ` +
      `(${names(ctx.topology.regions)})`);
  }
  return found;
}

/** The same context, acting on `region` as its target: the evacuation moves the writer to the Region it runs in. */
function aimedAt(ctx: StepContext, region: RunbookRegion): StepContext {
  return { ...ctx, input: { ...ctx.input, targetRegion: region.region } };
}

/**
 * The evacuation's checks (I1, I4): an active/active routing, started in another Region
 * that serves, the evacuated Region not the last one On, and, when it holds the writer,
 * the Region the run happens in able to take it over (a connected member under the lag
 * threshold, healthy), as for a switchover.
 */
export async function evacuatePreflight(ctx: StepContext): Promise<StepResult> {
  requireActiveActive(ctx, 'evacuate');
  const target = targetOf(ctx);
  const local = localOf(ctx);
  if (local === target) {
    throw new PreflightRefusal(`this evacuation of ${target.region} runs in ${target.region}: start it in a Region that stays in service ` +
      `(${names(ctx.topology.regions.filter((r) => r !== target))}), so that it never depends on the Region it takes out`);
  }
  refuseApprovalWithoutApprovers(ctx);
  // The Region the run happens in stays in service, and takes the writer if the Region taken out holds it.
  await refuseWithoutSecret(ctx);
  const warnings = await oneRunAtATime(ctx, 'preflight');
  const states = await routingStates(ctx, true);
  const view = await describeGlobal(ctx);
  if (!view) throw new PreflightRefusal(`global cluster '${ctx.topology.globalClusterIdentifier}' was not found`);
  refuseIfDetachedRouted(ctx, view, states);
  const holdsWriter = writerOf(view) === target.clusterArn;
  if (inProgress(view) && !(holdsWriter && view.failoverState!.toClusterArn === local.clusterArn)) {
    throw new PreflightRefusal(`${operationText(ctx, view)} is in progress (not started by this run): wait for it to finish, then check with status`);
  }
  const staying = routedRegions(states, ctx).filter((r) => r !== target);
  if (states[target.routingControlArn] !== 'On' && !holdsWriter) {
    throw new PreflightRefusal(`${target.region} is already out of service (its routing control is Off) and does not hold the writer: ` +
      'nothing to do', 'nothing-to-do');
  }
  if (staying.length === 0) {
    throw new PreflightRefusal(`${target.region} is the last Region in service: taking it out would leave none (the safety rule refuses ` +
      'it too). Restore another Region first, or move traffic with the failover runbook');
  }
  if (!staying.includes(local)) {
    throw new PreflightRefusal(`${local.region}, where this run happens, is not in service (its routing control is Off): start the ` +
      `evacuation in a Region that serves (${names(staying)})`);
  }
  if (!holdsWriter) {
    return {
      detail: `ARC data plane reachable; the writer is in ${regionOfArn(ctx, writerOf(view))}; ${target.region} will be turned Off, ` +
      `${names(staying)} stay On`,
      warnings,
    };
  }
  if (inProgress(view)) return { detail: `${operationText(ctx, view)} is under way; this run follows it`, warnings };
  await inSyncOrRefuse(ctx, local, view);
  const health = await checkTargetHealth(ctx, local);
  return {
    detail: `ARC data plane reachable; ${target.region} holds the writer, which moves to ${local.region} first (in sync, ${health}); ` +
      `then ${target.region} is turned Off, ${names(staying)} stay On`,
    warnings,
  };
}

/** When the evacuated Region holds the writer, switches it over to the Region the run happens in; skipped otherwise. */
export async function moveWriterAway(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  const local = localOf(ctx);
  const until = waitUntil(ctx);
  const view = await describeGlobal(ctx);
  if (!view) throw new Error(`global cluster '${ctx.topology.globalClusterIdentifier}' was not found`);
  const writer = writerOf(view);
  if (writer !== target.clusterArn && !(inProgress(view) && view.failoverState!.toClusterArn === local.clusterArn)) {
    const warnings = await oneRunAtATime(ctx, 'change');
    return { skipped: true, detail: `the writer is in ${regionOfArn(ctx, writer)}, not in ${target.region}: it stays`, waitUntil: until, warnings };
  }
  // The switchover's own step: it reads again that the Region it moves to is a caught-up member (I3) and that no other run is under way (I4).
  return startSwitchover(aimedAt(ctx, local));
}

/** Waits until the evacuated Region no longer holds the writer and the writer is settled. */
export async function waitForWriterAway(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  return pollUntil(ctx, `the writer has left ${target.region}`, async () => {
    const view = await ctx.cloud.describeGlobalCluster(ctx.topology.globalClusterIdentifier);
    if (!view) return { done: false, seen: `global cluster '${ctx.topology.globalClusterIdentifier}' not found` };
    if (inProgress(view)) return { done: false, seen: `${view.failoverState!.status} in progress` };
    const writer = writerOf(view);
    if (!writer) return { done: false, seen: 'no writer' };
    if (writer === target.clusterArn) return { done: false, seen: `${target.region} is still the writer` };
    const cluster = await ctx.cloud.describeCluster(writer);
    return cluster?.status === USABLE
      ? { done: true, seen: `the writer is in ${regionOfArn(ctx, writer)}` }
      : { done: false, seen: `the writer is in ${regionOfArn(ctx, writer)}, cluster ${cluster?.status ?? 'not found'}` };
  });
}

/** Turns the evacuated Region Off, the others as they are, after reading again that it holds no writer and is not the last On. */
export async function evacuateRegion(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  const warnings = await oneRunAtATime(ctx, 'change', `${target.region} still serves: run the evacuation again to finish`);
  const states = await routingStates(ctx, false);
  if (states[target.routingControlArn] !== 'On') {
    return { skipped: true, detail: `${target.region} is already out of service`, warnings };
  }
  const view = await describeGlobal(ctx);
  if (!view) throw new Error(`global cluster '${ctx.topology.globalClusterIdentifier}' was not found; ${target.region} still serves`);
  if (writerOf(view) === target.clusterArn || inProgress(view)) {
    throw new Error(`${target.region} still holds the writer, or a switchover is under way: it stays in service; run the evacuation ` +
      'again to resume');
  }
  refuseIfDetachedRouted(ctx, view, states);
  const staying = routedRegions(states, ctx).filter((r) => r !== target);
  if (staying.length === 0) throw new Error(`${target.region} is the last Region in service: it stays in service`);
  const result = await routeExactly(ctx, staying, states);
  return { detail: `${target.region} Off; ${result.detail}`, warnings };
}

export async function verifyEvacuation(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  const states = await routingStates(ctx, false);
  const on = routedRegions(states, ctx);
  if (on.includes(target) || on.length === 0) throw new Error(`${target.region} should be Off and another Region On: ${JSON.stringify(states)}`);
  const view = await describeGlobal(ctx);
  if (!view || writerOf(view) === target.clusterArn) throw new Error(`${target.region} still holds the writer`);
  return {
    detail: `${target.region} is out of service; ${names(on)} serve${on.length === 1 ? 's' : ''}; the writer is in ` +
    `${regionOfArn(ctx, writerOf(view))}`,
  };
}

/**
 * The restoration's checks (I1, I3, I4): an active/active routing, started in the Region
 * it restores, whose cluster is the writer or a connected member of the global database
 * under the lag threshold, with an instance to serve from.
 */
export async function restorePreflight(ctx: StepContext): Promise<StepResult> {
  requireActiveActive(ctx, 'restore');
  const target = await commonChecks(ctx);
  const warnings = await oneRunAtATime(ctx, 'preflight');
  const states = await routingStates(ctx, true);
  const view = await describeGlobal(ctx);
  if (!view) throw new PreflightRefusal(`global cluster '${ctx.topology.globalClusterIdentifier}' was not found`);
  if (states[target.routingControlArn] === 'On') {
    throw new PreflightRefusal(`${target.region} is already in service (its routing control is On): nothing to do`, 'nothing-to-do');
  }
  const seen = await restorable(ctx, target, view, states);
  return { detail: `ARC data plane reachable; ${seen}`, warnings };
}

/**
 * Refuses, changing nothing, unless routing `target` keeps routing on the data: no
 * detached copy serves, and the target is the writer or a connected member under the
 * lag threshold, with an available instance.
 */
async function restorable(ctx: StepContext, target: RunbookRegion, view: GlobalClusterView, states: States): Promise<string> {
  refuseIfDetachedRouted(ctx, view, states);
  const member = view.members.find((m) => m.clusterArn === target.clusterArn);
  if (!member) {
    throw new PreflightRefusal(`${target.clusterArn} is not a member of global cluster '${view.identifier}': it is a detached copy, not the ` +
      `data. Rebuild ${target.region} as a secondary first (docs/operations.md, "After a detach: rebuilding the other Regions")`);
  }
  if (inProgress(view)) {
    throw new PreflightRefusal(`${operationText(ctx, view)} is in progress: wait for it to finish, then restore ${target.region}`);
  }
  if (!member.isWriter) await inSyncOrRefuse(ctx, target, view);
  const cluster = await describeTarget(ctx, target);
  const serving = cluster?.status === USABLE ? cluster.instances.find((i) => i.status === USABLE) : undefined;
  if (!serving) {
    throw new PreflightRefusal(`${target.clusterIdentifier} has no available instance to serve from (cluster ${cluster?.status ?? 'not found'}, ` +
      `instances: ${instanceList(cluster?.instances ?? [])}): give it one (headless: false) and deploy, then restore ${target.region}`);
  }
  return member.isWriter
    ? `${target.region} holds the writer, instance ${serving.identifier} available`
    : `${target.region} is a connected member in sync, instance ${serving.identifier} available`;
}

/** Turns the restored Region On, the others as they are, after reading again that it may serve. */
export async function restoreRegion(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  const warnings = await oneRunAtATime(ctx, 'change');
  const states = await routingStates(ctx, false);
  if (states[target.routingControlArn] === 'On') return { skipped: true, detail: `${target.region} is already in service`, warnings };
  const view = await describeGlobal(ctx);
  if (!view) throw new PreflightRefusal(`global cluster '${ctx.topology.globalClusterIdentifier}' was not found`);
  const seen = await restorable(ctx, target, view, states);
  const on = ctx.topology.regions.filter((r) => r === target || states[r.routingControlArn] === 'On');
  const result = await routeExactly(ctx, on, states);
  return { detail: `${seen}; ${result.detail}`, warnings };
}

export async function verifyRestore(ctx: StepContext): Promise<StepResult> {
  const target = targetOf(ctx);
  const states = await routingStates(ctx, false);
  if (states[target.routingControlArn] !== 'On') throw new Error(`${target.region} is not in service: ${JSON.stringify(states)}`);
  const view = await describeGlobal(ctx);
  if (!view?.members.some((m) => m.clusterArn === target.clusterArn)) {
    throw new Error(`${target.region} is not a member of global cluster '${ctx.topology.globalClusterIdentifier}'`);
  }
  return { detail: `${target.region} is in service with ${names(routedRegions(states, ctx).filter((r) => r !== target))}` };
}
