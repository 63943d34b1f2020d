/**
 * Runs a schema-0.3 Automation document step by step, the way the Systems Manager User
 * Guide describes each action the runbooks use, and no further:
 * - aws:executeScript: InputPayload (with variables) is the handler's first argument;
 *   outputs are selected in the object the handler returns, `$.Payload` or
 *   `$.Payload.<key>`; a raised exception fails the step; maxAttempts re-runs it. The
 *   script itself is run by a hook (`runScript`), by default a mirror of the runbooks'
 *   script (`mirrorInvokeStepScript`); the real Python script is tested on its own.
 * - aws:invokeLambdaFunction: its four documented outputs only (StatusCode,
 *   FunctionError, LogResult, Payload); a selector into the returned object is refused,
 *   as the reference documents none.
 * - aws:branch, aws:approve, aws:loop (do-while on LoopCondition, MaxIterations),
 *   aws:sleep; onFailure, nextStep, isEnd.
 * An output value longer than the 512 characters the SSM API keeps fails the step.
 * Records every step execution as GetAutomationExecution would, with times from the
 * given clock.
 */
import { INVOKE_STEP_RUNTIME, MAX_OUTPUT_VALUE_LENGTH } from '../../src/ssm/invoke-step-script';
import { AutomationExecutionView, AutomationStepView } from '../../src/ssm/step-handler';

type Step = Record<string, any>;

export interface SimulationHooks {
  /** Invokes the function; throws as a function error would. */
  invoke(functionName: string, payload: Record<string, unknown>): Promise<Record<string, unknown>>;
  /**
   * Runs an `aws:executeScript` step's script with its InputPayload and returns what the
   * handler returned; throws as the handler would raise. Default: the runbooks' script,
   * mirrored (`mirrorInvokeStepScript`), which invokes through `invoke`.
   */
  runScript?(script: string, handler: string, events: Record<string, unknown>): Promise<unknown>;
  /** Answers an approval request. Default: approved. */
  approve?(message: string, approvers: string[]): Promise<boolean>;
  /** The clock (ms), shared with the fakes so that durations mean something. */
  now(): number;
  /** Advances the clock (aws:sleep). */
  sleep(ms: number): Promise<void>;
  /** Told when a step starts, as `CurrentStepName` changes in DescribeAutomationExecutions. */
  onStep?(stepName: string): void;
}

export interface SimulationResult {
  readonly status: 'Success' | 'Failed';
  readonly execution: AutomationExecutionView;
  /** The document's outputs. */
  readonly outputs: Record<string, unknown>;
  /** The failure message of the step that ended the execution, when it failed. */
  readonly failureMessage?: string;
}

export class Simulation {
  public readonly steps: AutomationStepView[] = [];
  private readonly values = new Map<string, unknown>();
  private readonly startTime: number;

  constructor(
    private readonly doc: Record<string, any>,
    private readonly hooks: SimulationHooks,
    /** `{{ automation:EXECUTION_ID }}`. */
    public readonly executionId = 'a1b2c3d4-0000-4000-8000-simulation01',
  ) {
    this.startTime = hooks.now();
  }

  /** The execution as GetAutomationExecution shows it right now. */
  public view(): AutomationExecutionView {
    return { startTime: this.startTime, steps: this.steps.map((s) => ({ ...s })) };
  }

  public async run(parameters: Record<string, unknown>): Promise<SimulationResult> {
    this.bindParameters(parameters);
    const main: Step[] = this.doc.mainSteps;
    let i = 0;
    let failed: string | undefined;
    while (i >= 0 && i < main.length) {
      const step = main[i];
      const outcome = await this.runStep(step);
      const next = (target: string) => main.findIndex((s) => s.name === target.replace(/^step:/, ''));
      if (!outcome.ok) {
        const onFailure: string = step.onFailure ?? 'Abort';
        if (onFailure === 'Abort') {
          failed = outcome.message;
          break;
        }
        if (onFailure !== 'Continue') {
          i = next(onFailure);
          continue;
        }
      } else if (outcome.jump) {
        i = next(outcome.jump);
        continue;
      }
      if (step.isEnd) {
        if (!outcome.ok) failed = outcome.message;
        break;
      }
      i = step.nextStep ? next(step.nextStep) : i + 1;
    }
    const outputs: Record<string, unknown> = {};
    for (const ref of this.doc.outputs ?? []) outputs[ref] = this.values.get(ref);
    return { status: failed === undefined ? 'Success' : 'Failed', execution: this.view(), outputs, failureMessage: failed };
  }

  private bindParameters(given: Record<string, unknown>): void {
    for (const [name, p] of Object.entries<Record<string, any>>(this.doc.parameters ?? {})) {
      const value = name in given ? given[name] : p.default;
      if (value === undefined) throw new Error(`ValidationException: parameter ${name} is required`);
      if (p.allowedValues && !p.allowedValues.includes(value)) {
        throw new Error(`ValidationException: parameter ${name} value ${JSON.stringify(value)} is not one of ${JSON.stringify(p.allowedValues)}`);
      }
      this.values.set(name, value);
    }
    for (const name of Object.keys(given)) {
      if (!(name in (this.doc.parameters ?? {}))) throw new Error(`ValidationException: the document has no parameter ${name}`);
    }
    this.values.set('automation:EXECUTION_ID', this.executionId);
  }

  /** Replaces `{{ x }}`: a whole-string reference keeps the value's type. */
  private resolve(value: unknown): unknown {
    if (typeof value === 'string') {
      const whole = /^\{\{\s*([^}\s]+)\s*\}\}$/.exec(value);
      if (whole) return this.lookup(whole[1]);
      return value.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (_m, ref) => String(this.lookup(ref)));
    }
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
    return value;
  }

  private lookup(ref: string): unknown {
    if (!this.values.has(ref)) throw new Error(`variable {{ ${ref} }} has no value (its step has not run)`);
    return this.values.get(ref);
  }

  private async runStep(step: Step, parentStepName?: string): Promise<{ ok: boolean; message?: string; jump?: string }> {
    const record: { -readonly [K in keyof AutomationStepView]: AutomationStepView[K] } = {
      stepName: step.name, action: step.action, status: 'InProgress', startTime: this.hooks.now(), parentStepName,
    };
    this.steps.push(record);
    this.hooks.onStep?.(step.name);
    const finish = (ok: boolean, extra: Partial<AutomationStepView> = {}) => {
      Object.assign(record, { status: ok ? 'Success' : 'Failed', endTime: this.hooks.now(), ...extra });
    };
    try {
      switch (step.action) {
        case 'aws:executeScript': {
          const attempts = step.maxAttempts ?? 1;
          let lastError: Error | undefined;
          for (let attempt = 1; attempt <= attempts; attempt++) {
            try {
              const inputs = this.resolve(step.inputs) as Record<string, any>;
              if (inputs.Runtime !== INVOKE_STEP_RUNTIME) throw new Error(`the simulator runs ${INVOKE_STEP_RUNTIME} scripts, not ${inputs.Runtime}`);
              if (typeof inputs.Script !== 'string' || typeof inputs.Handler !== 'string') throw new Error('an inline Script and its Handler are required');
              // InputPayload travels as JSON, as the document does.
              const events = JSON.parse(JSON.stringify(inputs.InputPayload ?? {}));
              const run = this.hooks.runScript
                ?? ((_script: string, _handler: string, e: Record<string, unknown>) => mirrorInvokeStepScript(e, this.hooks.invoke));
              const returned = JSON.parse(JSON.stringify(await run(inputs.Script, inputs.Handler, events) ?? null));
              finish(true, { outputs: this.selectOutputs(step, { Payload: returned }, /^\$\.Payload(\.[A-Za-z0-9_]+)?$/) });
              return { ok: true };
            } catch (e) {
              lastError = e as Error;
            }
          }
          // How SSM words a script's exception (an AWS Solutions test fixture shows it; docs/aws-assumptions.md, S6).
          const message = `Step fails when it is Poll action status for completion. RuntimeError: ${lastError!.message}. ` +
            'Please refer to Automation Service Troubleshooting Guide for more diagnosis details.';
          finish(false, { failureMessage: message });
          return { ok: false, message };
        }
        case 'aws:invokeLambdaFunction': {
          const inputs = this.resolve(step.inputs) as Record<string, any>;
          const sent = JSON.parse(JSON.stringify(inputs.InputPayload ?? {}));
          let response: Record<string, unknown>;
          try {
            response = { StatusCode: 200, Payload: JSON.stringify(await this.hooks.invoke(inputs.FunctionName, sent)) };
          } catch (e) {
            response = { StatusCode: 200, FunctionError: 'Unhandled', Payload: JSON.stringify({ errorMessage: (e as Error).message }) };
          }
          finish(true, { outputs: this.selectOutputs(step, response, /^\$\.(StatusCode|FunctionError|LogResult|Payload)$/) });
          return { ok: true };
        }
        case 'aws:branch': {
          const choice = (step.inputs.Choices as Step[]).find((c) => this.choiceHolds(c));
          finish(true);
          return { ok: true, jump: choice?.NextStep ?? step.inputs.Default };
        }
        case 'aws:approve': {
          const inputs = this.resolve(step.inputs) as Record<string, any>;
          const approved = await (this.hooks.approve ?? (async () => true))(inputs.Message, inputs.Approvers);
          this.values.set(`${step.name}.ApprovalStatus`, approved ? 'Approved' : 'Rejected');
          if (!approved) {
            finish(false, { failureMessage: 'Step was rejected by an approver' });
            return { ok: false, message: 'rejected' };
          }
          finish(true);
          return { ok: true };
        }
        case 'aws:sleep': {
          const m = /^PT(\d+)S$/.exec(step.inputs.Duration);
          if (!m) throw new Error(`unsupported Duration ${step.inputs.Duration}`);
          await this.hooks.sleep(Number(m[1]) * 1000);
          finish(true);
          return { ok: true };
        }
        case 'aws:loop': {
          const max: number = step.inputs.MaxIterations;
          for (let iteration = 1; iteration <= max; iteration++) {
            for (const inner of step.inputs.Steps as Step[]) {
              const r = await this.runStep(inner, step.name);
              if (!r.ok) {
                finish(false, { failureMessage: r.message });
                return r;
              }
            }
            if (!this.choiceHolds(step.inputs.LoopCondition)) break;
          }
          finish(true);
          return { ok: true };
        }
        default:
          throw new Error(`the simulator does not know action ${step.action}`);
      }
    } catch (e) {
      finish(false, { failureMessage: (e as Error).message });
      return { ok: false, message: (e as Error).message };
    }
  }

  /**
   * The step's outputs, each selected from `source` with a selector `allowed` admits (the
   * ones the action's reference documents), as its declared type.
   */
  private selectOutputs(step: Step, source: Record<string, unknown>, allowed: RegExp): Record<string, string[]> {
    const outputs: Record<string, string[]> = {};
    for (const o of step.outputs ?? []) {
      if (!allowed.test(o.Selector)) {
        throw new Error(`output ${o.Name}: selector ${o.Selector} is not one ${step.action} documents (${allowed.source})`);
      }
      let selected: unknown = source;
      for (const key of o.Selector.replace(/^\$\./, '').split('.')) selected = (selected as Record<string, unknown> | undefined)?.[key];
      if (selected === undefined || selected === null) throw new Error(`output ${o.Name}: selector ${o.Selector} found nothing`);
      const typed = o.Type === 'Boolean' ? selected === true || selected === 'true'
        : o.Type === 'Integer' ? Number(selected)
          : typeof selected === 'object' ? JSON.stringify(selected) : String(selected);
      if (o.Type === 'Integer' && !Number.isInteger(typed)) throw new Error(`output ${o.Name} is not an Integer: ${String(selected)}`);
      if (String(typed).length > MAX_OUTPUT_VALUE_LENGTH) {
        throw new Error(`output ${o.Name} is ${String(typed).length} characters; SSM keeps ${MAX_OUTPUT_VALUE_LENGTH} at most`);
      }
      this.values.set(`${step.name}.${o.Name}`, typed);
      outputs[o.Name] = [String(typed)];
    }
    return outputs;
  }

  private choiceHolds(choice: Step): boolean {
    const value = this.resolve(choice.Variable);
    if ('BooleanEquals' in choice) return (value === true || value === 'true') === choice.BooleanEquals;
    if ('StringEquals' in choice) return value === choice.StringEquals;
    throw new Error(`the simulator does not know the operator of ${JSON.stringify(choice)}`);
  }
}

/**
 * What the runbooks' script (`INVOKE_STEP_SCRIPT`) does, in TypeScript: invoke
 * `events.FunctionName` with `events.Input`, raise the function's error as JSON, cut
 * string values to 500 characters. `test/ssm/invoke-step-script.test.ts` runs the real
 * Python script and holds it to the same behaviour.
 */
export async function mirrorInvokeStepScript(
  events: Record<string, unknown>,
  invoke: (functionName: string, payload: Record<string, unknown>) => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  for (const key of ['FunctionName', 'Region', 'ReadTimeoutSeconds', 'Input']) {
    if (!(key in events)) throw new Error(`KeyError: '${key}'`);
  }
  let result: Record<string, unknown>;
  try {
    result = await invoke(String(events.FunctionName), JSON.parse(JSON.stringify(events.Input)));
  } catch (e) {
    throw new Error(JSON.stringify({ errorType: 'Error', errorMessage: (e as Error).message }));
  }
  return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, typeof v === 'string' && v.length > 500 ? `${v.slice(0, 499)}\u2026` : v]));
}
