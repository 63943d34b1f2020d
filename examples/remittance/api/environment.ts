/**
 * What the Lambda functions of the remittance API read from their environment: the
 * database (the secret from Secrets Manager, the global writer endpoint) and the
 * runbooks. One Database per execution environment, kept across invocations.
 *
 * Environment: DB_SECRET_ID (the database secret, or its replica in this Region),
 * DB_WRITER_ENDPOINT (the global writer endpoint), DB_NAME, DB_SSL=off (local runs only);
 * SWITCHOVER_DOCUMENT, FAILOVER_DOCUMENT, FAILBACK_DOCUMENT, OPERATORS_GROUP (the API).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetAutomationExecutionCommand, SSMClient, StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { Database, DatabaseSecret } from './db';
import { Automation, OperationsSettings } from './operations';

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

export function databaseFromEnvironment(): Database {
  const secretId = required('DB_SECRET_ID');
  const secrets = new SecretsManagerClient(BOUNDED);
  return new Database(async (): Promise<DatabaseSecret> => {
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    const value = JSON.parse(out.SecretString ?? '{}') as Partial<DatabaseSecret>;
    if (!value.username || !value.password || !value.port) {
      throw new Error(`secret ${secretId} has no username, password or port: it is not an RDS database secret`);
    }
    return value as DatabaseSecret;
  }, {
    host: process.env.DB_WRITER_ENDPOINT,
    database: process.env.DB_NAME,
    ...(process.env.DB_SSL === 'off' ? { ssl: false } : {}),
  });
}

/** The runbooks of this Region, when the environment names them. */
export function operationsFromEnvironment(region: string): { automation: Automation; operations: OperationsSettings } | undefined {
  if (!process.env.FAILOVER_DOCUMENT) return undefined;
  const ssm = new SSMClient({ region, ...BOUNDED });
  return {
    operations: {
      region,
      documents: { switchover: required('SWITCHOVER_DOCUMENT'), failover: required('FAILOVER_DOCUMENT'), failback: required('FAILBACK_DOCUMENT') },
      operatorsGroup: required('OPERATORS_GROUP'),
    },
    automation: {
      async start(documentName, parameters) {
        const out = await ssm.send(new StartAutomationExecutionCommand({ DocumentName: documentName, Parameters: parameters }));
        if (!out.AutomationExecutionId) throw new Error(`StartAutomationExecution of ${documentName} answered no execution id`);
        return out.AutomationExecutionId;
      },
      async get(executionId) {
        try {
          const { AutomationExecution: e } = await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: executionId }));
          if (!e) return undefined;
          return {
            executionId,
            documentName: e.DocumentName ?? '',
            status: e.AutomationExecutionStatus ?? 'Unknown',
            failureMessage: e.FailureMessage,
            steps: (e.StepExecutions ?? []).map((s) => ({ name: s.StepName ?? '?', status: s.StepStatus ?? 'Pending', message: s.FailureMessage })),
          };
        } catch (err) {
          if ((err as { name?: string }).name === 'AutomationExecutionNotFoundException') return undefined;
          throw err;
        }
      },
    },
  };
}
