import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LocalServer } from '../../examples/remittance/local/server';

/** The local run over HTTP: sign-in stand-in, the real runbooks over the rehearsal, the Impair control; the browser test (npm run example:browser-test) drives the UI through it. */
describe('npm run example:local: the local server', () => {
  let server: LocalServer;
  let dist: string;

  beforeAll(async () => {
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'ui-'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Remittances</title>');
    server = await LocalServer.start({ port: 0, uiDist: dist, email: 'op@example.com', password: 'Pass-word-12!' });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dist, { recursive: true, force: true });
  });

  const cognito = (username: string, password: string) => fetch(`${server.url}/local/cognito`, {
    method: 'POST',
    headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
    body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: 'local', AuthParameters: { USERNAME: username, PASSWORD: password } }),
  });

  test('signs in the one operator, answering a wrong password as Cognito does', async () => {
    const refused = await cognito('op@example.com', 'wrong');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ __type: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    const ok = await (await cognito('op@example.com', 'Pass-word-12!')).json() as { AuthenticationResult: { IdToken: string } };
    const claims = JSON.parse(Buffer.from(ok.AuthenticationResult.IdToken.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ 'email': 'op@example.com', 'cognito:groups': ['operators'] });
  });

  test('the API refuses a missing or forged token with 401, as the Cognito authorizer would, and serves a signed one', async () => {
    const token = ((await (await cognito('op@example.com', 'Pass-word-12!')).json()) as { AuthenticationResult: { IdToken: string } }).AuthenticationResult.IdToken;
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ 'sub': 'x', 'cognito:groups': ['operators'], 'exp': 9999999999 })).toString('base64url')}.${signature}`;
    expect((await fetch(`${server.url}/api/remittances`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/remittances`, { headers: { authorization: forged } })).status).toBe(401);
    const ok = await fetch(`${server.url}/api/remittances`, { headers: { authorization: token } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-served-by')).toBe('us-east-1');
    expect((await fetch(`${server.url}/regions/eu-west-9/api/remittances`, { headers: { authorization: token } })).status).toBe(404);
  });

  const token = async () => ((await (await cognito('op@example.com', 'Pass-word-12!')).json()) as { AuthenticationResult: { IdToken: string } }).AuthenticationResult.IdToken;
  const follow = async (region: string, executionId: string, auth: string) => {
    for (let i = 0; i < 300; i++) {
      const { execution } = await (await fetch(`${server.url}/regions/${region}/api/operations/${executionId}`, { headers: { authorization: auth } })).json() as {
        execution: { status: string; outcome?: string; reason?: string; steps: { name: string; status: string }[] };
      };
      if (!['InProgress', 'Pending'].includes(execution.status)) return execution;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`execution ${executionId} did not end`);
  };

  test('the Operations button runs the real switchover runbook: the writer moves, then the routing; run again, it is refused', async () => {
    const auth = await token();
    const start = () => fetch(`${server.url}/regions/us-west-2/api/operations`, { method: 'POST', headers: { authorization: auth }, body: JSON.stringify({ runbook: 'switchover' }) });
    const started = await start();
    expect(started.status).toBe(202);
    const { executionId, documentName } = await started.json() as { executionId: string; documentName: string };
    expect(documentName).toBe('remittance-Switchover');
    const done = await follow('us-west-2', executionId, auth);
    expect({ status: done.status, outcome: done.outcome, reason: done.reason }).toEqual({ status: 'Success', outcome: 'succeeded', reason: undefined });
    expect(done.steps.map((s) => `${s.name} ${s.status}`)).toEqual(
      ['Preflight', 'Approve', 'PrepareTarget', 'WaitForInstance', 'SwitchoverGlobalCluster', 'WaitForWriter', 'RouteTraffic', 'Verify', 'Report'].map((n) => `${n} Success`));
    expect(server.routedRegion).toBe('us-west-2');
    expect(await server.rehearsal.regions.writer()).toBe('us-west-2');
    // The execution is us-west-2's: us-east-1's API does not know it.
    expect((await fetch(`${server.url}/regions/us-east-1/api/operations/${executionId}`, { headers: { authorization: auth } })).status).toBe(404);
    const again = await follow('us-west-2', ((await (await start()).json()) as { executionId: string }).executionId, auth);
    expect(again).toMatchObject({ status: 'Failed', outcome: 'refused' });
    expect(again.reason).toMatch(/already the writer and receives all traffic: nothing to do/);
    expect(again.steps[0]).toMatchObject({ name: 'Preflight', status: 'Failed' });
  }, 60_000);

  test('the Impair control takes a Region down and brings it back; operators only', async () => {
    const auth = await token();
    const regions = async (suffix = '', method = 'GET') => fetch(`${server.url}/local/regions${suffix}`, { method, headers: { authorization: auth } });
    expect((await fetch(`${server.url}/local/regions`)).status).toBe(401);
    expect((await regions('/eu-west-9/impair', 'POST')).status).toBe(404);
    expect((await regions('/us-east-1/impair')).status).toBe(405);
    const impaired = await (await regions('/us-east-1/impair', 'POST')).json() as { regions: { region: string; impaired: boolean; writer: boolean }[] };
    expect(impaired.regions.find((r) => r.region === 'us-east-1')).toMatchObject({ impaired: true, writer: false });
    expect((await fetch(`${server.url}/regions/us-east-1/api/remittances`, { headers: { authorization: auth } })).status).toBe(503);
    const restored = await (await regions('/us-east-1/restore', 'POST')).json() as { regions: { region: string; impaired: boolean }[] };
    expect(restored.regions.find((r) => r.region === 'us-east-1')).toMatchObject({ impaired: false });
  }, 60_000);

  test('serves the UI and config.json, and nothing outside the build', async () => {
    expect(await (await fetch(`${server.url}/`)).text()).toContain('<title>Remittances</title>');
    expect(await (await fetch(`${server.url}/config.json`)).json()).toMatchObject({ regions: ['us-east-1', 'us-west-2'], local: true, operatorsGroup: 'operators' });
    expect((await fetch(`${server.url}/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
  });

  test('a port in use is named, with the option that picks another, and the database it started is removed', async () => {
    const port = Number(new URL(server.url).port);
    // Its database goes into a temporary folder of its own, to see it removed.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'local-'));
    fs.chmodSync(tmp, 0o777);
    try {
      await expect(LocalServer.start({ port, uiDist: dist, email: 'a@b.c', password: 'x', databaseParentDir: tmp }))
        .rejects.toThrow(`port ${port} is already in use: pass another with --port N`);
      expect(fs.readdirSync(tmp)).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);

  test('refuses to start without a built UI, naming the command that builds it', async () => {
    await expect(LocalServer.start({ port: 0, uiDist: path.join(dist, 'missing'), email: 'a@b.c', password: 'x' }))
      .rejects.toThrow(`no built UI at ${path.join(dist, 'missing', 'index.html')}: run 'npm run example:ui-build' first`);
  });
});
