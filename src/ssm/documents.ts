/**
 * Renders the runbooks of `runbooks.ts` as SSM Automation documents (schema 0.3, YAML).
 *
 * Every step that has logic is an `aws:executeScript` step whose script invokes the
 * Region's step function and returns its answer (`invoke-step-script.ts`); its values
 * reach later steps as outputs selected `$.Payload.<name>`. A wait step is an `aws:loop`
 * around one such step, which polls for a few minutes and answers `Waiting` until its
 * deadline (the loop ends on that output, `LoopCondition`). An approval is an
 * `aws:approve` behind an `aws:branch` on the `RequireApproval` parameter. Every step
 * goes to `Report` on failure, and `Report` writes the end-of-run report, failing the
 * execution when the run did not succeed.
 *
 * What each construct rests on, from the Systems Manager User Guide (docs/aws-assumptions.md, S4-S9):
 * - aws:executeScript, "InputPayload – A JSON or YAML object that will be passed to the
 *   first parameter of the handler"; outputs selected inside the returned object, as its
 *   example does ("Selector: $.Payload.latestSnapshotId"); "Script – An embedded script
 *   that you want to run during the automation. This parameter is not supported for JSON
 *   runbooks", hence documents in the YAML format;
 * - aws:loop, "LoopCondition" on an output of a step inside the loop, as its example
 *   does ("Variable: '{{ invokeMyLambda.ShouldRetry }}'");
 * - aws:branch, "Variable" may be "the name of a parameter" and "Default" is "the name
 *   of a step the automation should jump to if none of the Choices are true";
 * - step outputs and automation variables, "{{stepName.OutputName}}" and
 *   "automation:EXECUTION_ID", substituted in the inputs of later steps.
 */
import { INVOKE_STEP_HANDLER, INVOKE_STEP_RUNTIME, INVOKE_STEP_SCRIPT } from './invoke-step-script';
import { RunbookName, RUNBOOKS, RunbookStep } from './runbooks';
import {
  SELF_TEST_LIST, SELF_TEST_NUMBER, SELF_TEST_POLL_INTERVAL_SECONDS, SELF_TEST_POLL_WINDOW_SECONDS, SELF_TEST_PROBE, SELF_TEST_RUNBOOK,
  SELF_TEST_WAIT_SECONDS,
} from './self-test';

/** Settings of one rendered document. */
export interface RunbookDocumentSettings {
  readonly runbook: RunbookName;
  /** The Region the document is deployed in, the only Region it can activate. */
  readonly region: string;
  /** Every Region of the deployment: an evacuation started in `region` takes one of the others out. Default: `region` alone. */
  readonly regions?: readonly string[];
  /** Name or ARN of the step function in that Region. */
  readonly functionName: string;
  /** ARN of the role the automation runs as. */
  readonly assumeRoleArn: string;
  /** Default of the `Approvers` parameter. */
  readonly approvers: readonly string[];
  /** Default of the `RequireApproval` parameter. */
  readonly requireApproval: boolean;
  /** How long an approval may wait, in seconds. */
  readonly approvalTimeoutSeconds: number;
  /** Default of the `MaxRpoLagSeconds` parameter (switchover and failback). */
  readonly maxRpoLagSeconds: number;
  /** Default of the failover's `MaxDataLossSeconds` parameter; 0: no bound. */
  readonly maxDataLossSeconds?: number;
  /** How long to wait for the writer to move (all runbooks), in seconds. */
  readonly writerWaitSeconds: number;
  /** How long a failback waits for the old primary to rejoin and catch up, in seconds. */
  readonly rejoinWaitSeconds: number;
  /** How long one invocation of a wait step polls, in seconds. */
  readonly pollWindowSeconds: number;
  /** Time between polls, in seconds. */
  readonly pollIntervalSeconds: number;
  /** `timeoutSeconds` of every script step (at most 600, what `aws:executeScript` allows). */
  readonly stepTimeoutSeconds: number;
  /** How long a script step waits for the step function's answer: more than the function's timeout, less than `stepTimeoutSeconds`. */
  readonly invokeReadTimeoutSeconds: number;
}

/** The most iterations an `aws:loop` allows. */
export const MAX_LOOP_ITERATIONS = 100;

/** The parameters of each runbook beyond TargetRegion, RequireApproval and Approvers, passed to every step. */
const RUNBOOK_PARAMETERS: Record<RunbookName, string[]> = {
  switchover: ['MaxRpoLagSeconds'],
  failover: ['AllowDataLoss', 'AllowDetach', 'MaxDataLossSeconds'],
  failback: ['MaxRpoLagSeconds'],
  rebuild: [],
  evacuate: ['MaxRpoLagSeconds'],
  restore: ['MaxRpoLagSeconds'],
};

const GUARANTEES = 'It keeps these guarantees: traffic is routed only to the writer of the data last routed (or to the target the failover is ' +
  'promoting); ' +
  'no detach without AllowDetach; one run of this deployment at a time across every Region that can be asked (another run refuses this one in ' +
    'pre-flight); ' +
  'every change is made only after its preconditions were read again; a run started again after a failure resumes where it stopped.';

const DESCRIPTIONS: Record<RunbookName, string> = {
  switchover:
    'Planned switchover, no data loss: pre-flight checks (no other run, target available with an enabled key and an instance, connected, ' +
    'replication lag under MaxRpoLagSeconds, ARC data plane reachable), optional approval, a writer instance for a headless target, ' +
    'SwitchoverGlobalCluster, wait until the target Region is the writer, then turn its routing control On and every other Off ' +
    'in one UpdateRoutingControlStates call, verify, report. Run it in the Region to activate, when both Regions are healthy. ' + GUARANTEES,
  failover:
    'Failover away from an impaired Region, may lose the writes not yet replicated: pre-flight checks (AllowDataLoss=true, no other run, ' +
    'ARC data plane reachable, target healthy, lag under MaxDataLossSeconds when set), optional approval, a writer instance for a headless target, ' +
    'route traffic to the target Region first, then FailoverGlobalCluster with AllowDataLoss (throttling and timeouts retried; with ' +
    'AllowDetach=true only, detach and promote the target when the global database stays unreachable or refuses the failover), wait until ' +
    'writable, verify, report with the data-loss window measured just before the promotion. Run it in the Region to activate. ' + GUARANTEES,
  failback:
    'Graceful failback after a failover: refused after a detach (the other Regions must be rebuilt first); wait until the old primary Region ' +
    'has rejoined the global database as a secondary and caught up, check it is in sync, optional approval, switch over to it, route traffic ' +
    'back in one call, verify, report. Run it in the Region to return to. ' + GUARANTEES,
  rebuild:
    'After a failover that detached and promoted a cluster: makes this Region a secondary of the Region serving traffic again. Pre-flight ' +
    '(exactly one Region serves, from a cluster outside the global database; no other run), optional approval, re-create the global database ' +
    'on the serving cluster (its stale members removed first), delete this Region\'s stale cluster with a final snapshot and create it again ' +
    'as a secondary from the settings its stack published, wait until it is connected, verify, report. Routing never changes. Run it in each ' +
    'Region to rebuild, then fail back with the failback runbook. ' + GUARANTEES,
  evacuate:
    'Active/active: takes TargetRegion out of service. Pre-flight (active/active routing, no other run, run in a Region that serves, ' +
    'TargetRegion not the last Region On; when TargetRegion holds the writer, this Region connected and under MaxRpoLagSeconds), optional ' +
    'approval, SwitchoverGlobalCluster to this Region when TargetRegion holds the writer, wait until the writer has left it, then turn ' +
    'its routing control Off with every other control as it was, in one UpdateRoutingControlStates call, verify, report. Run it in a Region ' +
    'that stays in service. ' + GUARANTEES,
  restore:
    'Active/active: puts TargetRegion back into service. Pre-flight (active/active routing, no other run, no detached copy serving, ' +
    'TargetRegion\'s cluster the writer or a connected member under MaxRpoLagSeconds with an available instance), optional approval, turn ' +
    'its routing control On with every other control as it was, in one UpdateRoutingControlStates call, verify, report. Run it in the ' +
    'Region to restore. ' + GUARANTEES,
};

/** What the approval asks for, per runbook. */
const APPROVAL_ASKS: Record<RunbookName, string> = {
  switchover: 'Approve the switchover to {{ TargetRegion }}',
  failover: 'Approve the failover to {{ TargetRegion }}',
  failback: 'Approve the failback to {{ TargetRegion }}',
  rebuild: 'Approve the rebuild to {{ TargetRegion }}',
  evacuate: 'Approve taking {{ TargetRegion }} out of service',
  restore: 'Approve putting {{ TargetRegion }} back into service',
};

/** The most seconds an `aws:executeScript` step may run. */
export const MAX_SCRIPT_SECONDS = 600;

/** Where a script step sends its `Input`: the step function of the document's Region, and how long to wait for it. */
type ScriptTarget = Pick<RunbookDocumentSettings, 'functionName' | 'region' | 'stepTimeoutSeconds' | 'invokeReadTimeoutSeconds'>;

/**
 * A logic step: the script invokes the step function with `input` and returns its answer,
 * whose values are the step's outputs. Every step but the last goes to Report on failure.
 */
function scriptStep(
  name: string, s: ScriptTarget, input: Record<string, unknown>, outputs: [string, string][], options: { attempts: number; end?: boolean },
) {
  return {
    name,
    action: 'aws:executeScript',
    timeoutSeconds: s.stepTimeoutSeconds,
    maxAttempts: options.attempts,
    ...(options.end ? { isEnd: true } : { onFailure: 'step:Report' }),
    inputs: {
      Runtime: INVOKE_STEP_RUNTIME,
      Handler: INVOKE_STEP_HANDLER,
      Script: INVOKE_STEP_SCRIPT,
      InputPayload: { FunctionName: s.functionName, Region: s.region, ReadTimeoutSeconds: s.invokeReadTimeoutSeconds, Input: input },
    },
    outputs: outputs.map(([o, type]) => ({ Name: o, Selector: `$.Payload.${o}`, Type: type })),
  };
}

/** A step of a runbook: the runbook's parameters and the execution id go to every step. */
function runbookStep(
  name: string, runbook: RunbookName, step: string, s: RunbookDocumentSettings, payload: Record<string, unknown>, outputs: [string, string][],
) {
  return scriptStep(name, s, {
    Runbook: runbook,
    Step: step,
    TargetRegion: '{{ TargetRegion }}',
    ExecutionId: '{{ automation:EXECUTION_ID }}',
    RequireApproval: '{{ RequireApproval }}',
    Approvers: '{{ Approvers }}',
    ...Object.fromEntries(RUNBOOK_PARAMETERS[runbook].map((parameter) => [parameter, `{{ ${parameter} }}`])),
    ...payload,
  }, outputs, {
    // Steps are idempotent, so a second attempt after a transient error is safe.
    attempts: step === 'Report' || step === 'Preflight' ? 1 : 2,
    end: step === 'Report',
  });
}

function waitSeconds(kind: RunbookStep['nextWait'], s: RunbookDocumentSettings): number {
  return kind === 'rejoin' ? s.rejoinWaitSeconds : s.writerWaitSeconds;
}

/** The number of loop iterations a wait of `seconds` needs, one poll window each, plus one. */
export function loopIterations(seconds: number, pollWindowSeconds: number): number {
  return Math.ceil(seconds / pollWindowSeconds) + 1;
}

/** The runbook-specific parameters, with their defaults from the settings. */
function parameterDefinitions(s: RunbookDocumentSettings): Record<string, Record<string, unknown>> {
  return {
    AllowDataLoss: {
      type: 'Boolean',
      description: 'Must be true: you accept losing the writes the target had not yet replicated (the report states the window).',
      default: false,
    },
    AllowDetach: {
      type: 'Boolean',
      description: 'When the global database stays unreachable, or refuses the failover for a reason that will not pass, detach the target ' +
        'and promote it on its own. Irreversible: the old writer is not fenced and must be fenced by hand, and the other Regions must be ' +
        'rebuilt from the target (the rebuild runbook) before a failback. Throttling, timeouts and an operation in progress never lead to a detach.',
      default: false,
    },
    MaxDataLossSeconds: {
      type: 'Integer',
      description: 'Refuse, before routing moves, while the target lags the writer by more than this many seconds (or its lag cannot be read). ' +
        '0: no bound.',
      default: s.maxDataLossSeconds ?? 0,
    },
    MaxRpoLagSeconds: {
      type: 'Integer',
      description: 'Refuse (switchover) or keep waiting (failback) while the target lags the writer by more than this many seconds.',
      default: s.maxRpoLagSeconds,
    },
  };
}

/** Renders one runbook as a schema-0.3 Automation document. */
export function renderRunbookDocument(s: RunbookDocumentSettings): Record<string, unknown> {
  const steps = RUNBOOKS[s.runbook];
  const mainSteps: Record<string, unknown>[] = [];
  let previousAction: RunbookStep | undefined;

  const promoteAt = steps.findIndex((x) => x.name === 'PromoteTarget');
  steps.forEach((step, i) => {
    // After a promotion, the wait and the verification need to know whether the target was detached.
    const afterPromote = promoteAt >= 0 && promoteAt < i ? { Detached: '{{ PromoteTarget.Detached }}' } : {};
    if (step.kind === 'approve') {
      const next = steps[i + 1]?.name ?? 'Report';
      mainSteps.push({
        name: 'ApprovalRequired',
        action: 'aws:branch',
        inputs: {
          Choices: [{ NextStep: step.name, Variable: '{{ RequireApproval }}', BooleanEquals: true }],
          Default: next,
        },
      });
      mainSteps.push({
        name: step.name,
        action: 'aws:approve',
        timeoutSeconds: s.approvalTimeoutSeconds,
        onFailure: 'step:Report',
        inputs: {
          Approvers: '{{ Approvers }}',
          MinRequiredApprovals: 1,
          Message: `${APPROVAL_ASKS[s.runbook]}. The pre-flight checks passed; nothing has been changed yet.`,
        },
      });
      return;
    }
    if (step.kind === 'wait') {
      const waitFor = waitSeconds(previousAction?.nextWait, s);
      const poll = `Poll${step.name.replace(/^Wait(For|Until)?/, '')}`;
      mainSteps.push({
        name: step.name,
        action: 'aws:loop',
        onFailure: 'step:Report',
        inputs: {
          MaxIterations: Math.min(MAX_LOOP_ITERATIONS, loopIterations(waitFor, s.pollWindowSeconds)),
          LoopCondition: { Variable: `{{ ${poll}.Waiting }}`, BooleanEquals: true },
          Steps: [
            runbookStep(poll, s.runbook, step.name, s, {
              Deadline: `{{ ${previousAction!.name}.WaitUntil }}`,
              WaitTimeoutSeconds: waitFor,
              PollWindowSeconds: s.pollWindowSeconds,
              PollIntervalSeconds: s.pollIntervalSeconds,
              ...afterPromote,
            }, [['Detail', 'String'], ['Waiting', 'Boolean']]),
          ],
        },
      });
      return;
    }
    const outputs: [string, string][] = [['Detail', 'String'], ['Skipped', 'Boolean'], ['Warning', 'String']];
    if (step.nextWait) outputs.push(['WaitUntil', 'String']);
    if (step.name === 'PromoteTarget') outputs.push(['Detached', 'Boolean'], ['DataLossWindowMs', 'String'], ['DataLossMeasuredAt', 'String']);
    const payload = { ...(step.nextWait ? { WaitTimeoutSeconds: waitSeconds(step.nextWait, s) } : {}), ...afterPromote };
    mainSteps.push(runbookStep(step.name, s.runbook, step.name, s, payload, outputs));
    previousAction = step;
  });

  // The report's one-line summary: the full report is rebuilt from the step history (an output keeps 512 characters at most).
  mainSteps.push(runbookStep('Report', s.runbook, 'Report', s, { ExecutionId: '{{ automation:EXECUTION_ID }}' }, [['Detail', 'String']]));

  return {
    schemaVersion: '0.3',
    description: DESCRIPTIONS[s.runbook],
    assumeRole: s.assumeRoleArn,
    parameters: {
      TargetRegion: s.runbook === 'evacuate'
        ? {
          type: 'String',
          description: `The Region to take out of service. This document runs in ${s.region}, which stays in service (and takes the writer ` +
            `if the Region taken out holds it); to take ${s.region} out, start the document of another Region there.`,
          allowedValues: (s.regions ?? [s.region]).filter((r) => r !== s.region),
        }
        : {
          type: 'String',
          description: `The Region to activate. This document runs in ${s.region} and activates only ${s.region}; to activate another Region, ` +
            'start the document of that Region there.',
          allowedValues: [s.region],
        },
      ...Object.fromEntries(RUNBOOK_PARAMETERS[s.runbook].map((name) => [name, parameterDefinitions(s)[name]])),
      RequireApproval: {
        type: 'Boolean',
        description: 'Wait for one of Approvers to approve after the pre-flight checks and before any change.',
        default: s.requireApproval,
      },
      Approvers: {
        type: 'StringList',
        description: 'IAM user or role ARNs that may approve when RequireApproval is true.',
        default: [...s.approvers],
      },
    },
    mainSteps,
    outputs: ['Report.Detail'],
  };
}

/** Settings of the self-test document of a Region. */
export interface SelfTestDocumentSettings extends ScriptTarget {
  /** ARN of the role the automation runs as (the runbooks' role). */
  readonly assumeRoleArn: string;
  /** The self-test document's own name, which `Start` looks for among the runs under way. */
  readonly documentName: string;
}

/**
 * Renders the self-test (`self-test.ts`): the runbooks' own step rendering, a loop ended
 * by its condition, a branch on a parameter that skips an approval, a branch on a step
 * output, an output consumed by a later step. Read-only: its steps answer from their
 * arguments and the execution's history.
 */
export function renderSelfTestDocument(s: SelfTestDocumentSettings): Record<string, unknown> {
  const input = (step: string, extra: Record<string, unknown> = {}) => ({
    Runbook: SELF_TEST_RUNBOOK,
    Step: step,
    ExecutionId: '{{ ' +
    'automation:EXECUTION_ID }}',
    ...extra,
  });
  const once = { attempts: 1 };
  return {
    schemaVersion: '0.3',
    description: 'Self-test of the runbooks in this Region, run on every deployment: checks that script steps, their outputs, loops, ' +
      'branches and a skipped approval behave in SSM as the switchover, failover, failback and rebuild documents assume. Read-only: ' +
      'it changes nothing in the database or the routing. A failure names the step and the output that came back wrong.',
    assumeRole: s.assumeRoleArn,
    // One parameter of every type the runbooks pass, referenced the way they reference theirs.
    parameters: {
      Probe: { type: 'String', description: 'A value the first step must receive unchanged.', default: SELF_TEST_PROBE },
      Flag: { type: 'Boolean', description: 'A Boolean the first step must read as true (as RequireApproval is read).', default: true },
      Number: { type: 'Integer', description: 'An Integer the first step must read (as MaxRpoLagSeconds is read).', default: SELF_TEST_NUMBER },
      List: { type: 'StringList', description: 'A StringList the first step must read (as Approvers is read).', default: [...SELF_TEST_LIST] },
      RequireApproval: { type: 'Boolean', description: 'Always false: the approval branch must be skipped, as a runbook skips it.', default: false },
    },
    mainSteps: [
      scriptStep('Start', s, input('Start', {
        Probe: '{{ Probe ' +
        '}}',
        Flag: '{{ Flag }}',
        Number: '{{ Number }}',
        List: '{{ List }}',
        DocumentName: s.documentName,
      }),
      [['Detail', 'String'], ['Token', 'String'], ['WaitUntil', 'String'], ['Proceed', 'Boolean']], once),
      {
        name: 'ApprovalRequired',
        action: 'aws:branch',
        inputs: { Choices: [{ NextStep: 'Approve', Variable: '{{ RequireApproval }}', BooleanEquals: true }], Default: 'WaitForDeadline' },
      },
      {
        name: 'Approve',
        action: 'aws:approve',
        timeoutSeconds: 60,
        onFailure: 'step:Report',
        inputs: { Approvers: [s.assumeRoleArn], MinRequiredApprovals: 1, Message: 'Never shown: the self-test skips its approval.' },
      },
      {
        name: 'WaitForDeadline',
        action: 'aws:loop',
        onFailure: 'step:Report',
        inputs: {
          MaxIterations: 2 * Math.ceil(SELF_TEST_WAIT_SECONDS / SELF_TEST_POLL_WINDOW_SECONDS) + 2,
          LoopCondition: { Variable: '{{ PollDeadline.Waiting }}', BooleanEquals: true },
          Steps: [scriptStep('PollDeadline', s, input('Poll', {
            Deadline: '{{ Start.WaitUntil }}', PollWindowSeconds: SELF_TEST_POLL_WINDOW_SECONDS, PollIntervalSeconds: SELF_TEST_POLL_INTERVAL_SECONDS,
          }), [['Detail', 'String'], ['Waiting', 'Boolean']], once)],
        },
      },
      {
        name: 'BranchOnOutput',
        action: 'aws:branch',
        inputs: { Choices: [{ NextStep: 'Check', Variable: '{{ Start.Proceed }}', BooleanEquals: true }], Default: 'Report' },
      },
      // A String and a Boolean output of an earlier step, passed as the runbooks pass PromoteTarget.Detached.
      scriptStep('Check', s, input('Check', {
        Token: '{{ Start.Token ' +
        '}}',
        Proceed: '{{ Start.Proceed }}',
        Deadline: '{{ Start.WaitUntil }}',
      }), [['Detail', 'String']], once),
      scriptStep('Report', s, input('Report'), [['Detail', 'String']], { attempts: 1, end: true }),
    ],
    outputs: ['Report.Detail'],
  };
}
