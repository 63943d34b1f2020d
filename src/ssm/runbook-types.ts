/**
 * The shapes the runbooks are made of: a step's input, context and result, a runbook's
 * steps, and the end-of-run report. The logic is in `runbook-steps.ts`, the runbooks
 * and the in-process runner in `runbooks.ts`.
 */
import { CloudOperations, RunbookTopology } from './cloud-operations';

/** The runbooks. */
export type RunbookName = 'switchover' | 'failover' | 'failback' | 'rebuild' | 'evacuate' | 'restore';

/** The runbooks, in the order the documents are listed. */
export const RUNBOOK_NAMES: readonly RunbookName[] = ['switchover', 'failover', 'failback', 'rebuild', 'evacuate', 'restore'];

/** The runbooks only active/active routing has: they take one Region out of service and put it back. */
export const ACTIVE_ACTIVE_RUNBOOKS: readonly RunbookName[] = ['evacuate', 'restore'];

/** The runbooks a deployment has: every one with active/active routing, all but evacuate and restore otherwise. */
export function runbooksFor(activeActive: boolean): RunbookName[] {
  return RUNBOOK_NAMES.filter((r) => activeActive || !ACTIVE_ACTIVE_RUNBOOKS.includes(r));
}

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
  /** `refused`: stopped by a check before the database or the routing was changed. */
  readonly outcome: 'succeeded' | 'refused' | 'failed';
  /** Why the run was refused or failed. */
  readonly reason?: string;
  readonly steps: StepRecord[];
  /** From the start of the run until the target was writer and routed, when it got there. */
  readonly recoveryTimeMs?: number;
  /**
   * Failover only: the target's replication lag in the last data point before it was
   * promoted, the writes that may be lost.
   */
  readonly dataLossWindowMs?: number;
  /** When that data point was measured (epoch ms). */
  readonly dataLossMeasuredAt?: number;
  /** What the operator must know or do: Regions that could not be asked for runs under way, a cluster to fence. */
  readonly warnings?: string[];
}

/** What a step is told, beyond the topology. In an SSM execution these are the step's inputs. */
export interface StepInput {
  /** The Region to make primary and routed. */
  readonly targetRegion: string;
  /** The SSM execution this step belongs to; another run of the deployment under way refuses this one. */
  readonly executionId?: string;
  /** Failover only: the operator accepts losing the writes not yet replicated. */
  readonly allowDataLoss?: boolean;
  /**
   * Failover only: when the global database cannot be described from the target Region,
   * or refuses the failover for a reason that will not pass, detach the target and promote
   * it on its own (irreversible: the old Region must be rebuilt before a failback).
   */
  readonly allowDetach?: boolean;
  /** Failover only: refuse, before routing moves, while the target lags more than this. Undefined or 0: no bound. */
  readonly maxDataLossMs?: number;
  /** Refuse a switchover (or keep waiting in a failback) while the target lags more than this. Default 30 s. */
  readonly maxRpoLagMs?: number;
  /** Whether an approval is asked for before any change. */
  readonly requireApproval?: boolean;
  /** Who may approve. */
  readonly approvers?: readonly string[];
  /** Time between polls of a wait step. Default 2 s. */
  readonly pollIntervalMs?: number;
  /** How long one invocation of a wait step may poll before handing back. Default: until its deadline. */
  readonly pollWindowMs?: number;
  /** How long the wait after this step may take; the step returns the deadline as `waitUntil`. Default 30 min. */
  readonly waitTimeoutMs?: number;
  /** Wait steps: when to give up (epoch ms), as returned by the step before the wait. */
  readonly deadline?: number;
  /** Failover: whether the promote step detached the target (its output, for when the global cluster cannot be described). */
  readonly detached?: boolean;
  /** How long an AWS call that fails with a transient error is retried. Default 60 s. */
  readonly retryBudgetMs?: number;
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
  /** Failover promote: the target's replication lag just before the promotion call. */
  readonly dataLossWindowMs?: number;
  /** When that lag was measured (epoch ms). */
  readonly dataLossMeasuredAt?: number;
  /** Failover promote: the target was detached from the global cluster. */
  readonly detached?: boolean;
  /** The deadline of the wait that follows this step (epoch ms). */
  readonly waitUntil?: number;
  /** What the operator must know, carried into the report. */
  readonly warnings?: string[];
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

/**
 * A check said no before the database or the routing was changed: the run ends
 * `refused`. A step that finds it cannot go on after a change throws a plain `Error`
 * instead, and the run ends `failed` with the state it left.
 */
export class PreflightRefusal extends Error {
  /**
   * Why: `refused` (something is wrong for this move), `nothing-to-do` (the move is
   * already made: the target is the writer and routed, or already a connected
   * secondary), `busy` (another run of the deployment is under way). The readiness
   * evaluation counts only `refused` as not ready.
   */
  public readonly kind: RefusalKind;
  /** `busy`: when the run it waits for started (epoch ms). */
  public readonly since?: number;
  constructor(message: string, kind: RefusalKind = 'refused', since?: number) {
    super(message);
    this.name = 'PreflightRefusal';
    this.kind = kind;
    this.since = since;
  }
}

/** Why a pre-flight refused (see {@link PreflightRefusal.kind}). */
export type RefusalKind = 'refused' | 'nothing-to-do' | 'busy';

/** Which failure outcome an error means. */
export function outcomeOf(error: unknown): 'refused' | 'failed' {
  return error instanceof PreflightRefusal ? 'refused' : 'failed';
}
