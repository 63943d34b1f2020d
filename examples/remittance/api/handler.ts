/**
 * The remittance API's Lambda entry point. The connection and the secret live at module
 * scope: one per execution environment, reused by every invocation it serves.
 *
 * Environment: DB_SECRET_ID (the database secret, or its replica in this Region),
 * DB_WRITER_ENDPOINT (the global writer endpoint), DB_NAME.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Database, DatabaseSecret } from './db';
import { ApiEvent, ApiResult, handleRequest } from './remittances';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`the environment variable ${name} is missing: redeploy the remittance API stack of this Region`);
  return value;
}

const secretId = required('DB_SECRET_ID');
const secrets = new SecretsManagerClient({});

async function readSecret(): Promise<DatabaseSecret> {
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  const value = JSON.parse(out.SecretString ?? '{}') as Partial<DatabaseSecret>;
  if (!value.username || !value.password || !value.port) {
    throw new Error(`secret ${secretId} has no username, password or port: it is not an RDS database secret`);
  }
  return value as DatabaseSecret;
}

const db = new Database(readSecret, {
  host: process.env.DB_WRITER_ENDPOINT,
  database: process.env.DB_NAME,
  ...(process.env.DB_SSL === 'off' ? { ssl: false } : {}),
});

export async function handler(event: ApiEvent): Promise<ApiResult> {
  return handleRequest(event, db, required('AWS_REGION'));
}
