/**
 * The self-test: a `<name>-SelfTest` Automation document, rendered with the runbooks'
 * own step rendering, that exercises every construct the runbooks rely on in SSM itself,
 * read-only, so that a deployment fails when one of them does not behave as the
 * documents assume (docs/aws-assumptions.md, S1-S14):
 *
 * 1. `Start`, a script step: parameters of every type the runbooks pass (String,
 *    Boolean, Integer, StringList), referenced as theirs are, and the execution id reach
 *    the step function readable; the execution is listed, not ended, by
 *    `DescribeAutomationExecutions` as the one-run-at-a-time lock reads it (S1, S2); and
 *    it answers a token, a deadline and a Boolean;
 * 2. `ApprovalRequired`, a branch on a Boolean parameter that skips `Approve`;
 * 3. `WaitForDeadline`, a loop of a polling script step, ended by its `LoopCondition`
 *    on that step's `Waiting` output once the deadline from `Start` has passed;
 * 4. `BranchOnOutput`, a branch on `Start`'s Boolean output;
 * 5. `Check`, a script step that receives `Start`'s token, Boolean and deadline: the
 *    deadline has passed (the loop did not stop early), and the history shows the
 *    approval skipped;
 * 6. `Report`, which fails the execution naming the step and the output that came back
 *    wrong.
 *
 * The step function answers the self-test from its arguments and the execution's
 * history only: it reads no topology and calls nothing in the database or the routing.
 */
import { readBoolean, readList } from './inputs';
import { AutomationExecutionView, EMPTY_STEP_OUTPUT, StepOutput } from './step-handler';

/** The value of `Runbook` in the self-test's step events. */
export const SELF_TEST_RUNBOOK = 'SelfTest';

/** What `Start` is sent and must receive unchanged, by type. */
export const SELF_TEST_PROBE = 'self-test';
export const SELF_TEST_NUMBER = 7;
export const SELF_TEST_LIST: readonly string[] = ['first', 'second'];
/** How long `Start` keeps asking for its own run among the runs under way (a listing may lag the start). */
export const SELF_TEST_LISTING_SECONDS = 30;

/** How long the loop waits: past several poll windows, so that it iterates even when SSM takes seconds between steps. */
export const SELF_TEST_WAIT_SECONDS = 40;
export const SELF_TEST_POLL_WINDOW_SECONDS = 10;
export const SELF_TEST_POLL_INTERVAL_SECONDS = 2;

/** The self-test's event, as the script passes the document's InputPayload `Input`. */
export interface SelfTestEvent {
  readonly Runbook?: unknown;
  readonly Step?: unknown;
  readonly ExecutionId?: unknown;
  readonly Probe?: unknown;
  readonly Flag?: unknown;
  readonly Number?: unknown;
  readonly List?: unknown;
  readonly Proceed?: unknown;
  readonly DocumentName?: unknown;
  readonly Deadline?: unknown;
  readonly Token?: unknown;
  readonly PollWindowSeconds?: unknown;
  readonly PollIntervalSeconds?: unknown;
}

/** What a self-test step needs: a clock, and the execution's history. */
export interface SelfTestDependencies {
  now(): number;
  sleep(ms: number): Promise<void>;
  getExecution(executionId: string): Promise<AutomationExecutionView>;
  /** The runs of `documentName` under way in this Region, read as the one-run-at-a-time lock reads them. */
  runningExecutionIds(documentName: string): Promise<string[]>;
}


/** The token `Start` answers for an execution, which `Check` must receive back. */
export function selfTestToken(executionId: string): string {
  return `self-test-${executionId}`;
}

/** Runs one step of the self-test. Throws, naming what came back wrong, when a construct did not behave. */
export async function handleSelfTestStep(
  event: SelfTestEvent, deps: SelfTestDependencies,
): Promise<StepOutput & { Token?: string; Proceed?: boolean }> {
  const executionId = typeof event.ExecutionId === 'string' ? event.ExecutionId : '';
  if (!executionId) {
    throw new Error(`self-test: the step event has no ExecutionId (got ${JSON.stringify(event.ExecutionId)}): '{{ ` +
    'automation:EXECUTION_ID }}\' was not substituted');
  }
  switch (event.Step) {
    case 'Start': {
      const wrong: string[] = [];
      if (event.Probe !== SELF_TEST_PROBE) {
        wrong.push(`Probe (a String parameter) arrived as ${JSON.stringify(event.Probe)}, not ` +
        `"${SELF_TEST_PROBE}"`);
      }
      // Read as the step function reads the runbooks' parameters of these types.
      if (readBoolean(event.Flag) !== true) wrong.push(`Flag (a Boolean parameter) arrived as ${JSON.stringify(event.Flag)}`);
      if (Number(event.Number) !== SELF_TEST_NUMBER) wrong.push(`Number (an Integer parameter) arrived as ${JSON.stringify(event.Number)}`);
      if (JSON.stringify(readList(event.List)) !== JSON.stringify(SELF_TEST_LIST)) {
        wrong.push('List (a StringList parameter) arrived as ' +
        `${JSON.stringify(event.List)}`);
      }
      if (wrong.length > 0) throw new Error(`self-test: InputPayload did not reach the step function as sent: ${wrong.join('; ')}`);
      const documentName = typeof event.DocumentName === 'string' ? event.DocumentName : '';
      // A listing may lag the start by a moment (S2): ask again for a while before failing.
      const until = deps.now() + SELF_TEST_LISTING_SECONDS * 1000;
      let running: string[] = [];
      for (;;) {
        running = documentName ? await deps.runningExecutionIds(documentName).catch(() => []) : [];
        if (running.includes(executionId) || deps.now() >= until) break;
        await deps.sleep(3000);
      }
      if (!running.includes(executionId)) {
        throw new Error(`self-test: DescribeAutomationExecutions does not list this execution (${executionId}) among the runs of ` +
          `${JSON.stringify(event.DocumentName)} under way (it listed ${JSON.stringify(running)}); the one-run-at-a-time lock reads runs that way ` +
          '(docs/aws-assumptions.md, S1 and S2)');
      }
      return {
        ...EMPTY_STEP_OUTPUT,
        Detail: `inputs arrived: Probe ${JSON.stringify(event.Probe)}, Flag ${JSON.stringify(event.Flag)}, Number ${JSON.stringify(event.Number)}; ` +
          'the lock sees this run',
        Token: selfTestToken(executionId),
        Proceed: true,
        WaitUntil: String(deps.now() + SELF_TEST_WAIT_SECONDS * 1000),
      };
    }
    case 'Poll': {
      const deadline = Number(event.Deadline);
      if (!Number.isFinite(deadline) || deadline <= 0) {
        throw new Error('self-test: the output Start.WaitUntil did not reach the loop\'s step (Deadline arrived as ' +
          `${JSON.stringify(event.Deadline)})`);
      }
      const windowEnd = deps.now() + Number(event.PollWindowSeconds ?? SELF_TEST_POLL_WINDOW_SECONDS) * 1000;
      const interval = Number(event.PollIntervalSeconds ?? SELF_TEST_POLL_INTERVAL_SECONDS) * 1000;
      while (deps.now() < deadline && deps.now() + interval <= windowEnd) await deps.sleep(interval);
      const waiting = deps.now() < deadline;
      return {
        ...EMPTY_STEP_OUTPUT,
        Waiting: waiting,
        Detail: waiting ? `${Math.ceil((deadline - deps.now()) / 1000)} s to the ` +
        'deadline' : 'the deadline passed',
      };
    }
    case 'Check': {
      if (event.Token !== selfTestToken(executionId)) {
        throw new Error(`self-test: the output Start.Token reached Check as ${JSON.stringify(event.Token)}, not ` +
          `${JSON.stringify(selfTestToken(executionId))}`);
      }
      if (readBoolean(event.Proceed) !== true) {
        throw new Error(`self-test: the Boolean output Start.Proceed reached Check as ${JSON.stringify(event.Proceed)}, not true`);
      }
      // The loop ends on its condition, not before: the deadline it polled for has passed
      // (each poll hands back within its poll window, long before it, so
      // reaching it took iterations). This needs nothing from the history (S14).
      const deadline = Number(event.Deadline);
      if (!Number.isFinite(deadline) || deadline <= 0) {
        throw new Error(`self-test: the output Start.WaitUntil reached Check as ${JSON.stringify(event.Deadline)}`);
      }
      if (deps.now() < deadline) {
        throw new Error(`self-test: the loop WaitForDeadline ended ${Math.ceil((deadline - deps.now()) / 1000)} s before its deadline, ` +
          'while its LoopCondition (PollDeadline.Waiting = true) still held');
      }
      const history = await deps.getExecution(executionId);
      const step = (name: string) => history.steps.find((s) => s.stepName === name && !s.parentStepName);
      const polls = history.steps.filter((s) => s.stepName === 'PollDeadline');
      const wrong: string[] = [];
      if (step('ApprovalRequired')?.status !== 'Success') {
        wrong.push('the branch ApprovalRequired is ' +
        `${step('ApprovalRequired')?.status ?? 'missing'}`);
      }
      if (step('Approve') && step('Approve')!.status !== 'Pending') {
        wrong.push('the approval was not skipped (Approve is ' +
        `${step('Approve')!.status})`);
      }
      // What the history shows of the loop is checked when it is there; the report reads it.
      const last = polls[polls.length - 1];
      if (last && last.outputs?.Waiting && readBoolean(last.outputs.Waiting[0]) !== false) {
        wrong.push(`the last PollDeadline's output Waiting is ${JSON.stringify(last.outputs.Waiting)}, not false`);
      }
      if (wrong.length > 0) throw new Error(`self-test: the execution's history is not what the documents assume: ${wrong.join('; ')}`);
      return {
        ...EMPTY_STEP_OUTPUT,
        Detail: `the token and a Boolean came back; the approval was skipped; the loop ran until its deadline (${polls.length} iteration(s) in ` +
          'the history)',
      };
    }
    case 'Report': {
      const history = await deps.getExecution(executionId);
      const failed = history.steps.find((s) => s.stepName !== 'Report' && ['Failed', 'TimedOut', 'Cancelled'].includes(s.status));
      if (failed) throw new Error(`self-test failed at step ${failed.stepName} (${failed.status}): ${failed.failureMessage ?? 'no message'}`);
      if (!history.steps.some((s) => s.stepName === 'Check' && s.status === 'Success')) {
        throw new Error('self-test failed: the branch BranchOnOutput did not go to Check on Start.Proceed = true');
      }
      return {
        ...EMPTY_STEP_OUTPUT,
        Detail: 'self-test passed: script steps, outputs, a loop, two branches and a skipped approval behave as the runbooks ' +
        'assume',
      };
    }
    default:
      throw new Error(`self-test: unknown step ${JSON.stringify(event.Step)}`);
  }
}
