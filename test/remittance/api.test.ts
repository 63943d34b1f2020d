import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadFresh } from './fresh';
import { quietly } from './quietly';
import { Database, DatabaseSecret, ForwardedWrites, Queries, isReconnectable } from '../../examples/remittance/api/db';
import { ApiEvent, handleRequest, parseInput } from '../../examples/remittance/api/remittances';
import { migrate } from '../../examples/remittance/api/schema';
import { LocalPostgres } from '../../examples/remittance/local/postgres';
import { MotoServer, freePort } from '../ssm/moto-server';

const REGION = 'us-east-1';
const ALICE = { requestContext: { authorizer: { claims: { sub: 'alice' } } } };
const BOB = { requestContext: { authorizer: { claims: { sub: 'bob' } } } };

function call(db: Queries, event: Partial<ApiEvent>, who = ALICE) {
  return handleRequest({ httpMethod: 'GET', ...who, ...event } as ApiEvent, db, REGION).then((r) => ({ ...r, json: JSON.parse(r.body) }));
}

describe('the remittance API against a real PostgreSQL', () => {
  let pg: LocalPostgres;
  let db: Database;

  beforeAll(async () => {
    pg = await LocalPostgres.start();
    db = new Database(async () => pg.secret(), { ssl: false });
    expect(await migrate(db)).toEqual([1]);
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    await pg?.stop();
  });

  test('migrations apply once: a second run applies nothing', async () => {
    expect(await migrate(db)).toEqual([]);
  });

  test('create, list, read, update with the version read, delete; each answer names the Region', async () => {
    const created = await call(db, { httpMethod: 'POST', body: JSON.stringify({ sender: 'Alice', recipient: 'Bob', amount: '125.5', currency: 'EUR' }) });
    expect(created.statusCode).toBe(201);
    expect(created.headers['x-served-by']).toBe(REGION);
    const r = created.json.remittance;
    expect(r).toMatchObject({ sender: 'Alice', recipient: 'Bob', amount: '125.50', currency: 'EUR', note: null, createdIn: REGION, version: 1 });
    expect(created.json.servedBy).toBe(REGION);

    const list = await call(db, { httpMethod: 'GET' });
    expect(list.json.remittances.map((x: { id: string }) => x.id)).toContain(r.id);
    // Another user sees none of Alice's remittances.
    expect((await call(db, { httpMethod: 'GET' }, BOB)).json.remittances).toEqual([]);
    expect((await call(db, { httpMethod: 'GET', pathParameters: { id: r.id } }, BOB)).statusCode).toBe(404);

    const updated = await call(db, { httpMethod: 'PUT', pathParameters: { id: r.id }, body: JSON.stringify({ sender: 'Alice', recipient: 'Carol', amount: 99, currency: 'USD', note: 'rent', version: 1 }) });
    expect(updated.statusCode).toBe(200);
    expect(updated.json.remittance).toMatchObject({ recipient: 'Carol', amount: '99.00', currency: 'USD', note: 'rent', version: 2 });
    const stale = await call(db, { httpMethod: 'PUT', pathParameters: { id: r.id }, body: JSON.stringify({ sender: 'Alice', recipient: 'Dan', amount: 1, currency: 'USD', version: 1 }) });
    expect(stale.statusCode).toBe(409);
    expect(stale.json.error).toBe(`remittance ${r.id} is at version 2, not 1: read it again and retry`);

    expect((await call(db, { httpMethod: 'DELETE', pathParameters: { id: r.id } })).json).toMatchObject({ deleted: r.id });
    expect((await call(db, { httpMethod: 'DELETE', pathParameters: { id: r.id } })).statusCode).toBe(404);
  });

  test.each<[string, Partial<ApiEvent>, string]>([
    ['no body', { httpMethod: 'POST' }, 'the request has no body: send a JSON object with sender, recipient, amount and currency'],
    ['a body that is not JSON', { httpMethod: 'POST', body: '{amount: 5' }, 'the body is not JSON: send a JSON object with sender, recipient, amount and currency'],
    ['an unknown field', { httpMethod: 'POST', body: JSON.stringify({ sender: 'a', recipient: 'b', amount: '1', currency: 'EUR', iban: 'x' }) },
      "unknown field 'iban': the fields are sender, recipient, amount, currency, note, version"],
    ['a negative amount', { httpMethod: 'POST', body: JSON.stringify({ sender: 'a', recipient: 'b', amount: '-5', currency: 'EUR' }) },
      '\'amount\' must be a positive amount with at most 2 decimals and 12 digits before the point, like "125.50"; got "-5"'],
    ['three decimals', { httpMethod: 'POST', body: JSON.stringify({ sender: 'a', recipient: 'b', amount: 1.005, currency: 'EUR' }) },
      '\'amount\' must be a positive amount with at most 2 decimals and 12 digits before the point, like "125.50"; got 1.005'],
    ['a lower-case currency', { httpMethod: 'POST', body: JSON.stringify({ sender: 'a', recipient: 'b', amount: '5', currency: 'eur' }) },
      '\'currency\' must be an ISO 4217 code of 3 capital letters, like "EUR"; got "eur"'],
    ['an empty recipient', { httpMethod: 'POST', body: JSON.stringify({ sender: 'a', recipient: ' ', amount: '5', currency: 'EUR' }) }, "'recipient' must be a name of 1 to 100 characters"],
    ['an id that is not a UUID', { httpMethod: 'GET', pathParameters: { id: '42; DROP TABLE remittances' } }, "'42; DROP TABLE remittances' is not a remittance id (a UUID)"],
    ['an update without the version read', {
      httpMethod: 'PUT',
      pathParameters: { id: '00000000-0000-4000-8000-000000000000' },
      body: JSON.stringify({ sender: 'a', recipient: 'b', amount: '5', currency: 'EUR' }),
    },
    "'version' must be the version you read (a whole number): it guards against overwriting a newer change"],
  ])('bad input, %s: 400 with the reason', async (_title, event, reason) => {
    const r = await call(db, event);
    expect(r.statusCode).toBe(400);
    expect(r.json.error).toBe(reason);
  });

  test('no identity: 401; a method the API has not: 405', async () => {
    expect((await handleRequest({ httpMethod: 'GET' }, db, REGION)).statusCode).toBe(401);
    expect((await call(db, { httpMethod: 'PATCH' })).statusCode).toBe(405);
  });

  test('one connection and one secret read across many requests, as a warm Lambda environment keeps them', async () => {
    const fresh = new Database(async () => pg.secret(), { ssl: false });
    try {
      for (let i = 0; i < 5; i++) expect((await call(fresh, { httpMethod: 'GET' })).statusCode).toBe(200);
      expect([fresh.connections, fresh.secretReads]).toEqual([1, 1]);
    } finally {
      await fresh.close();
    }
  });
});

describe('after a failover: two real PostgreSQL servers standing for two Regions', () => {
  let oldWriter: LocalPostgres;
  let newWriter: LocalPostgres;

  beforeAll(async () => {
    // The old writer is now a read-only secondary; the secret (and the global writer endpoint) point at the new one.
    [oldWriter, newWriter] = await Promise.all([LocalPostgres.start({ readOnly: true }), LocalPostgres.start()]);
    const setup = new Database(async () => newWriter.secret(), { ssl: false });
    await migrate(setup);
    await setup.close();
    const ro = new Database(async () => oldWriter.secret(), { ssl: false });
    // A read-only server still takes DDL in a transaction that asks for read-write.
    await ro.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE');
    await migrate(ro);
    await ro.close();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([oldWriter?.stop(), newWriter?.stop()]);
  });

  test('a write refused as read-only is run again once on a fresh connection, with the secret read again', async () => {
    const secrets: DatabaseSecret[] = [oldWriter.secret(), newWriter.secret()];
    const db = new Database(async () => secrets.shift() ?? newWriter.secret(), { ssl: false });
    try {
      const created = await call(db, { httpMethod: 'POST', body: JSON.stringify({ sender: 'Alice', recipient: 'Bob', amount: '10', currency: 'EUR' }) });
      expect(created.statusCode).toBe(201);
      expect([db.connections, db.secretReads]).toEqual([2, 2]);
      // Written once, on the new writer only.
      const check = new Database(async () => newWriter.secret(), { ssl: false });
      expect(await check.query('SELECT count(*)::int AS n FROM remittances WHERE id = $1', [created.json.remittance.id])).toEqual([{ n: 1 }]);
      await check.close();
    } finally {
      await db.close();
    }
  });

  test('active/active writes: refused as read-only by the Region\'s own endpoint, sent on to the writer; after a failure there, the own endpoint first again', async () => {
    // The writer endpoint leads nowhere at first (in a Region the writer left, it leads out of the Region).
    let writerSecret = { ...newWriter.secret(), port: 1 };
    const local = new Database(async () => oldWriter.secret(), { ssl: false, reconnectOnReadOnly: false });
    const writer = new Database(async () => writerSecret, { ssl: false, reconnectOnReadOnly: false, connectTimeoutMs: 1_000 });
    const writes = new ForwardedWrites(local, writer);
    const body = (recipient: string) => JSON.stringify({ sender: 'Alice', recipient, amount: '3', currency: 'EUR' });
    try {
      const failed = await quietly(() => call(writes, { httpMethod: 'POST', body: body('Fay') }));
      expect(failed.statusCode).toBe(503);
      // One refusal, one connection to the own endpoint (no second try there), then the writer, unreachable.
      expect([writes.fallbacks, local.connections, writer.connections]).toEqual([1, 1, 0]);
      writerSecret = newWriter.secret();
      expect((await call(writes, { httpMethod: 'POST', body: body('Gus') })).statusCode).toBe(201);
      expect([writes.fallbacks, local.connections, writer.connections]).toEqual([2, 2, 1]);
      // The next write goes to the writer directly.
      expect((await call(writes, { httpMethod: 'POST', body: body('Hal') })).statusCode).toBe(201);
      expect([writes.fallbacks, local.connections, writer.connections]).toEqual([2, 2, 1]);
      const check = new Database(async () => newWriter.secret(), { ssl: false });
      const rows = await check.query<{ recipient: string }>("SELECT recipient FROM remittances WHERE recipient IN ('Fay', 'Gus', 'Hal') ORDER BY recipient");
      expect(rows.map((x) => x.recipient)).toEqual(['Gus', 'Hal']);
      await check.close();
    } finally {
      await writes.close();
    }
  });

  test('a writer that cannot be reached on the second try either answers 503, to be retried', async () => {
    const down = { ...newWriter.secret(), port: 1 };
    const db = new Database(async () => down, { ssl: false, connectTimeoutMs: 1_000 });
    const r = await call(db, { httpMethod: 'POST', body: JSON.stringify({ sender: 'A', recipient: 'B', amount: '1', currency: 'EUR' }) });
    expect(r.statusCode).toBe(503);
    expect(r.json.error).toBe('the database is not reachable right now (a failover may be under way): retry in a few seconds');
    expect(db.secretReads).toBe(2);
  });

  test('what is retried and what is not', () => {
    expect(isReconnectable({ code: '25006' }, true)).toBe(true); // read-only transaction: not applied
    expect(isReconnectable({ code: 'ECONNREFUSED' }, false)).toBe(true);
    expect(isReconnectable({ code: 'ECONNRESET' }, true)).toBe(false); // cut after sending: maybe applied
    expect(isReconnectable({ code: '23505' }, true)).toBe(false);
  });
});

test('parseInput keeps amounts exact', () => {
  expect(parseInput(JSON.stringify({ sender: 'a', recipient: 'b', amount: '100000000000.99', currency: 'JPY' })).amount).toBe('100000000000.99');
});

describe('the Lambda entry point: the secret from Secrets Manager (moto), the database a real PostgreSQL', () => {
  let pg: LocalPostgres;
  let moto: MotoServer;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    [pg, moto] = await Promise.all([LocalPostgres.start(), MotoServer.start()]);
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
      DB_SECRET_ID: 'remittance-db',
      DB_SSL: 'off',
    });
    await new SecretsManagerClient({ region: REGION, endpoint: moto.endpoint }).send(new CreateSecretCommand({
      Name: 'remittance-db', SecretString: JSON.stringify({ ...pg.secret(), engine: 'postgres' }),
    }));
  }, 120_000);

  afterAll(async () => {
    process.env = savedEnv;
    await Promise.all([pg?.stop(), moto?.stop()]);
  });

  test('the schema custom resource migrates on Create, changes nothing on Update, and leaves the data on Delete', async () => {
    const migrateHandler = loadFresh<typeof import('../../examples/remittance/api/migrate-handler')>('migrate-handler').handler;
    expect(await migrateHandler({ RequestType: 'Create' })).toEqual({ PhysicalResourceId: 'remittance-schema', Data: { Applied: '1', Latest: '1' } });
    expect(await migrateHandler({ RequestType: 'Update', PhysicalResourceId: 'remittance-schema' })).toEqual({ PhysicalResourceId: 'remittance-schema', Data: { Applied: 'none', Latest: '1' } });
    expect(await migrateHandler({ RequestType: 'Delete', PhysicalResourceId: 'remittance-schema' })).toEqual({ PhysicalResourceId: 'remittance-schema' });
  });

  test('the schema custom resource retries an unreachable writer, then fails the deploy naming what to check', async () => {
    process.env.DB_WRITER_ENDPOINT = '127.0.0.1';
    process.env.DB_SECRET_ID = 'remittance-db-nowhere';
    await new SecretsManagerClient({ region: REGION, endpoint: moto.endpoint }).send(new CreateSecretCommand({
      Name: 'remittance-db-nowhere', SecretString: JSON.stringify({ ...pg.secret(), port: await freePort() }),
    }));
    const migrateHandler = loadFresh<typeof import('../../examples/remittance/api/migrate-handler')>('migrate-handler').handler;
    try {
      await expect(migrateHandler({ RequestType: 'Create' }, undefined, 10, 50)).rejects.toThrow(
        /^the schema could not be migrated after \d+ attempts: .*ECONNREFUSED.*Check that the writer instance is available/);
    } finally {
      delete process.env.DB_WRITER_ENDPOINT;
      process.env.DB_SECRET_ID = 'remittance-db';
    }
  });

  test('creates, lists and reads through the handler, at every path CloudFront and the API domain give it', async () => {
    const handler = loadFresh<typeof import('../../examples/remittance/api/handler')>('handler').handler;
    const created = await handler({ httpMethod: 'POST', path: '/api/remittances', ...ALICE, body: JSON.stringify({ sender: 'A', recipient: 'B', amount: '3', currency: 'EUR' }) });
    expect(created.statusCode).toBe(201);
    const id = JSON.parse(created.body).remittance.id;
    const listed = await handler({ httpMethod: 'GET', path: '/remittances', ...ALICE });
    expect(JSON.parse(listed.body).remittances).toHaveLength(1);
    expect(listed.headers['x-served-by']).toBe(REGION);
    const read = await handler({ httpMethod: 'GET', path: `/regions/${REGION}/api/remittances/${id}`, ...ALICE });
    expect(JSON.parse(read.body).remittance).toMatchObject({ id, amount: '3.00' });
    // No runbooks in this environment: no operations.
    expect((await handler({ httpMethod: 'POST', path: '/api/operations', ...ALICE })).statusCode).toBe(404);
  });
});
