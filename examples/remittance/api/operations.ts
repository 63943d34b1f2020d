/**
 * The UI's runbook buttons: start one of this Region's runbooks (the SSM Automation
 * documents FailoverAutomation deployed) and report an execution's step progress. A
 * runbook is always started in the Region that is to take over or stay in service,
 * through that Region's own API, so the buttons work while another Region is down: a
 * switchover, failover, failback or restore acts on this Region; an evacuation (with
 * active/active routing) takes another Region out of service, and this one stays. Only
 * members of the operators group may start or read executions.
 */
import { Execution, OperationsState, RegionStatus, RunSummary } from './model';
import { ApiEvent, ApiResult, jsonReply, unauthenticated } from './remittances';
import type { EndedExecution, RunningExecution } from '../../../src/ssm/cloud-operations';
import type { DeploymentState } from '../../../src/ssm/deployment-state';

export type { Execution, ExecutionStep, OperationsState } from './model';

export type RunbookName = 'switchover' | 'failover' | 'failback' | 'evacuate' | 'restore';
const RUNBOOKS: readonly RunbookName[] = ['switchover', 'failover', 'failback', 'evacuate', 'restore'];
/** The shape of a Region name, such as us-east-1. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;


/** The SSM Automation calls the buttons need, in this Region. */
export interface Automation {
  /** Starts `documentName`; answers the execution id. */
  start(documentName: string, parameters: Record<string, string[]>): Promise<string>;
  /** The execution, or undefined when there is none with that id. */
  get(executionId: string): Promise<Execution | undefined>;
  /** The deployment's state, read from this Region: what `cdk-cross-region-failover status` shows, with the alarms. */
  state(): Promise<DeploymentState>;
}

export interface OperationsSettings {
  /** This Region: the target of every runbook started here. */
  readonly region: string;
  /**
   * The document name of each runbook: the evacuation and the restore only with
   * active/active routing (FailoverAutomation deploys them only then).
   */
  readonly documents: Readonly<Record<'switchover' | 'failover' | 'failback', string> & Partial<Record<'evacuate' | 'restore', string>>>;
  /** The Cognito group whose members may press the buttons. */
  readonly operatorsGroup: string;
  /** The home Region (the initial primary), where a failback returns. */
  readonly home: string;
  /** Each Region's "Region impaired" alarm (ObservedWorkload.regionImpairedAlarmName). */
  readonly impairedAlarms?: Readonly<Record<string, string>>;
}

/**
 * The deployment's state as the operations panel reads it: per Region the role, the
 * traffic, the lag, the alarms not OK, the readiness and the runs, each run named by its
 * runbook, a failover's clusters by their Regions.
 */
export function operationsStateOf(state: DeploymentState, settings: OperationsSettings): OperationsState {
  const runbookOf = (documentName: string) => (Object.entries(settings.documents).find(([, d]) => d === documentName)?.[0])
    ?? (documentName.endsWith('-Rebuild') ? 'rebuild' : documentName);
  const run = (e: RunningExecution | EndedExecution): RunSummary => ({
    executionId: e.executionId,
    runbook: runbookOf(e.documentName),
    region: e.region,
    status: e.status,
    startedAt: e.startTime,
    ...('endTime' in e ? { endedAt: e.endTime } : {}),
    ...('currentStep' in e && e.currentStep ? { currentStep: e.currentStep } : {}),
  });
  // A cluster's ARN names its Region: arn:<partition>:rds:<region>:<account>:cluster:<id>.
  const regionOfCluster = (arn?: string) => (arn ? state.regions.find((r) => arn.includes(`:${r.region}:`))?.region ?? arn : undefined);
  const failover = state.globalDatabase.failoverState;
  return {
    readAt: state.readAt,
    readFrom: state.readFrom,
    home: settings.home,
    ...(settings.documents.evacuate ? { activeActive: true } : {}),
    globalDatabase: {
      identifier: state.globalDatabase.identifier,
      ...(state.globalDatabase.status ? { status: state.globalDatabase.status } : {}),
      ...(failover ? {
        failoverState: {
          status: failover.status,
          fromRegion: regionOfCluster(failover.fromClusterArn),
          toRegion: regionOfCluster(failover.toClusterArn),
        },
      } : {}),
    },
    regions: state.regions.map((r): RegionStatus => {
      const impairedName = settings.impairedAlarms?.[r.region];
      return {
        region: r.region,
        role: r.role,
        ...(r.synchronizationStatus ? { synchronizationStatus: r.synchronizationStatus } : {}),
        traffic: r.traffic,
        ...(r.rpoLag ? { rpoLagMs: r.rpoLag.valueMs, rpoLagAt: r.rpoLag.at } : {}),
        ...(r.rpoLagError ? { rpoLagError: r.rpoLagError } : {}),
        ...(r.alarms ? {
          // Unknown (undefined) unless the "Region impaired" alarm itself was read.
          impaired: ((a) => (a ? a.state === 'ALARM' : undefined))(r.alarms.find((x) => x.name === impairedName)),
          alarms: r.alarms.filter((a) => a.state !== 'OK').map((a) => ({ name: a.name, state: a.state, ...(a.since ? { since: a.since } : {}) })),
          alarmsOk: r.alarms.filter((a) => a.state === 'OK').length,
        } : {}),
        ...(r.alarmsError ? { alarmsError: r.alarmsError } : {}),
        ...(r.readiness ? { readiness: { evaluatedAt: r.readiness.evaluatedAt, runbooks: r.readiness.runbooks.map((x) => ({ ...x })) } } : {}),
        ...(r.readinessError ? { readinessError: r.readinessError } : {}),
        ...(r.running ? { running: r.running.map(run) } : {}),
        ...(r.lastRuns ? { lastRuns: r.lastRuns.map(run) } : {}),
        ...(r.runningError || r.lastRunsError ? { runsError: r.runningError ?? r.lastRunsError } : {}),
      };
    }),
    problems: state.problems,
    interrupted: state.interrupted,
  };
}

/** The shape of an automation execution id (a UUID). */
const EXECUTION_ID = /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/i;

/**
 * How an ended run ended, read from the report its last step writes: a refused or failed
 * run's report step fails with "<runbook> to <region> refused: <reason>." (and its
 * warnings), which SSM passes on inside the step's failure message, as JSON.
 */
export function outcomeOf(execution: Execution): Pick<Execution, 'outcome' | 'reason'> {
  if (execution.status === 'Success') return { outcome: 'succeeded' };
  const texts = [execution.failureMessage, ...execution.steps.map((s) => s.message)].filter((t): t is string => !!t);
  for (const text of texts) {
    const plain = text.replace(/\\"/g, '"');
    const m = / to [a-z0-9-]+ (refused|failed): (.*?)(?:\. Steps: |\.? Warning: |\.?"\}|$)/s.exec(plain);
    if (m) return { outcome: m[1] as 'refused' | 'failed', reason: m[2] };
  }
  return ['Failed', 'Cancelled', 'TimedOut'].includes(execution.status) ? { outcome: 'failed', reason: execution.failureMessage } : {};
}

/** The Cognito groups of the caller: API Gateway passes `cognito:groups` as one string. */
export function callerGroups(event: ApiEvent): string[] {
  const raw = event.requestContext?.authorizer?.claims?.['cognito:groups'] ?? '';
  return raw.split(/[\s,[\]]+/).filter((g) => g.length > 0);
}

/** Answers `POST /operations`, `GET /operations/state` and `GET /operations/{executionId}`. */
export async function handleOperation(
  event: ApiEvent, executionId: string | undefined, automation: Automation, settings: OperationsSettings,
): Promise<ApiResult> {
  const reply = (status: number, payload: object) => jsonReply(settings.region, status, payload);
  const refused = unauthenticated(event, settings.region);
  if (refused) return refused;
  if (!callerGroups(event).includes(settings.operatorsGroup)) {
    return reply(403, { error: `only members of the Cognito group '${settings.operatorsGroup}' may run or follow runbooks` });
  }
  try {
    if (event.httpMethod === 'POST' && executionId === undefined) {
      let body: { runbook?: unknown; allowDataLoss?: unknown; targetRegion?: unknown };
      try {
        body = JSON.parse(event.body ?? '') as typeof body;
      } catch {
        return reply(400, { error: 'the body must be JSON like {"runbook": "failover", "allowDataLoss": true}' });
      }
      const runbook = body?.runbook as RunbookName;
      if (!RUNBOOKS.includes(runbook)) return reply(400, { error: `'runbook' must be one of ${RUNBOOKS.join(', ')}; got ${JSON.stringify(body?.runbook)}` });
      const documentName = settings.documents[runbook];
      if (!documentName) {
        return reply(400, {
          error: `this deployment has no ${runbook} runbook: its routing serves one Region at a time; evacuate and restore come with active/active routing`,
        });
      }
      if (body.targetRegion !== undefined && runbook !== 'evacuate') {
        return reply(400, { error: `'targetRegion' is for an evacuation only: a ${runbook} acts on the Region it is started in (${settings.region})` });
      }
      if (runbook === 'evacuate' && (typeof body.targetRegion !== 'string' || !REGION.test(body.targetRegion) || body.targetRegion === settings.region)) {
        return reply(400, {
          error: `an evacuation needs 'targetRegion', the Region to take out of service, other than ${settings.region}, which stays in service and runs it; ` +
            `got ${JSON.stringify(body.targetRegion)}`,
        });
      }
      if (runbook === 'failover' && body.allowDataLoss !== true) {
        return reply(400, {
          error: 'a failover promotes this Region without waiting for replication and can lose the last writes: ' +
            'send "allowDataLoss": true to accept that, or run a switchover while both Regions are healthy',
        });
      }
      const targetRegion = runbook === 'evacuate' ? body.targetRegion as string : settings.region;
      const parameters: Record<string, string[]> = {
        TargetRegion: [targetRegion],
        ...(runbook === 'failover' ? { AllowDataLoss: ['true'] } : {}),
      };
      const id = await automation.start(documentName, parameters);
      return reply(202, { executionId: id, runbook, region: settings.region, targetRegion, documentName });
    }
    if (event.httpMethod === 'GET' && executionId === 'state') {
      return reply(200, { state: operationsStateOf(await automation.state(), settings) });
    }
    if (event.httpMethod === 'GET' && executionId !== undefined) {
      if (!EXECUTION_ID.test(executionId)) return reply(400, { error: `'${executionId}' is not an automation execution id` });
      const execution = await automation.get(executionId);
      // Only this deployment's runbooks are shown, never another document's execution.
      if (!execution || !Object.values(settings.documents).includes(execution.documentName)) {
        return reply(404, { error: `no execution ${executionId} of this application's runbooks in ${settings.region}` });
      }
      return reply(200, { execution: { ...execution, ...outcomeOf(execution) } });
    }
    return reply(405, {
      error: `${event.httpMethod} is not allowed here: POST /operations starts a runbook, GET /operations/state reads every Region, GET /operations/{executionId} follows a run`,
    });
  } catch (e) {
    const name = (e as { name?: string }).name ?? 'Error';
    console.error(JSON.stringify({ operation: event.httpMethod, error: (e as Error).message, name }));
    // SSM's own refusals (one already running, throttling) are the operator's to read.
    const status = /AutomationExecutionLimitExceeded|Throttl|InvalidAutomation|AutomationDefinition/.test(name) ? 409 : 502;
    return reply(status, { error: `SSM Automation in ${settings.region} answered ${name}: ${(e as Error).message}` });
  }
}
