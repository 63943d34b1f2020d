/**
 * The custom resource that runs the self-test (`self-test.ts`) on every deployment of a
 * Region's runbooks: it starts the `<name>-SelfTest` automation, waits for it to end, and
 * fails the deployment with the step and the output that came back wrong. On delete it
 * does nothing.
 */
import { ENDED_STATUSES, errorMessageOf } from './step-handler';

/** The request fields the resource reads. */
export interface SelfTestResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly LogicalResourceId: string;
  /** The stack, which the resource asks whether it is rolling back. */
  readonly StackId?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: {
    /** The self-test document of this Region. */
    readonly DocumentName: string;
    /** Changes whenever a document or the step function changes, so that the test runs again. */
    readonly Fingerprint?: string;
  };
}

/** An automation execution, as much of it as the resource reads. */
export interface SelfTestExecution {
  /** `Pending`, `InProgress`, `Waiting`, `Success`, `Failed`, `TimedOut`, `Cancelled`... */
  readonly status: string;
  readonly failureMessage?: string;
  readonly steps: { readonly stepName: string; readonly status: string; readonly failureMessage?: string }[];
}

/** SSM Automation in this Region, and a clock. */
export interface SelfTestAutomation {
  readonly region: string;
  start(documentName: string): Promise<string>;
  get(executionId: string): Promise<SelfTestExecution>;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** The stack's status (`DescribeStacks`); undefined when it cannot be read. */
  stackStatus(stackId: string): Promise<string | undefined>;
}

const POLL_MS = 5000;

/**
 * Runs the self-test and answers what CloudFormation should be told: the physical id and
 * the execution id on success. Throws, with the reason, when the test did not pass or
 * did not end within `budgetMs`.
 */
export async function runSelfTestResource(
  event: SelfTestResourceEvent, automation: SelfTestAutomation, budgetMs: number,
): Promise<{ physicalResourceId: string; data: Record<string, string> }> {
  const documentName = event.ResourceProperties.DocumentName;
  const physicalResourceId = event.PhysicalResourceId ?? `${documentName}@${automation.region}`;
  if (event.RequestType === 'Delete') return { physicalResourceId, data: {} };
  // A rollback sends an Update with the previous properties: the runbooks being restored were
  // tested when they were deployed, and failing here would leave the stack unable to roll back.
  if (event.RequestType === 'Update' && event.StackId) {
    const status = await automation.stackStatus(event.StackId).catch(() => undefined);
    if (status === 'UPDATE_ROLLBACK_IN_PROGRESS') return { physicalResourceId, data: { Skipped: 'the stack is rolling back' } };
  }

  const until = automation.now() + budgetMs;
  const executionId = await automation.start(documentName);
  for (;;) {
    const execution = await automation.get(executionId);
    if (execution.status === 'Success') return { physicalResourceId, data: { ExecutionId: executionId } };
    if (ENDED_STATUSES.includes(execution.status)) {
      throw new Error(`the self-test of the runbooks in ${automation.region} failed (automation execution ${executionId}, ${execution.status}): ` +
        `${reasonOf(execution)}. The runbooks would not work as deployed; nothing in the database or the routing was changed. Read the ` +
        'execution in the Systems Manager console; to deploy without the self-test, set selfTest: false.');
    }
    if (automation.now() + POLL_MS > until) {
      throw new Error(`the self-test of the runbooks in ${automation.region} (automation execution ${executionId}) did not end within ` +
        `${Math.round(budgetMs / 1000)} s; it is ${execution.status}: read it in the Systems Manager console, then deploy again.`);
    }
    await automation.sleep(POLL_MS);
  }
}

/** What the self-test's Report step said, or the first failed step's message, or the execution's. */
function reasonOf(execution: SelfTestExecution): string {
  const report = execution.steps.find((s) => s.stepName === 'Report' && s.failureMessage);
  if (report) return errorMessageOf(report.failureMessage);
  const failed = execution.steps.find((s) => ['Failed', 'TimedOut', 'Cancelled'].includes(s.status));
  if (failed) return `step ${failed.stepName} ${failed.status}: ${errorMessageOf(failed.failureMessage)}`;
  return errorMessageOf(execution.failureMessage);
}
