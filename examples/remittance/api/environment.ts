/**
 * What the Lambda functions of the remittance API read from their environment: the
 * database (the secret from Secrets Manager, the global writer endpoint, and in an
 * active/active deployment the Region's reader endpoint) and the runbooks. The
 * connections live per execution environment, kept across invocations.
 *
 * Environment: DB_SECRET_ID (the database secret, or its replica in this Region),
 * DB_WRITER_ENDPOINT (the global writer endpoint), DB_READER_ENDPOINT (active/active only:
 * this Region's reader endpoint), DB_NAME, DB_SSL=off (local runs only);
 * SWITCHOVER_DOCUMENT, FAILOVER_DOCUMENT, FAILBACK_DOCUMENT, EVACUATE_DOCUMENT and
 * RESTORE_DOCUMENT (active/active only), OPERATORS_GROUP, HOME_REGION,
 * STATE_FUNCTION (the function that reads the deployment's state), ALARM_NAMES (JSON: per
 * Region the alarm name prefix and the "Region impaired" alarm) (the API);
 * DEPLOYMENT_NAME, ALARM_NAMES (the state function).
 *
 * The API functions run in a VPC without internet access, with endpoints for Secrets
 * Manager, SSM and Lambda in their Region. The deployment's state is read from every
 * Region and from the ARC data plane, which no endpoint of the VPC reaches: a function
 * outside the VPC reads it (state-handler.ts), and the API invokes it.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AutomationExecution, SSMClient, StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { Database, DatabaseOptions, DatabaseSecret, ForwardedWrites, Queries, SecretSource } from './db';
import { Automation, OperationsSettings } from './operations';
import { cachedFor } from '../../../src/cached';
import { awsCliDependencies } from '../../../src/cli/aws-cli-dependencies';
import { consoleLink, deploymentStateSources } from '../../../src/cli/cli';
import { executionViewOf, fullExecution } from '../../../src/ssm/aws-step-dependencies';
import { AlarmView, DeploymentState, readDeploymentState } from '../../../src/ssm/deployment-state';
import { RUNBOOK_NAMES } from '../../../src/ssm/runbooks';
import { ENDED_STATUSES, reportFromExecution, summarize } from '../../../src/ssm/step-handler';

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`the environment variable ${name} is missing: redeploy the remittance stack of this Region`);
  return value;
}

/**
 * Bounds on every AWS call: a connection in 3 s, an answer in 10 s. The SDK only warns
 * on a request timeout unless `throwOnRequestTimeout` is set.
 */
const BOUNDED = { requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true } };

/** The database secret, read from Secrets Manager (this Region's replica of it). */
function secretFromEnvironment(): SecretSource {
  const secretId = required('DB_SECRET_ID');
  const secrets = new SecretsManagerClient(BOUNDED);
  return async (): Promise<DatabaseSecret> => {
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    const value = JSON.parse(out.SecretString ?? '{}') as Partial<DatabaseSecret>;
    if (!value.username || !value.password || !value.port) {
      throw new Error(`secret ${secretId} has no username, password or port: it is not an RDS database secret`);
    }
    return value as DatabaseSecret;
  };
}

function connectionOptions(host: string | undefined): DatabaseOptions {
  return { host, database: process.env.DB_NAME, ...(process.env.DB_SSL === 'off' ? { ssl: false } : {}) };
}

/** One connection to the global writer endpoint (the schema migration, and the API of an active/passive deployment). */
export function databaseFromEnvironment(): Database {
  return new Database(secretFromEnvironment(), connectionOptions(process.env.DB_WRITER_ENDPOINT));
}

/**
 * The API's connections. Active/passive: one, to the global writer endpoint, for reads
 * and writes. Active/active (DB_READER_ENDPOINT set, the Region's reader endpoint): the
 * reads on the reader endpoint, the writes forwarded through it ({@link ForwardedWrites}).
 * Each connection reads the secret when it first connects, and again after a failure.
 */
export function connectionsFromEnvironment(): { db: Queries; reads?: Queries } {
  const reader = process.env.DB_READER_ENDPOINT;
  if (!reader) return { db: databaseFromEnvironment() };
  const secret = secretFromEnvironment();
  const endpoint = (host: string | undefined, reconnectOnReadOnly: boolean) =>
    new Database(secret, { ...connectionOptions(host), reconnectOnReadOnly });
  return {
    reads: endpoint(reader, true),
    db: new ForwardedWrites(endpoint(reader, false), endpoint(required('DB_WRITER_ENDPOINT'), false)),
  };
}

/** Per Region: the prefix of its alarms' names and its "Region impaired" alarm, as the stack writes them in ALARM_NAMES. */
type AlarmNames = Record<string, { readonly prefix: string; readonly impaired: string }>;

/** The alarms whose names start with `prefix` in `region`, metric and composite, every page read. */
async function alarmsOf(clients: Map<string, CloudWatchClient>, region: string, prefix: string): Promise<AlarmView[]> {
  if (!clients.has(region)) clients.set(region, new CloudWatchClient({ region, ...BOUNDED }));
  const found: AlarmView[] = [];
  let token: string | undefined;
  do {
    const out = await clients.get(region)!.send(new DescribeAlarmsCommand({
      AlarmNamePrefix: prefix, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken: token,
    }));
    for (const a of [...out.MetricAlarms ?? [], ...out.CompositeAlarms ?? []]) {
      found.push({ name: a.AlarmName ?? '', state: a.StateValue ?? 'INSUFFICIENT_DATA', since: a.StateUpdatedTimestamp?.getTime(), description: a.AlarmDescription });
    }
    token = out.NextToken;
  } while (token);
  return found;
}

/** How long one read of the state may take: an impaired Region must not hold up the page's view of the others. */
const STATE_READ_TIMEOUT_MS = 5_000;

/**
 * The deployment's state as read from `region` (for the state function): the command
 * line's `readDeploymentState` over the published topology, with every Region's alarms.
 * The topology is read at most once a minute; the state is shared by the requests of the
 * same 2 seconds.
 */
export function stateReaderFromEnvironment(region: string): () => Promise<DeploymentState> {
  const alarmNames = JSON.parse(process.env.ALARM_NAMES ?? '{}') as AlarmNames;
  const name = required('DEPLOYMENT_NAME');
  const cloudwatch = new Map<string, CloudWatchClient>();
  const cli = awsCliDependencies({ env: {}, requestTimeoutMs: STATE_READ_TIMEOUT_MS });
  // A failed read of either is made again at the next request, not a minute later.
  const sources = cachedFor(60_000, () => deploymentStateSources(cli, region, name).then((x) => x.sources));
  return cachedFor(2_000, async () => readDeploymentState({
    ...await sources(),
    alarms: (r) => (alarmNames[r] ? alarmsOf(cloudwatch, r, alarmNames[r].prefix) : Promise.resolve([])),
    readTimeoutMs: STATE_READ_TIMEOUT_MS,
  }, region));
}

/** The runbooks of this Region, when the environment names them. */
export function operationsFromEnvironment(region: string): { automation: Automation; operations: OperationsSettings } | undefined {
  if (!process.env.FAILOVER_DOCUMENT) return undefined;
  const ssm = new SSMClient({ region, ...BOUNDED });
  const lambda = new LambdaClient({ region, ...BOUNDED, requestHandler: { ...BOUNDED.requestHandler, requestTimeout: 20_000 } });
  const alarmNames = JSON.parse(process.env.ALARM_NAMES ?? '{}') as AlarmNames;
  const documents: OperationsSettings['documents'] = {
    switchover: required('SWITCHOVER_DOCUMENT'),
    failover: required('FAILOVER_DOCUMENT'),
    failback: required('FAILBACK_DOCUMENT'),
    // Active/active routing: the evacuation and the restore.
    ...(process.env.EVACUATE_DOCUMENT ? { evacuate: process.env.EVACUATE_DOCUMENT, restore: required('RESTORE_DOCUMENT') } : {}),
  };
  return {
    operations: {
      region,
      documents,
      operatorsGroup: required('OPERATORS_GROUP'),
      home: required('HOME_REGION'),
      impairedAlarms: Object.fromEntries(Object.entries(alarmNames).map(([r, n]) => [r, n.impaired])),
    },
    automation: {
      async start(documentName, parameters) {
        const out = await ssm.send(new StartAutomationExecutionCommand({ DocumentName: documentName, Parameters: parameters }));
        if (!out.AutomationExecutionId) throw new Error(`StartAutomationExecution of ${documentName} answered no execution id`);
        return out.AutomationExecutionId;
      },
      async get(executionId) {
        let e: AutomationExecution;
        try {
          // Every step, also when SSM cuts the history (StepExecutionsTruncated).
          e = await fullExecution(ssm, region, executionId);
        } catch (err) {
          // SSM's own "not found", or an answer without the execution.
          if ((err as { name?: string }).name === 'AutomationExecutionNotFoundException' || /^automation execution \S+ was not found/.test((err as Error).message)) {
            return undefined;
          }
          throw err;
        }
        const status = e.AutomationExecutionStatus ?? 'Unknown';
        const runbook = RUNBOOK_NAMES.find((r) => r !== 'rebuild' && documents[r] === e.DocumentName);
        const targetRegion = e.Parameters?.TargetRegion?.[0] ?? region;
        // Once it has ended: the report the command line prints, from the same step history.
        const report = runbook && ENDED_STATUSES.includes(status)
          ? summarize(reportFromExecution(runbook, targetRegion, executionViewOf(e))) : undefined;
        return {
          executionId,
          documentName: e.DocumentName ?? '',
          status,
          failureMessage: e.FailureMessage,
          steps: (e.StepExecutions ?? []).map((s) => ({
            name: s.StepName ?? '?',
            status: s.StepStatus ?? 'Pending',
            message: s.FailureMessage,
            startedAt: s.ExecutionStartTime?.getTime(),
            durationMs: s.ExecutionStartTime && s.ExecutionEndTime ? s.ExecutionEndTime.getTime() - s.ExecutionStartTime.getTime() : undefined,
          })),
          startedAt: e.ExecutionStartTime?.getTime(),
          ...(runbook ? { runbook } : {}),
          targetRegion,
          ...(report ? { report } : {}),
          consoleUrl: consoleLink(region, executionId),
        };
      },
      async state() {
        const out = await lambda.send(new InvokeCommand({ FunctionName: required('STATE_FUNCTION'), Payload: new TextEncoder().encode('{}') }));
        const payload = JSON.parse(new TextDecoder().decode(out.Payload ?? new Uint8Array())) as DeploymentState & { errorMessage?: string };
        if (out.FunctionError) throw new Error(`the state function failed (${out.FunctionError}): ${payload.errorMessage ?? 'no message'}`);
        return payload;
      },
    },
  };
}
