/**
 * What the runbook step function does with one invocation from an SSM Automation step:
 * read the event, load the topology the stacks published in this Region, run the one
 * step the event names, and answer with the fields the document's outputs select. The
 * last step of every document, `Report`, reads the execution's own history and writes
 * the end-of-run report.
 */
import { CloudOperations, RunbookTopology } from './cloud-operations';
import { readBoolean as bool, readList as list } from './inputs';
import { PreflightRefusal, RunbookName, RunbookReport, RUNBOOK_NAMES, RUNBOOKS, StepInput, StepRecord } from './runbooks';
import { handleSelfTestStep, SELF_TEST_RUNBOOK, SelfTestEvent } from './self-test';

/** The event the documents send; SSM may pass parameter values as strings. */
export interface StepEvent {
  readonly Runbook?: unknown;
  readonly Step?: unknown;
  readonly TargetRegion?: unknown;
  readonly AllowDataLoss?: unknown;
  readonly AllowDetach?: unknown;
  readonly MaxDataLossSeconds?: unknown;
  readonly MaxRpoLagSeconds?: unknown;
  readonly RequireApproval?: unknown;
  readonly Approvers?: unknown;
  readonly PollIntervalSeconds?: unknown;
  readonly PollWindowSeconds?: unknown;
  readonly WaitTimeoutSeconds?: unknown;
  readonly Deadline?: unknown;
  readonly Detached?: unknown;
  readonly ExecutionId?: unknown;
}

/** The answer; the document's step outputs select these fields. */
export interface StepOutput {
  /** What the step did or saw. */
  readonly Detail: string;
  readonly Skipped: boolean;
  /** Wait steps: true while the document should invoke the step again. */
  readonly Waiting: boolean;
  /** Failover promote: the target's replication lag just before the promotion call, in ms; `-1` when unknown. */
  readonly DataLossWindowMs: string;
  /** When that lag was measured (epoch ms), `0` when unknown. */
  readonly DataLossMeasuredAt: string;
  readonly Detached: boolean;
  /** What the operator must know (one per line), empty when nothing. */
  readonly Warning: string;
  /** Deadline of the wait after this step (epoch ms), `0` when none. */
  readonly WaitUntil: string;
}

/** One step execution of an automation, as `GetAutomationExecution` reports it. */
export interface AutomationStepView {
  readonly stepName: string;
  readonly action: string;
  /** `Success`, `Failed`, `TimedOut`, `Cancelled`, `InProgress`, `Pending`, ... */
  readonly status: string;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly outputs?: Record<string, string[]>;
  readonly failureMessage?: string;
  /** Set for a step that ran inside an `aws:loop`: the loop step's name. */
  readonly parentStepName?: string;
}

/** An automation execution, as `GetAutomationExecution` reports it. */
export interface AutomationExecutionView {
  readonly startTime: number;
  readonly steps: AutomationStepView[];
}

/** What the handler needs from its surroundings. */
export interface StepHandlerDependencies {
  /** The Region the function runs in. */
  readonly region: string;
  readonly cloud: CloudOperations;
  /** Reads the topology published in this Region. */
  loadTopology(): Promise<RunbookTopology>;
  /** Reads an automation execution of this Region. */
  getExecution(executionId: string): Promise<AutomationExecutionView>;
}

/** Automation execution statuses after which an execution does nothing more. */
export const ENDED_STATUSES: readonly string[] = [
  'Success',
  'Failed',
  'TimedOut',
  'Cancelled',
  'CompletedWithSuccess',
  'CompletedWithFailure',
  'Rejected',
  'Exited',
];

/** Prefix of the message of a step that refused; the report tells refusals from failures by it. */
export const REFUSED_PREFIX = 'Refused: ';

function text(event: StepEvent, key: keyof StepEvent, required = true): string | undefined {
  const value = event[key];
  if (typeof value === 'string' && value !== '') return value;
  if (required) {
    throw new Error(`the step event has no ${key} (got ${JSON.stringify(value)}): the runbook document is not one this function ` +
    'serves; redeploy the stack');
  }
  return undefined;
}


function num(event: StepEvent, key: keyof StepEvent): number | undefined {
  const value = event[key];
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new Error(`the step event's ${key} is not a number: ${JSON.stringify(value)}`);
  return n;
}


const seconds = (s: number | undefined) => (s === undefined ? undefined : s * 1000);

/** Reads the step input from the event. */
export function stepInputOf(event: StepEvent): StepInput {
  return {
    targetRegion: text(event, 'TargetRegion')!,
    executionId: text(event, 'ExecutionId', false),
    allowDataLoss: bool(event.AllowDataLoss),
    allowDetach: bool(event.AllowDetach),
    maxDataLossMs: seconds(num(event, 'MaxDataLossSeconds')),
    maxRpoLagMs: seconds(num(event, 'MaxRpoLagSeconds')),
    requireApproval: bool(event.RequireApproval),
    approvers: list(event.Approvers),
    pollIntervalMs: seconds(num(event, 'PollIntervalSeconds')),
    pollWindowMs: seconds(num(event, 'PollWindowSeconds')),
    waitTimeoutMs: seconds(num(event, 'WaitTimeoutSeconds')),
    deadline: num(event, 'Deadline') || undefined,
    detached: bool(event.Detached),
  };
}

/** Runs the step the event names. */
export async function handleStep(event: StepEvent, deps: StepHandlerDependencies): Promise<StepOutput> {
  // The self-test answers from its arguments and the execution's history: no topology, no change.
  if (event.Runbook === SELF_TEST_RUNBOOK) {
    return handleSelfTestStep(event as SelfTestEvent, {
      now: () => deps.cloud.now(),
      sleep: (ms) => deps.cloud.sleep(ms),
      getExecution: (id) => deps.getExecution(id),
      runningExecutionIds: async (name) => (await deps.cloud.runningExecutions(deps.region, [name])).map((e) => e.executionId),
    });
  }
  const runbook = text(event, 'Runbook') as RunbookName;
  if (!RUNBOOK_NAMES.includes(runbook)) throw new Error(`unknown runbook '${runbook}': expected one of ${RUNBOOK_NAMES.join(', ')}`);
  const stepName = text(event, 'Step')!;
  const input = stepInputOf(event);

  if (stepName === 'Report') {
    const execution = await deps.getExecution(text(event, 'ExecutionId')!);
    const report = reportFromExecution(runbook, input.targetRegion, execution);
    // The outcome and the warnings, without the steps: an output keeps 512 characters, and
    // the steps are in the execution's history, from which the command-line tool rebuilds the report.
    const summary = summarize(report, false);
    // The whole report goes to the function's log as one JSON line, for queries across runs.
    console.log(JSON.stringify({ report }));
    if (report.outcome !== 'succeeded') throw new Error(summary);
    return { ...EMPTY_STEP_OUTPUT, Detail: summary };
  }

  const step = RUNBOOKS[runbook].find((s) => s.name === stepName && s.run);
  if (!step) throw new Error(`runbook '${runbook}' has no step '${stepName}' this function runs`);
  const topology = await deps.loadTopology();
  try {
    const result = await step.run!({ cloud: deps.cloud, topology, localRegion: deps.region, input });
    return {
      Detail: result.detail,
      Skipped: result.skipped === true,
      Waiting: result.waiting === true,
      DataLossWindowMs: String(result.dataLossWindowMs ?? -1),
      DataLossMeasuredAt: String(result.dataLossMeasuredAt ?? 0),
      Detached: result.detached === true,
      WaitUntil: String(result.waitUntil ?? 0),
      Warning: (result.warnings ?? []).join('\n'),
    };
  } catch (e) {
    if (e instanceof PreflightRefusal) throw new Error(REFUSED_PREFIX + e.message);
    throw e;
  }
}

/** A step's output with every field at its empty value: what a step that reports nothing returns. */
export const EMPTY_STEP_OUTPUT: StepOutput = {
  Detail: '',
  Skipped: false,
  Waiting: false,
  DataLossWindowMs: '-1',
  DataLossMeasuredAt: '0',
  Detached: false,
  WaitUntil: '0',
  Warning: '',
};

/** The message inside a Lambda error as SSM reports it (`... {"errorMessage":"..."} ...`), or the text itself. */
export function errorMessageOf(failure: string | undefined): string {
  if (!failure) return 'failed without a message';
  const match = /"errorMessage"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(failure);
  return match ? JSON.parse(match[1]) : failure;
}

/** Builds the end-of-run report from the execution's step history. */
export function reportFromExecution(runbook: RunbookName, targetRegion: string, execution: AutomationExecutionView): RunbookReport {
  const titles = new Map(RUNBOOKS[runbook].map((s) => [s.name, s.title]));
  const steps: StepRecord[] = [];
  const warnings: string[] = [];
  let failure: { step: string; message: string } | undefined;
  let verifiedAt: number | undefined;
  let loss: { dataLossWindowMs: number; dataLossMeasuredAt?: number } | undefined;
  for (const s of execution.steps) {
    for (const w of (s.outputs?.Warning?.[0] ?? '').split('\n')) if (w && !warnings.includes(w)) warnings.push(w);
    // Loop iterations are read with their loop; Report and the approval branch are not runbook steps.
    if (s.parentStepName || !titles.has(s.stepName)) continue;
    if (['Pending', 'InProgress', 'Waiting'].includes(s.status)) continue;
    // A loop's detail is its last iteration's.
    const inner = execution.steps.filter((x) => x.parentStepName === s.stepName);
    const detailSource = inner.length > 0 ? inner[inner.length - 1] : s;
    const ok = s.status === 'Success';
    const message = errorMessageOf(detailSource.failureMessage ?? s.failureMessage);
    const shown = message.startsWith(REFUSED_PREFIX) ? message.slice(REFUSED_PREFIX.length) : message;
    const detail = ok ? detailSource.outputs?.Detail?.[0] ?? (s.action === 'aws:approve' ? 'approved' : '') : shown;
    steps.push({
      name: titles.get(s.stepName)!,
      status: ok ? (detailSource.outputs?.Skipped?.[0] === 'true' ? 'skipped' : 'done') : 'failed',
      durationMs: s.startTime !== undefined && s.endTime !== undefined ? s.endTime - s.startTime : 0,
      detail,
    });
    if (!ok && !failure) {
      failure = {
        step: s.stepName,
        message: s.action === 'aws:approve' ? `the approval was not given (${s.status}): nothing ` +
      'was changed' : message,
      };
    }
    if (ok && s.stepName === 'Verify') verifiedAt = s.endTime;
    if (s.stepName === 'PromoteTarget') {
      const lag = Number(s.outputs?.DataLossWindowMs?.[0]);
      const at = Number(s.outputs?.DataLossMeasuredAt?.[0]);
      if (Number.isFinite(lag) && lag >= 0) loss = { dataLossWindowMs: lag, ...(Number.isFinite(at) && at > 0 ? { dataLossMeasuredAt: at } : {}) };
    }
  }
  const extra = { ...(warnings.length > 0 ? { warnings } : {}) };
  const base = { runbook, targetRegion, steps, ...loss, ...extra };
  if (failure) {
    const refused = failure.step === 'Approve' || failure.message.startsWith(REFUSED_PREFIX);
    // A refused run changed neither the database nor the routing: no data-loss window to state.
    return refused
      ? { runbook, targetRegion, steps, outcome: 'refused', reason: failure.message.replace(REFUSED_PREFIX, ''), ...extra }
      : { ...base, outcome: 'failed', reason: failure.message };
  }
  if (verifiedAt === undefined) return { ...base, outcome: 'failed', reason: 'the run ended before its Verify step succeeded' };
  return { ...base, outcome: 'succeeded', recoveryTimeMs: verifiedAt - execution.startTime };
}

/** The run, named: "switchover to us-west-2"; the Region an evacuation or restore acts on is not a destination: "evacuate of us-east-1". */
function moveText(report: RunbookReport): string {
  return `${report.runbook} ${report.runbook === 'evacuate' || report.runbook === 'restore' ? 'of' : 'to'} ${report.targetRegion}`;
}

/** One paragraph an operator reads first. */
export function summarize(report: RunbookReport, withSteps = true): string {
  const head = report.outcome === 'succeeded'
    ? `${moveText(report)} succeeded; measured recovery time ${Math.round(report.recoveryTimeMs! / 1000)} s`
    : `${moveText(report)} ${report.outcome}: ${report.reason}`;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  // The lag is as of its data point, which may be older than the loss of the Region: the
  // writes that may be lost are those after the data point's time minus the lag (the
  // time printed is rounded down to the second, so it errs on the side of more).
  const measured = report.dataLossMeasuredAt !== undefined && report.dataLossWindowMs !== undefined
    ? `, measured at ${iso(report.dataLossMeasuredAt)}: writes committed after ${iso(report.dataLossMeasuredAt - report.dataLossWindowMs)} may ` +
      'be lost'
    : '';
  const loss = report.dataLossWindowMs !== undefined
    ? `; data-loss window ${report.dataLossWindowMs} ms (the target's replication lag before its promotion${measured})`
    : '';
  const steps = report.steps.map((s) => `${s.name} ${s.status} in ${Math.round(s.durationMs / 1000)} s`).join(', ');
  const warnings = (report.warnings ?? []).map((w) => ` Warning: ${w}.`).join('');
  return withSteps ? `${head}${loss}. Steps: ${steps || 'none'}.${warnings}` : `${head}${loss}.${warnings}`;
}
