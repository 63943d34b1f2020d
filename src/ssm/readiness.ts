/**
 * The readiness evaluation: on a schedule, in every Region, the step function runs each
 * runbook's pre-flight read-only, with this Region as the target, as the command-line
 * tool's `--dry-run` does, and publishes whether each runbook would start here now:
 *
 * - the CloudWatch metric `RunbookReady` (1 ready, 0 not), per runbook and for all of
 *   them together, which an alarm watches;
 * - one JSON line in the function's log, with every refusal's reason;
 * - the SSM parameter `/cdk-cross-region-failover/<name>/readiness` of the Region, which
 *   the command-line tool's `status` prints.
 *
 * Ready means the pre-flight passed, or refused only because there is nothing to do (the
 * Region is already the writer and routed; already a connected secondary for a rebuild)
 * or because another run is under way, unless that run has lasted longer than any run of
 * the deployment can (`MaxRunSeconds`): then it is stuck, and not ready. A refusal for any other reason, or a pre-flight
 * that could not run (an AWS error), is not ready. Nothing is changed: a pre-flight only
 * reads.
 */
import { CloudOperations, RunbookTopology } from './cloud-operations';
import { PreflightRefusal, RunbookName, runbooksFor, StepInput } from './runbook-types';
import { RUNBOOKS } from './runbooks';
import { PARAMETER_ROOT } from './topology';

/** The value of `Runbook` in the scheduled event that asks for an evaluation. */
export const READINESS_RUNBOOK = 'Readiness';
/** Where the metric is published. */
export const READINESS_NAMESPACE = 'CdkCrossRegionFailover';
export const READINESS_METRIC = 'RunbookReady';
/** The `Runbook` dimension's value of the datapoint for every runbook together. */
export const ALL_RUNBOOKS = 'all';
/** The most of a reason the parameter keeps: four of them fit a Standard parameter's 4 KB (the log has them whole). */
export const MAX_REASON_LENGTH = 600;

/** The parameter that holds a Region's last evaluation. */
export function readinessParameterName(name: string): string {
  return `${PARAMETER_ROOT}/${name}/readiness`;
}

/** What the schedule sends: the deployment's defaults for the checks that have a bound. */
export interface ReadinessEvent {
  readonly Runbook?: unknown;
  /** The switchover's and failback's `MaxRpoLagSeconds` default. */
  readonly MaxRpoLagSeconds?: unknown;
  /** The failover's `MaxDataLossSeconds` default; 0 or absent: no bound. */
  readonly MaxDataLossSeconds?: unknown;
  /** The longest a run of the deployment can last (its waits and approval together): a run under way for longer is stuck. */
  readonly MaxRunSeconds?: unknown;
  /**
   * When the schedule fired (the scheduled event's `time`): the datapoint's timestamp, so
   * that every period of the alarm gets exactly one, however late the invocation.
   */
  readonly ScheduledAt?: unknown;
}

/** How one runbook's pre-flight ended. */
export type ReadinessOutcome = 'passed' | 'nothing-to-do' | 'busy' | 'refused' | 'error';

/** One runbook's result. */
export interface RunbookReadiness {
  readonly runbook: RunbookName;
  readonly ready: boolean;
  readonly outcome: ReadinessOutcome;
  /** The pre-flight's detail or refusal, as the operator would read it. */
  readonly reason: string;
}

/** One evaluation in one Region. */
export interface ReadinessEvaluation {
  /** The deployment (the database's name). */
  readonly name: string;
  readonly region: string;
  /** When it ended (ISO 8601). */
  readonly evaluatedAt: string;
  /** Every runbook is ready. */
  readonly ready: boolean;
  readonly runbooks: RunbookReadiness[];
}

/** Where an evaluation is published. */
export interface ReadinessPublisher {
  /** `PutMetricData` in the function's Region. */
  putMetrics(namespace: string, data: ReadinessDatapoint[]): Promise<void>;
  /** `PutParameter` (overwrite) in the function's Region. */
  putParameter(name: string, value: string): Promise<void>;
}

/** One datapoint of `RunbookReady`. */
export interface ReadinessDatapoint {
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly value: number;
  readonly timestamp: Date;
}

/** The runbooks the evaluation runs the pre-flight of: the deployment's, but the evacuation. */
export function readinessRunbooks(activeActive: boolean): RunbookName[] {
  return runbooksFor(activeActive).filter((r) => r !== 'evacuate');
}

/** Runs every runbook's pre-flight with `localRegion` as the target. Never throws for a runbook's sake: each result says what happened. */
export async function evaluateReadiness(ctx: {
  cloud: CloudOperations;
  topology: RunbookTopology;
  localRegion: string;
  maxRpoLagMs?: number;
  maxDataLossMs?: number;
  /** A run under way for longer than this is stuck, which is not ready. Default: a run under way is always busy. */
  maxRunMs?: number;
}): Promise<ReadinessEvaluation> {
  const runbooks: RunbookReadiness[] = [];
  // One after the other: they read the same things, and a Region under strain gets four
  // small sets of reads rather than four at once. The evacuation is left out: it takes the
  // target out from another Region, so it has no pre-flight with this Region as target.
  for (const runbook of readinessRunbooks(ctx.topology.activeActive === true)) {
    const input: StepInput = {
      targetRegion: ctx.localRegion,
      // The failover's own refusal of a run without it is the operator's choice, not a
      // readiness problem: every other check runs.
      allowDataLoss: runbook === 'failover' ? true : undefined,
      maxRpoLagMs: ctx.maxRpoLagMs,
      maxDataLossMs: ctx.maxDataLossMs,
    };
    const preflight = RUNBOOKS[runbook][0];
    try {
      const result = await preflight.run!({ cloud: ctx.cloud, topology: ctx.topology, localRegion: ctx.localRegion, input });
      runbooks.push({ runbook, ready: true, outcome: 'passed', reason: result.detail });
    } catch (e) {
      if (e instanceof PreflightRefusal) {
        const forMs = e.since !== undefined ? ctx.cloud.now() - e.since : 0;
        if (e.kind === 'busy' && ctx.maxRunMs !== undefined && forMs > ctx.maxRunMs) {
          // Longer than its waits and approval allow: it no longer waits for anything, and blocks every run.
          runbooks.push({
            runbook,
            ready: false,
            outcome: 'refused',
            reason: `${e.message}; it has been under way for ${Math.round(forMs / 60_000)} min, longer than a run of this deployment can last ` +
              `(${Math.round(ctx.maxRunMs / 60_000)} min): it is stuck and blocks every runbook; read it, then stop it`,
          });
          continue;
        }
        runbooks.push({ runbook, ready: e.kind !== 'refused', outcome: e.kind, reason: e.message });
      } else {
        runbooks.push({ runbook, ready: false, outcome: 'error', reason: `the pre-flight could not run: ${(e as Error).message ?? String(e)}` });
      }
    }
  }
  return {
    name: ctx.topology.globalClusterIdentifier,
    region: ctx.localRegion,
    evaluatedAt: new Date(ctx.cloud.now()).toISOString(),
    ready: runbooks.every((r) => r.ready),
    runbooks,
  };
}

/** The datapoints of an evaluation: one per runbook and one for all of them, at `at` (default: when it was evaluated). */
export function readinessDatapoints(evaluation: ReadinessEvaluation, at?: Date): ReadinessDatapoint[] {
  const timestamp = at ?? new Date(evaluation.evaluatedAt);
  const point = (runbook: string, ready: boolean): ReadinessDatapoint => ({
    metricName: READINESS_METRIC,
    dimensions: { Deployment: evaluation.name, Region: evaluation.region, Runbook: runbook },
    value: ready ? 1 : 0,
    timestamp,
  });
  return [...evaluation.runbooks.map((r) => point(r.runbook, r.ready)), point(ALL_RUNBOOKS, evaluation.ready)];
}

/** Publishes an evaluation: the metric first (what the alarm watches), then the parameter the CLI reads. */
export async function publishReadiness(evaluation: ReadinessEvaluation, publisher: ReadinessPublisher, at?: Date): Promise<void> {
  await publisher.putMetrics(READINESS_NAMESPACE, readinessDatapoints(evaluation, at));
  const short = { ...evaluation, runbooks: evaluation.runbooks.map((r) => ({ ...r, reason: cut(r.reason) })) };
  await publisher.putParameter(readinessParameterName(evaluation.name), JSON.stringify(short));
}

function cut(text: string): string {
  return text.length <= MAX_REASON_LENGTH ? text : `${text.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

/** The seconds of the event as milliseconds; absent, empty or 0 as undefined. */
export function secondsOf(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(`the readiness event's ${field} is ${JSON.stringify(value)}, not a number of seconds: ` +
    'redeploy the stack');
  }
  return n === 0 ? undefined : n * 1000;
}

/** Reads a published evaluation back (the command-line tool); undefined when the parameter holds none yet. */
export function parseReadiness(text: string | undefined): ReadinessEvaluation | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text);
    if (value && typeof value.evaluatedAt === 'string' && Array.isArray(value.runbooks)) return value as ReadinessEvaluation;
  } catch {
    // The placeholder written on deployment, or something else: not an evaluation.
  }
  return undefined;
}

/** What the evaluation reads with: the step function's own dependencies. */
export interface ReadinessDependencies {
  readonly region: string;
  readonly cloud: CloudOperations;
  loadTopology(): Promise<RunbookTopology>;
}

/**
 * Handles the scheduled event: evaluates, logs one JSON line, publishes. When the
 * topology cannot be read, every runbook is published not ready with that reason (the
 * runbooks could not run either), and the error is thrown for the function's metrics.
 */
export async function handleReadiness(event: ReadinessEvent & { Deployment?: unknown }, deps: ReadinessDependencies, publisher: ReadinessPublisher) {
  const maxRpoLagMs = secondsOf(event.MaxRpoLagSeconds, 'MaxRpoLagSeconds');
  const maxDataLossMs = secondsOf(event.MaxDataLossSeconds, 'MaxDataLossSeconds');
  const maxRunMs = secondsOf(event.MaxRunSeconds, 'MaxRunSeconds');
  let evaluation: ReadinessEvaluation;
  let failure: Error | undefined;
  try {
    const topology = await deps.loadTopology();
    evaluation = await evaluateReadiness({ cloud: deps.cloud, topology, localRegion: deps.region, maxRpoLagMs, maxDataLossMs, maxRunMs });
  } catch (e) {
    failure = e as Error;
    const name = typeof event.Deployment === 'string' ? event.Deployment : '';
    if (!name) throw new Error(`the readiness event names no Deployment and the topology could not be read: ${failure.message}`);
    const reason = `the pre-flight could not run: ${failure.message}`;
    evaluation = {
      name,
      region: deps.region,
      evaluatedAt: new Date(deps.cloud.now()).toISOString(),
      ready: false,
      runbooks: readinessRunbooks(false).map((runbook) => ({ runbook, ready: false, outcome: 'error' as const, reason })),
    };
  }
  console.log(JSON.stringify({ readiness: evaluation }));
  const scheduled = typeof event.ScheduledAt === 'string' ? new Date(event.ScheduledAt) : undefined;
  await publishReadiness(evaluation, publisher, scheduled && !Number.isNaN(scheduled.getTime()) ? scheduled : undefined);
  if (failure) throw failure;
  return evaluation;
}

/**
 * The first evaluation of a deployment, run by the step function when the self-test's
 * report passed, so that the readiness alarm has data from its first period. Its event is
 * the schedule's (`READINESS_EVENT` in the function's environment). A failure is logged,
 * not thrown: the self-test passed, and the schedule evaluates again.
 */
export async function firstEvaluation(
  eventText: string | undefined, deps: ReadinessDependencies, publisher: ReadinessPublisher,
): Promise<ReadinessEvaluation | undefined> {
  if (!eventText) return undefined;
  try {
    return await handleReadiness(JSON.parse(eventText), deps, publisher);
  } catch (e) {
    console.error(JSON.stringify({ readiness: 'the first evaluation failed; the schedule runs the next', error: (e as Error).message }));
    return undefined;
  }
}
