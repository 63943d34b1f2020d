/**
 * The switchover, failover, failback and rebuild runbooks: their steps, and a runner that takes
 * them one at a time in this process.
 *
 * Each runbook is a list of steps ({@link RUNBOOKS}). A step is a plain function over
 * {@link CloudOperations} that is safe to run again (`runbook-steps.ts`). The same step
 * functions run in two ways:
 *
 * - in an SSM Automation execution, one Lambda invocation per step (see
 *   `runbook-step.lambda.ts` and `documents.ts`); a wait step polls for at most a few
 *   minutes per invocation and the document loops it until its deadline;
 * - in one process, by {@link RunbookRun} and {@link runRunbook} (tests, the rehearsal).
 */
import { CloudOperations, RunbookTopology } from './cloud-operations';
import {
  checkBeforeRebuild, checkInSync, evacuatePreflight, evacuateRegion, failbackPreflight, failoverPreflight, moveWriterAway, prepareTarget,
  promoteTarget, rebuildPreflight, rehomeGlobalDatabase, replaceStaleCluster, restorePreflight, restoreRegion, routeAfterSwitchover,
  routeBeforePromotion, startSwitchover, switchoverPreflight, verifyEvacuation, verifyFailover, verifyRebuild, verifyRestore, verifySwitchover,
  waitForInstance, waitForRejoin, waitForWriter, waitForWriterAway, waitUntilWritable,
} from './runbook-steps';
import {
  outcomeOf, PreflightRefusal, RunbookName, RunbookReport, RunbookStep, StepInput, StepRecord, StepResult, StepStatus,
} from './runbook-types';

export * from './runbook-types';

const APPROVE: RunbookStep = { name: 'Approve', title: 'approval', kind: 'approve' };
/** A headless target gets an instance that can become writer before anything moves. */
const PREPARE: RunbookStep[] = [
  { name: 'PrepareTarget', title: 'give a headless target a writer instance', kind: 'action', run: prepareTarget, nextWait: 'writer' },
  { name: 'WaitForInstance', title: 'wait until the target has an available instance', kind: 'wait', run: waitForInstance },
];
const SWITCHOVER_TAIL: RunbookStep[] = [
  { name: 'SwitchoverGlobalCluster', title: 'switchover global cluster', kind: 'action', run: startSwitchover, nextWait: 'writer' },
  { name: 'WaitForWriter', title: 'wait until the target is writer', kind: 'wait', run: waitForWriter },
  { name: 'RouteTraffic', title: 'route traffic to the target', kind: 'action', run: routeAfterSwitchover },
  { name: 'Verify', title: 'verify', kind: 'action', run: verifySwitchover },
];

/** The steps of each runbook, in order. The SSM documents and {@link RunbookRun} are built from these. */
export const RUNBOOKS: Record<RunbookName, readonly RunbookStep[]> = {
  switchover: [
    { name: 'Preflight', title: 'pre-flight', kind: 'action', run: switchoverPreflight },
    APPROVE,
    ...PREPARE,
    ...SWITCHOVER_TAIL,
  ],
  failover: [
    { name: 'Preflight', title: 'pre-flight', kind: 'action', run: failoverPreflight },
    APPROVE,
    ...PREPARE,
    { name: 'RouteTraffic', title: 'route traffic to the target', kind: 'action', run: routeBeforePromotion },
    { name: 'PromoteTarget', title: 'promote the target', kind: 'action', run: promoteTarget, nextWait: 'writer' },
    { name: 'WaitUntilWritable', title: 'wait until the target is writable', kind: 'wait', run: waitUntilWritable },
    { name: 'Verify', title: 'verify', kind: 'action', run: verifyFailover },
  ],
  failback: [
    { name: 'Preflight', title: 'pre-flight', kind: 'action', run: failbackPreflight, nextWait: 'rejoin' },
    { name: 'WaitForRejoin', title: 'wait until the old primary has rejoined and caught up', kind: 'wait', run: waitForRejoin },
    { name: 'CheckInSync', title: 'check the target is in sync', kind: 'action', run: checkInSync },
    APPROVE,
    ...PREPARE,
    ...SWITCHOVER_TAIL,
  ],
  rebuild: [
    { name: 'Preflight', title: 'pre-flight', kind: 'action', run: rebuildPreflight },
    APPROVE,
    { name: 'CheckBeforeRebuild', title: 'check again that one Region serves', kind: 'action', run: checkBeforeRebuild, nextWait: 'rejoin' },
    { name: 'RehomeGlobalDatabase', title: 're-create the global database on the serving cluster', kind: 'wait', run: rehomeGlobalDatabase },
    { name: 'ReplaceStaleCluster', title: 'replace the stale cluster with a secondary', kind: 'wait', run: replaceStaleCluster },
    { name: 'Verify', title: 'verify', kind: 'action', run: verifyRebuild },
  ],
  // Active/active: started in a Region that stays in service; TargetRegion is the Region taken out.
  evacuate: [
    { name: 'Preflight', title: 'pre-flight', kind: 'action', run: evacuatePreflight },
    APPROVE,
    {
      name: 'MoveWriterAway',
      title: 'move the writer to this Region if the Region taken out holds it',
      kind: 'action',
      run: moveWriterAway,
      nextWait: 'writer',
    },
    { name: 'WaitForWriterAway', title: 'wait until the writer has left the Region taken out', kind: 'wait', run: waitForWriterAway },
    { name: 'EvacuateRegion', title: 'take the Region out of service', kind: 'action', run: evacuateRegion },
    { name: 'Verify', title: 'verify', kind: 'action', run: verifyEvacuation },
  ],
  // Active/active: started in the Region it puts back into service.
  restore: [
    { name: 'Preflight', title: 'pre-flight', kind: 'action', run: restorePreflight },
    APPROVE,
    { name: 'RestoreRegion', title: 'put the Region back into service', kind: 'action', run: restoreRegion },
    { name: 'Verify', title: 'verify', kind: 'action', run: verifyRestore },
  ],
};

/** Settings of a run in one process ({@link RunbookRun}, {@link runRunbook}). */
export interface RunbookOptions extends Omit<StepInput, 'deadline' | 'detached' | 'waitTimeoutMs'> {
  /** How long to wait for the writer to move, or for the old primary to rejoin. Default 30 min. */
  readonly timeoutMs?: number;
  /** The Region the run happens in. Default: the target Region. */
  readonly localRegion?: string;
  /** Asked when an approval is required; `false` rejects. Default: rejects. */
  readonly approve?: () => Promise<boolean>;
}

/**
 * One run of a runbook in this process, a step at a time, with the same step functions
 * an SSM execution invokes one by one. {@link step} runs the current step once: a wait
 * step that hands back (its poll window is over) stays current, so a caller can
 * interleave runs; the run stops at the first failing step.
 */
export class RunbookRun {
  /** The steps so far. */
  public readonly steps: StepRecord[] = [];
  private readonly startedAt: number;
  private index = 0;
  private input: StepInput;
  private ended?: { outcome: 'refused' | 'failed'; reason: string };
  private dataLoss?: { ms: number; at?: number };
  private readonly warnings: string[] = [];
  private waitStarted?: number;

  constructor(
    public readonly runbook: RunbookName,
    private readonly cloud: CloudOperations,
    private readonly topology: RunbookTopology,
    private readonly options: RunbookOptions,
  ) {
    this.startedAt = cloud.now();
    this.input = { ...options, waitTimeoutMs: options.timeoutMs };
  }

  /** Whether the run has ended. */
  public get done(): boolean {
    return this.ended !== undefined || this.index >= RUNBOOKS[this.runbook].length;
  }

  /** The step that runs next; undefined once the run has ended. */
  public get currentStep(): RunbookStep | undefined {
    return this.done ? undefined : RUNBOOKS[this.runbook][this.index];
  }

  /** Runs the current step once. */
  public async step(): Promise<void> {
    const step = this.currentStep;
    if (!step) return;
    const start = this.waitStarted ?? this.cloud.now();
    const record = (status: StepStatus, detail: string) => {
      this.steps.push({ name: step.title, status, durationMs: this.cloud.now() - start, detail });
    };
    try {
      if (step.kind === 'approve') {
        if (this.options.requireApproval) {
          if (!(await (this.options.approve ?? (async () => false))())) throw new PreflightRefusal('the approval was rejected: nothing was changed');
          record('done', `approved by one of ${(this.options.approvers ?? []).join(', ')}`);
        }
        this.index++;
        return;
      }
      const result: StepResult = await step.run!({
        cloud: this.cloud, topology: this.topology, localRegion: this.options.localRegion ?? this.options.targetRegion, input: this.input,
      });
      this.warnings.push(...(result.warnings ?? []).filter((w) => !this.warnings.includes(w)));
      if (result.waiting) {
        this.waitStarted = start;
        return;
      }
      this.waitStarted = undefined;
      record(result.skipped ? 'skipped' : 'done', result.detail);
      if (result.dataLossWindowMs !== undefined) this.dataLoss = { ms: result.dataLossWindowMs, at: result.dataLossMeasuredAt };
      this.input = { ...this.input, deadline: result.waitUntil ?? this.input.deadline, detached: result.detached ?? this.input.detached };
      this.index++;
    } catch (e) {
      this.waitStarted = undefined;
      record('failed', (e as Error).message);
      this.ended = { outcome: outcomeOf(e), reason: (e as Error).message };
    }
  }

  /** The report, once the run has ended. */
  public report(): RunbookReport {
    const { runbook, options } = this;
    const warnings = this.warnings.length > 0 ? { warnings: [...this.warnings] } : {};
    const at = this.dataLoss?.at !== undefined ? { dataLossMeasuredAt: this.dataLoss.at } : {};
    const loss = this.dataLoss ? { dataLossWindowMs: this.dataLoss.ms, ...at } : {};
    if (this.ended) {
      // A refused run changed neither the database nor the routing: no data-loss window to state.
      return {
        runbook,
        targetRegion: options.targetRegion,
        outcome: this.ended.outcome,
        reason: this.ended.reason,
        steps: this.steps,
        ...warnings,
        ...(this.ended.outcome === 'failed' ? loss : {}),
      };
    }
    if (!this.done) throw new Error(`the ${runbook} run has not ended: its current step is ${this.currentStep!.name}`);
    return {
      runbook,
      targetRegion: options.targetRegion,
      outcome: 'succeeded',
      steps: this.steps,
      recoveryTimeMs: this.cloud.now() - this.startedAt,
      ...loss,
      ...warnings,
    };
  }
}

/**
 * Runs a whole runbook in this process, step after step, until it ends. A wait step runs
 * again while it hands back (when a poll window is given), until its deadline.
 */
export async function runRunbook(
  runbook: RunbookName, cloud: CloudOperations, topology: RunbookTopology, options: RunbookOptions,
): Promise<RunbookReport> {
  const run = new RunbookRun(runbook, cloud, topology, options);
  while (!run.done) await run.step();
  return run.report();
}

/** The planned move: pre-flight, switchover, wait for the writer, flip routing, verify. */
export function switchover(cloud: CloudOperations, topology: RunbookTopology, options: RunbookOptions): Promise<RunbookReport> {
  return runRunbook('switchover', cloud, topology, options);
}

/**
 * The unplanned move away from an impaired Region: flip routing first, then promote
 * the target with `AllowDataLoss` (or, with `allowDetach` and a global cluster that
 * cannot fail over, detach and promote the target), wait until it is writable, verify.
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

/**
 * After a failover that detached and promoted a cluster: makes the target Region's
 * cluster a secondary of the serving one again (the global database re-created on the
 * serving cluster, the stale cluster deleted with a final snapshot and created again).
 */
export function rebuild(cloud: CloudOperations, topology: RunbookTopology, options: RunbookOptions): Promise<RunbookReport> {
  return runRunbook('rebuild', cloud, topology, options);
}
