/**
 * The logic of the switchover, failover and failback runbooks, as plain functions over
 * {@link CloudOperations}. Each run records every step with its duration and ends with
 * a report. Every runbook is idempotent: run again after a failure at any step, it
 * skips what is already done and converges.
 */
import { CloudOperations, GlobalClusterView, RunbookRegion, RunbookTopology } from './cloud-operations';
import { AllEndpointsFailedError, readStates, RoutingControlState, statesFor, updateStates } from '../arc/routing-states';

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
  readonly runbook: 'switchover' | 'failover' | 'failback';
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

/** Settings of a run. */
export interface RunbookOptions {
  /** The Region to make primary and routed. */
  readonly targetRegion: string;
  /** Refuse a switchover (or wait in a failback) while the target lags more than this. Default 30 s. */
  readonly maxRpoLagMs?: number;
  /** Time between polls. Default 10 s. */
  readonly pollIntervalMs?: number;
  /** How long to wait for the writer to move or the old primary to rejoin. Default 30 min. */
  readonly timeoutMs?: number;
}

/** A pre-flight check said no: nothing was changed. */
export class PreflightRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreflightRefusal';
  }
}

const IN_PROGRESS = ['pending', 'switching-over', 'failing-over'];

class Run {
  public readonly steps: StepRecord[] = [];
  public readonly startedAt: number;

  constructor(private readonly cloud: CloudOperations) {
    this.startedAt = cloud.now();
  }

  /** Runs one step; `body` returns a detail, or `{ skipped }` when there was nothing to do. */
  public async step(name: string, body: () => Promise<string | { skipped: string }>): Promise<void> {
    const start = this.cloud.now();
    try {
      const result = await body();
      const skipped = typeof result === 'object';
      this.steps.push({
        name,
        status: skipped ? 'skipped' : 'done',
        durationMs: this.cloud.now() - start,
        detail: skipped ? result.skipped : result,
      });
    } catch (e) {
      this.steps.push({ name, status: 'failed', durationMs: this.cloud.now() - start, detail: (e as Error).message });
      throw e;
    }
  }
}

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

/** Turns the target's control On and every other Off, in one `UpdateRoutingControlStates` call. */
async function routeOnlyTo(cloud: CloudOperations, topology: RunbookTopology, target: RunbookRegion): Promise<string> {
  const entries = statesFor(topology.regions.map((r) => r.routingControlArn), [target.routingControlArn]);
  await updateStates(cloud.routing, topology.clusterEndpoints, entries);
  return `${target.region} On, every other Region Off, in one UpdateRoutingControlStates call`;
}

function routedOnlyTo(states: Record<string, RoutingControlState>, topology: RunbookTopology, target: RunbookRegion): boolean {
  return topology.regions.every((r) => states[r.routingControlArn] === (r === target ? 'On' : 'Off'));
}

async function waitFor(cloud: CloudOperations, options: RunbookOptions, what: () => string, done: () => Promise<boolean>): Promise<number> {
  const start = cloud.now();
  const timeout = options.timeoutMs ?? 30 * 60_000;
  for (;;) {
    if (await done()) return cloud.now() - start;
    if (cloud.now() - start >= timeout) {
      throw new Error(`timed out after ${Math.round(timeout / 1000)} s waiting until ${what()}; run the runbook again to resume`);
    }
    await cloud.sleep(options.pollIntervalMs ?? 10_000);
  }
}

function finish(run: Run, runbook: RunbookReport['runbook'], options: RunbookOptions, extra: Partial<RunbookReport>, error?: unknown): RunbookReport {
  if (error === undefined) {
    return { runbook, targetRegion: options.targetRegion, outcome: 'succeeded', steps: run.steps, ...extra };
  }
  return {
    runbook,
    targetRegion: options.targetRegion,
    outcome: error instanceof PreflightRefusal ? 'refused' : 'failed',
    reason: (error as Error).message,
    steps: run.steps,
    ...extra,
  };
}

/** The planned move: pre-flight, switchover, wait for the writer, flip routing, verify. */
export async function switchover(cloud: CloudOperations, topology: RunbookTopology, options: RunbookOptions): Promise<RunbookReport> {
  const run = new Run(cloud);
  let recoveryTimeMs: number | undefined;
  try {
    await switchoverSteps(run, cloud, topology, options);
    recoveryTimeMs = cloud.now() - run.startedAt;
  } catch (e) {
    return finish(run, 'switchover', options, {}, e);
  }
  return finish(run, 'switchover', options, { recoveryTimeMs });
}

async function switchoverSteps(run: Run, cloud: CloudOperations, topology: RunbookTopology, options: RunbookOptions): Promise<void> {
  const target = regionOf(topology, options.targetRegion);
  const maxLag = options.maxRpoLagMs ?? 30_000;
  let view: GlobalClusterView | undefined;
  let routed = false;

  await run.step('pre-flight', async () => {
    view = await cloud.describeGlobalCluster(topology.globalClusterIdentifier);
    if (!view) throw new PreflightRefusal(`global cluster '${topology.globalClusterIdentifier}' was not found`);
    const member = view.members.find((m) => m.clusterArn === target.clusterArn);
    if (!member) throw new PreflightRefusal(`${target.clusterArn} is not a member of global cluster '${view.identifier}'`);
    const states = await routingStates(cloud, topology);
    routed = routedOnlyTo(states, topology, target);
    const writer = writerOf(view);
    if (writer === target.clusterArn && routed) {
      throw new PreflightRefusal(`${target.region} is already the writer and receives all traffic: nothing to do`);
    }
    if (inProgress(view) && view.failoverState!.toClusterArn !== target.clusterArn) {
      throw new PreflightRefusal(
        `a ${view.failoverState!.status} from ${view.failoverState!.fromClusterArn} to ${view.failoverState!.toClusterArn} is in progress; wait for it to finish`,
      );
    }
    if (writer !== target.clusterArn && !inProgress(view)) {
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
      return `target in sync (RPO lag ${lag} ms), ARC data plane reachable`;
    }
    return 'resuming: the writer is already moving or has moved to the target';
  });

  await run.step('switchover global cluster', async () => {
    if (writerOf(view!) === target.clusterArn) return { skipped: `${target.region} is already the writer` };
    if (inProgress(view!)) return { skipped: `a ${view!.failoverState!.status} to ${target.region} is already under way` };
    await cloud.switchoverGlobalCluster(topology.globalClusterIdentifier, target.clusterArn);
    return `SwitchoverGlobalCluster to ${target.clusterArn}`;
  });

  await run.step('wait until the target is writer', async () => {
    const waited = await waitFor(cloud, options, () => `${target.region} is the writer`, () => isSettledWriter(cloud, topology, target));
    return `${target.region} is writer after ${waited} ms`;
  });

  await run.step('route traffic to the target', async () => {
    if (routed) return { skipped: `traffic already goes to ${target.region} only` };
    return routeOnlyTo(cloud, topology, target);
  });

  await run.step('verify', () => verify(cloud, topology, target));
}

async function isSettledWriter(cloud: CloudOperations, topology: RunbookTopology, target: RunbookRegion): Promise<boolean> {
  const view = await cloud.describeGlobalCluster(topology.globalClusterIdentifier);
  return view !== undefined && !inProgress(view) && writerOf(view) === target.clusterArn &&
    (await cloud.clusterStatus(target.clusterArn)) === 'available';
}

async function verify(cloud: CloudOperations, topology: RunbookTopology, target: RunbookRegion, detached = false): Promise<string> {
  const states = await readStates(cloud.routing, topology.clusterEndpoints, topology.regions.map((r) => r.routingControlArn));
  if (!routedOnlyTo(states, topology, target)) {
    throw new Error(`routing is not on ${target.region} only: ${JSON.stringify(states)}`);
  }
  if (detached) {
    const status = await cloud.clusterStatus(target.clusterArn);
    if (status !== 'available') throw new Error(`${target.clusterArn} is ${status}, not available`);
    return `${target.region} is a stand-alone writable cluster and receives all traffic`;
  }
  if (!(await isSettledWriter(cloud, topology, target))) {
    throw new Error(`${target.region} is not the settled writer of '${topology.globalClusterIdentifier}'`);
  }
  return `${target.region} is the writer and receives all traffic`;
}

/**
 * The unplanned move away from an impaired Region: flip routing first, then promote
 * the target with `AllowDataLoss` (or, when the global cluster cannot be reached,
 * detach and promote the target), wait until it is writable, verify.
 */
export async function failover(cloud: CloudOperations, topology: RunbookTopology, options: RunbookOptions): Promise<RunbookReport> {
  const run = new Run(cloud);
  const target = (() => {
    try {
      return regionOf(topology, options.targetRegion);
    } catch (e) {
      return e as PreflightRefusal;
    }
  })();
  if (target instanceof PreflightRefusal) return finish(run, 'failover', options, {}, target);

  let view: GlobalClusterView | undefined;
  let globalReachable = true;
  let routed = false;
  let dataLossWindowMs: number | undefined;
  let detached = false;
  try {
    await run.step('pre-flight', async () => {
      const states = await routingStates(cloud, topology);
      routed = routedOnlyTo(states, topology, target);
      try {
        view = await cloud.describeGlobalCluster(topology.globalClusterIdentifier);
      } catch (e) {
        globalReachable = false;
      }
      if (globalReachable) {
        if (!view) throw new PreflightRefusal(`global cluster '${topology.globalClusterIdentifier}' was not found`);
        if (!view.members.some((m) => m.clusterArn === target.clusterArn)) {
          // Already detached by an earlier run's fallback: resume from there.
          if ((await cloud.clusterStatus(target.clusterArn)) === undefined) {
            throw new PreflightRefusal(`${target.clusterArn} does not exist`);
          }
          detached = true;
        } else if (writerOf(view) === target.clusterArn && routed && !inProgress(view)) {
          throw new PreflightRefusal(`${target.region} is already the writer and receives all traffic: nothing to do`);
        }
      } else if ((await cloud.clusterStatus(target.clusterArn)) === undefined) {
        throw new PreflightRefusal(`${target.clusterArn} does not exist`);
      }
      dataLossWindowMs = await cloud.rpoLagMs(target.clusterIdentifier);
      return `ARC data plane reachable; global cluster ${globalReachable ? 'reachable' : 'unreachable: will detach and promote'}; ` +
        `last RPO lag ${dataLossWindowMs ?? 'unknown'} ms`;
    });

    await run.step('route traffic to the target', async () => {
      if (routed) return { skipped: `traffic already goes to ${target.region} only` };
      return routeOnlyTo(cloud, topology, target);
    });

    await run.step('promote the target', async () => {
      if (detached) return { skipped: `${target.region} was already detached and promoted` };
      if (globalReachable && writerOf(view!) === target.clusterArn) return { skipped: `${target.region} is already the writer` };
      if (globalReachable && inProgress(view!) && view!.failoverState!.toClusterArn === target.clusterArn) {
        return { skipped: `a ${view!.failoverState!.status} to ${target.region} is already under way` };
      }
      if (globalReachable) {
        try {
          await cloud.failoverGlobalCluster(topology.globalClusterIdentifier, target.clusterArn);
          return `FailoverGlobalCluster to ${target.clusterArn} with AllowDataLoss`;
        } catch (e) {
          await cloud.detachFromGlobalCluster(topology.globalClusterIdentifier, target.clusterArn);
          detached = true;
          return `FailoverGlobalCluster failed (${(e as Error).message}); detached ${target.clusterArn} to promote it`;
        }
      }
      await cloud.detachFromGlobalCluster(topology.globalClusterIdentifier, target.clusterArn);
      detached = true;
      return `global cluster unreachable; detached ${target.clusterArn} to promote it`;
    });

    await run.step('wait until the target is writable', async () => {
      const waited = await waitFor(cloud, options, () => `${target.region} is writable`, async () => detached
        ? (await cloud.clusterStatus(target.clusterArn)) === 'available'
        : isSettledWriter(cloud, topology, target));
      return `${target.region} writable after ${waited} ms`;
    });

    await run.step('verify', () => verify(cloud, topology, target, detached));
  } catch (e) {
    return finish(run, 'failover', options, { dataLossWindowMs }, e);
  }
  return finish(run, 'failover', options, { dataLossWindowMs, recoveryTimeMs: cloud.now() - run.startedAt });
}

/**
 * The return to the Region a failover left: wait until the old primary has rejoined as
 * a secondary and caught up, then switch over to it and flip routing back.
 */
export async function failback(cloud: CloudOperations, topology: RunbookTopology, options: RunbookOptions): Promise<RunbookReport> {
  const run = new Run(cloud);
  let recoveryTimeMs: number | undefined;
  try {
    const target = regionOf(topology, options.targetRegion);
    const maxLag = options.maxRpoLagMs ?? 30_000;
    await run.step('wait until the old primary has rejoined and caught up', async () => {
      let last = 'not yet a member of the global cluster';
      const waited = await waitFor(cloud, options, () => `${target.region} rejoined and caught up (last seen: ${last})`, async () => {
        const view = await cloud.describeGlobalCluster(topology.globalClusterIdentifier);
        const member = view?.members.find((m) => m.clusterArn === target.clusterArn);
        if (!member) return false;
        if (member.isWriter) return true; // an earlier run already switched back
        if (member.synchronizationStatus !== undefined && member.synchronizationStatus !== 'connected') {
          last = `synchronization ${member.synchronizationStatus}`;
          return false;
        }
        const lag = await cloud.rpoLagMs(target.clusterIdentifier);
        last = `RPO lag ${lag ?? 'unknown'} ms`;
        return lag !== undefined && lag <= maxLag;
      });
      return `${target.region} is a connected secondary (${last}) after ${waited} ms`;
    });
    await switchoverSteps(run, cloud, topology, options);
    recoveryTimeMs = cloud.now() - run.startedAt;
  } catch (e) {
    return finish(run, 'failback', options, {}, e);
  }
  return finish(run, 'failback', options, { recoveryTimeMs });
}
