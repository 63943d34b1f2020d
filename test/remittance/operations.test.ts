import { loadFresh } from './fresh';
import { Database } from '../../examples/remittance/api/db';
import { Automation, Execution, OperationsSettings, callerGroups, handleOperation } from '../../examples/remittance/api/operations';
import { ApiEvent } from '../../examples/remittance/api/remittances';
import { apiPath, route } from '../../examples/remittance/api/router';
import { FakeAutomation } from '../cli/fake-automation';
import { FakeSsmServer } from '../cli/fake-ssm-server';
import { FakeCloud } from '../ssm/fake-cloud';

const WEST = 'us-west-2';
const SETTINGS: OperationsSettings = {
  region: WEST,
  documents: { switchover: 'orders-Switchover', failover: 'orders-Failover', failback: 'orders-Failback' },
  operatorsGroup: 'operators',
};
const OPERATOR = { requestContext: { authorizer: { claims: { 'sub': 'op', 'cognito:groups': 'operators' } } } };
const ID = '11111111-2222-4333-8444-555555555555';

/** Automation that records what it was asked and answers what the test says. */
function recording(answer: Partial<Automation> = {}) {
  const started: { documentName: string; parameters: Record<string, string[]> }[] = [];
  const automation: Automation = {
    start: async (documentName, parameters) => {
      started.push({ documentName, parameters });
      return ID;
    },
    get: async () => undefined,
    ...answer,
  };
  return { automation, started };
}

async function operate(event: Partial<ApiEvent>, executionId?: string, automation = recording().automation) {
  const r = await handleOperation({ httpMethod: 'POST', ...OPERATOR, ...event } as ApiEvent, executionId, automation, SETTINGS);
  return { ...r, json: JSON.parse(r.body) };
}

describe('the Failover / Failback buttons: POST /operations and GET /operations/{id}', () => {
  test('starts the runbook in this Region, with this Region as the target; a failover carries AllowDataLoss', async () => {
    const { automation, started } = recording();
    const switched = await operate({ body: JSON.stringify({ runbook: 'switchover' }) }, undefined, automation);
    expect(switched.statusCode).toBe(202);
    expect(switched.json).toEqual({ executionId: ID, runbook: 'switchover', region: WEST, documentName: 'orders-Switchover', servedBy: WEST });
    await operate({ body: JSON.stringify({ runbook: 'failover', allowDataLoss: true }) }, undefined, automation);
    await operate({ body: JSON.stringify({ runbook: 'failback' }) }, undefined, automation);
    expect(started).toEqual([
      { documentName: 'orders-Switchover', parameters: { TargetRegion: [WEST] } },
      { documentName: 'orders-Failover', parameters: { TargetRegion: [WEST], AllowDataLoss: ['true'] } },
      { documentName: 'orders-Failback', parameters: { TargetRegion: [WEST] } },
    ]);
  });

  test.each<[string, Partial<ApiEvent>, number, string]>([
    ['no identity', { requestContext: {} }, 401, 'not signed in'],
    ['not an operator', { requestContext: { authorizer: { claims: { 'sub': 'u', 'cognito:groups': 'readers' } } } }, 403, "only members of the Cognito group 'operators'"],
    ['no JSON', { body: 'failover' }, 400, 'the body must be JSON'],
    ['an unknown runbook', { body: JSON.stringify({ runbook: 'reboot' }) }, 400, "'runbook' must be one of switchover, failover, failback; got \"reboot\""],
    ['a failover without accepting the loss', { body: JSON.stringify({ runbook: 'failover' }) }, 400, 'send "allowDataLoss": true'],
    ['a method it has not', { httpMethod: 'DELETE' }, 405, 'DELETE is not allowed here'],
  ])('%s: %d with the reason', async (_name, event, status, message) => {
    const { automation, started } = recording();
    const r = await operate(event, undefined, automation);
    expect(r.statusCode).toBe(status);
    expect(r.json.error).toContain(message);
    expect(started).toEqual([]);
  });

  test("follows an execution of this application's runbooks only", async () => {
    const execution: Execution = { executionId: ID, documentName: 'orders-Failover', status: 'InProgress', steps: [{ name: 'Preflight', status: 'Success' }] };
    const mine = recording({ get: async () => execution }).automation;
    expect((await operate({ httpMethod: 'GET' }, ID, mine)).json.execution).toEqual(execution);
    const other = recording({ get: async () => ({ ...execution, documentName: 'AWS-RestartEC2Instance' }) }).automation;
    expect((await operate({ httpMethod: 'GET' }, ID, other)).statusCode).toBe(404);
    expect((await operate({ httpMethod: 'GET' }, ID)).statusCode).toBe(404);
    expect((await operate({ httpMethod: 'GET' }, 'x; DROP')).json.error).toBe("'x; DROP' is not an automation execution id");
  });

  test("SSM's refusals are passed on with their name: 409 for one already running, 502 for the rest", async () => {
    const refusing = (name: string) => recording({ start: async () => { throw Object.assign(new Error('no'), { name }); } }).automation;
    const busy = await operate({ body: JSON.stringify({ runbook: 'switchover' }) }, undefined, refusing('AutomationExecutionLimitExceededException'));
    expect(busy.statusCode).toBe(409);
    expect(busy.json.error).toBe(`SSM Automation in ${WEST} answered AutomationExecutionLimitExceededException: no`);
    expect((await operate({ body: JSON.stringify({ runbook: 'switchover' }) }, undefined, refusing('InternalServerError'))).statusCode).toBe(502);
  });

  test('cognito:groups as API Gateway passes it: one string', () => {
    const groups = (g: string) => callerGroups({ httpMethod: 'GET', requestContext: { authorizer: { claims: { 'cognito:groups': g } } } });
    expect(groups('operators')).toEqual(['operators']);
    expect(groups('[readers, operators]')).toEqual(['readers', 'operators']);
    expect(groups('')).toEqual([]);
  });
});

describe('routing', () => {
  test.each([
    ['/remittances', '/remittances'],
    ['/api/remittances/abc', '/remittances/abc'],
    ['/regions/us-west-2/api/operations', '/operations'],
    ['/api', '/'],
    ['/apiary', '/apiary'],
    [undefined, '/'],
  ])('%s is %s to the API', (path, expected) => {
    expect(apiPath(path)).toBe(expected);
  });

  test('an unknown path is 404 naming the resources; /operations only where the runbooks are configured', async () => {
    const db = {} as Database;
    const r = await route({ httpMethod: 'GET', path: '/api/nothing', ...OPERATOR }, { db, region: WEST });
    expect(r.statusCode).toBe(404);
    expect(JSON.parse(r.body).error).toBe('no such resource /nothing: the API has /remittances, /remittances/{id}, /operations and /operations/{executionId}');
    expect((await route({ httpMethod: 'POST', path: '/operations', ...OPERATOR }, { db, region: WEST })).statusCode).toBe(404);
    // A malformed id is the caller's mistake: 400 with the reason, never an error of the function.
    const malformed = await route({ httpMethod: 'GET', path: '/api/remittances/%E0%A4%A', ...OPERATOR }, { db, region: WEST });
    expect(malformed.statusCode).toBe(400);
    expect(JSON.parse(malformed.body).error).toBe("'%E0%A4%A' is not a remittance id (a UUID)");
  });
});

describe("the buttons' SSM client against SSM over HTTP running the real runbook documents", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('a switchover started through the API runs every step of the document to Success', async () => {
    const cloud = new FakeCloud();
    const automation = new FakeAutomation(WEST, cloud);
    const server = new FakeSsmServer(automation);
    const endpoint = await server.start();
    try {
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ENDPOINT_URL_SSM: endpoint,
        SWITCHOVER_DOCUMENT: 'orders-Switchover',
        FAILOVER_DOCUMENT: 'orders-Failover',
        FAILBACK_DOCUMENT: 'orders-Failback',
        OPERATORS_GROUP: 'operators',
      });
      const { operationsFromEnvironment } = loadFresh<typeof import('../../examples/remittance/api/environment')>('environment');
      const deps = { db: {} as Database, region: WEST, ...operationsFromEnvironment(WEST) };
      const started = await route({ httpMethod: 'POST', path: `/regions/${WEST}/api/operations`, body: JSON.stringify({ runbook: 'switchover' }), ...OPERATOR }, deps);
      expect(started.statusCode).toBe(202);
      const { executionId } = JSON.parse(started.body);
      expect(automation.started).toEqual([{ documentName: 'orders-Switchover', parameters: { TargetRegion: [WEST] } }]);

      let execution: Execution | undefined;
      for (let i = 0; i < 200 && execution?.status !== 'Success'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const r = await route({ httpMethod: 'GET', path: `/api/operations/${executionId}`, ...OPERATOR }, deps);
        expect(r.statusCode).toBe(200);
        execution = JSON.parse(r.body).execution;
      }
      expect(execution?.status).toBe('Success');
      expect(execution!.steps.length).toBeGreaterThan(3);
      expect(execution!.steps.every((s) => s.status === 'Success')).toBe(true);
      expect(cloud.writer()).toContain(`:cluster:orders-${WEST}`);
      // An execution that does not exist is a 404, not an error.
      const missing = await route({ httpMethod: 'GET', path: '/api/operations/99999999-aaaa-4bbb-8ccc-000000000000', ...OPERATOR }, deps);
      expect(missing.statusCode).toBe(404);
    } finally {
      await server.stop();
    }
  });

  test('a run the pre-flight refuses is answered as refused, with the reason, for the UI to show', async () => {
    const cloud = new FakeCloud();
    const automation = new FakeAutomation(WEST, cloud);
    automation.addRunning({ executionId: '11111111-2222-4333-8444-555555555555', documentName: 'orders-Failover', status: 'InProgress', currentStep: 'PromoteTarget' });
    const server = new FakeSsmServer(automation);
    const endpoint = await server.start();
    try {
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ENDPOINT_URL_SSM: endpoint,
        SWITCHOVER_DOCUMENT: 'orders-Switchover',
        FAILOVER_DOCUMENT: 'orders-Failover',
        FAILBACK_DOCUMENT: 'orders-Failback',
        OPERATORS_GROUP: 'operators',
      });
      const { operationsFromEnvironment } = loadFresh<typeof import('../../examples/remittance/api/environment')>('environment');
      const deps = { db: {} as Database, region: WEST, ...operationsFromEnvironment(WEST) };
      const started = await route({ httpMethod: 'POST', path: `/regions/${WEST}/api/operations`, body: JSON.stringify({ runbook: 'switchover' }), ...OPERATOR }, deps);
      const { executionId } = JSON.parse(started.body);
      let execution: Execution | undefined;
      for (let i = 0; i < 200 && !['Success', 'Failed'].includes(execution?.status ?? ''); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        execution = JSON.parse((await route({ httpMethod: 'GET', path: `/api/operations/${executionId}`, ...OPERATOR }, deps)).body).execution;
      }
      expect(execution).toMatchObject({
        status: 'Failed',
        outcome: 'refused',
        reason: expect.stringMatching(/^another run of this deployment is under way: orders-Failover, execution 11111111-2222-4333-8444-555555555555 in us-west-2/),
      });
      expect(cloud.writer()).toContain(':cluster:orders-us-east-1');
    } finally {
      await server.stop();
    }
  });

  test('without runbooks in the environment there is no operations client', () => {
    delete process.env.FAILOVER_DOCUMENT;
    const { operationsFromEnvironment } = loadFresh<typeof import('../../examples/remittance/api/environment')>('environment');
    expect(operationsFromEnvironment(WEST)).toBeUndefined();
  });
});
