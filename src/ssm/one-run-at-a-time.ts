/**
 * One run of a deployment's runbooks at a time, across every Region that can be asked.
 *
 * There is no lock service to take: each Region's SSM knows the executions it runs.
 * Every pre-flight asks every Region (`DescribeAutomationExecutions`) and refuses while
 * another run of the deployment is under way; every step that changes the database or
 * the routing asks again just before. Runs are ordered by start time (then execution
 * id), so of two runs started at once the later one gives way:
 *
 * - a pre-flight refuses when another run started earlier, or is already past its own
 *   pre-flight ("active": at any step but `Preflight` and `Report`);
 * - a step about to change something refuses when another run is active. Two runs can
 *   both be active only if one missed the other (a Region that could not be asked): then
 *   both stop at their next change, rather than fight.
 *
 * A Region that cannot be asked is named in the step's warnings and the report: a run
 * there would not be seen. The Region the run itself runs in must answer.
 */
import { RunningExecution } from './cloud-operations';
import { describeError, withRetries } from './retries';
import { RUNBOOK_NAMES, StepContext } from './runbook-types';
import { runbookDocumentName } from './topology';

/** Steps at which a run has not yet changed anything and will check again before it does. */
const NOT_ACTIVE_STEPS = new Set(['', 'Preflight', 'Report']);

/** How long one Region's SSM is asked, in total, before it counts as unreachable. */
const ASK_BUDGET_MS = 8_000;

/** What a check found. */
export interface OtherRuns {
  /** The run this one must give way to. */
  readonly blocking?: RunningExecution;
  /** Regions whose runs could not be read, each with the error. */
  readonly unaskable: { region: string; error: string }[];
  /** Warnings for the report: the Regions not asked. */
  readonly warnings: string[];
}

function active(run: RunningExecution): boolean {
  return !NOT_ACTIVE_STEPS.has(run.currentStep ?? '');
}

function precedes(a: { startTime: number; executionId: string }, b: { startTime: number; executionId: string }): boolean {
  return a.startTime < b.startTime || (a.startTime === b.startTime && a.executionId < b.executionId);
}

/** The document names of every runbook of the deployment the topology describes. */
export function deploymentDocuments(ctx: StepContext): string[] {
  return RUNBOOK_NAMES.map((r) => runbookDocumentName(ctx.topology.globalClusterIdentifier, r));
}

/**
 * Reads the runs under way in every Region of the topology and finds the one this run
 * must give way to, if any. `phase` is `preflight` in a pre-flight, `change` in a step
 * about to change the database or the routing.
 */
export async function otherRuns(ctx: StepContext, phase: 'preflight' | 'change'): Promise<OtherRuns> {
  const documents = deploymentDocuments(ctx);
  const regions = ctx.topology.regions.map((r) => r.region);
  const answers = await Promise.all(regions.map(async (region) => {
    try {
      const runs = await withRetries(`DescribeAutomationExecutions in ${region}`, ctx.cloud,
        () => ctx.cloud.runningExecutions(region, documents), { budgetMs: ASK_BUDGET_MS, firstDelayMs: 1_000 });
      return { region, runs };
    } catch (e) {
      return { region, error: describeError(e) };
    }
  }));
  const own = answers.find((a) => a.region === ctx.localRegion);
  if (own?.error !== undefined) {
    throw new Error(`cannot tell whether another run of this deployment is under way: SSM in ${ctx.localRegion}, where this run runs, did not ` +
      `answer (${own.error})`);
  }
  const runs = answers.flatMap((a) => a.runs ?? []);
  const id = ctx.input.executionId ?? '';
  // A run with no execution (a dry run) is one that would start now, after every run under way.
  const self = runs.find((r) => r.executionId === id) ?? { executionId: id || '\uffff', startTime: ctx.cloud.now() };
  const others = runs.filter((r) => r.executionId !== id);
  const blocking = phase === 'preflight' ? others.find((r) => precedes(r, self) || active(r)) : others.find(active);
  const unaskable = answers.filter((a) => a.error !== undefined).map((a) => ({ region: a.region, error: a.error! }));
  return {
    blocking,
    unaskable,
    warnings: unaskable.map((u) => `could not ask ${u.region} for runs of this deployment under way (${u.error}): a run started there would not ` +
      'be seen'),
  };
}

/** The refusal, naming the run to wait for and how to stop it. */
export function blockedBy(run: RunningExecution): string {
  const started = new Date(run.startTime).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `another run of this deployment is under way: ${run.documentName}, execution ${run.executionId} in ${run.region} ` +
    `(${run.status}${run.currentStep ? `, at step ${run.currentStep}` : ''}, started ${started}). Only one run may move the writer or the ` +
      'traffic at a time: ' +
    'let it finish (`npx cdk-cross-region-failover status` shows it), or stop it with ' +
    `aws ssm stop-automation-execution --region ${run.region} --automation-execution-id ${run.executionId}`;
}
