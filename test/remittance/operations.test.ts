import * as http from 'http';
import { loadFresh } from './fresh';
import { Database } from '../../examples/remittance/api/db';
import { Automation, Execution, OperationsSettings, OperationsState, callerGroups, handleOperation } from '../../examples/remittance/api/operations';
import { ApiEvent } from '../../examples/remittance/api/remittances';
import { apiPath, route } from '../../examples/remittance/api/router';
import { DeploymentState } from '../../src/ssm/deployment-state';
import { FakeAutomation } from '../cli/fake-automation';
import { FakeSsmServer } from '../cli/fake-ssm-server';
import { FakeCloud } from '../ssm/fake-cloud';

const WEST = 'us-west-2';

/** Runs `work` with console.error silenced: the API logs the errors it answers 5xx. */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    return await work();
  } finally {
    spy.mockRestore();
  }
}
const SETTINGS: OperationsSettings = {
  region: WEST,
  documents: { switchover: 'orders-Switchover', failover: 'orders-Failover', failback: 'orders-Failback' },
  operatorsGroup: 'operators',
  home: 'us-east-1',
  impairedAlarms: { 'us-east-1': 'orders-us-east-1-region-impaired', 'us-west-2': 'orders-us-west-2-region-impaired' },
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
    state: async () => {
      throw new Error('the state was not expected to be read');
    },
    ...answer,
  };
  return { automation, started };
}

async function operate(event: Partial<ApiEvent>, executionId?: string, automation = recording().automation) {
  const r = await handleOperation({ httpMethod: 'POST', ...OPERATOR, ...event } as ApiEvent, executionId, automation, SETTINGS);
  return { ...r, json: JSON.parse(r.body) };
}

describe('the operations panel\'s state: GET /operations/state', () => {
  const NOW = Date.UTC(2026, 10, 30, 10);
  const state: DeploymentState = {
    globalDatabase: {
      identifier: 'orders',
      status: 'failing-over',
      failoverState: { status: 'failing-over', fromClusterArn: 'arn:aws:rds:us-east-1:111111111111:cluster:orders-us-east-1', toClusterArn: 'arn:aws:rds:us-west-2:111111111111:cluster:orders-us-west-2' },
    },
    readFrom: WEST,
    readAt: NOW,
    regions: [
      {
        region: 'us-east-1',
        role: 'writer',
        traffic: 'On',
        readinessError: 'SSM in us-east-1 did not answer',
        running: [],
        lastRuns: [],
        alarms: [
          { name: 'orders-us-east-1-region-impaired', state: 'ALARM', since: NOW - 60_000 },
          { name: 'orders-us-east-1-api-5xx-rate', state: 'ALARM' },
          { name: 'orders-us-east-1-aurora-cpu', state: 'OK' },
        ],
      },
      {
        region: WEST,
        role: 'secondary',
        synchronizationStatus: 'connected',
        traffic: 'Off',
        rpoLag: { valueMs: 800, at: NOW - 5_000 },
        alarms: [{ name: 'orders-us-west-2-region-impaired', state: 'OK' }],
        readiness: { name: 'orders', region: WEST, evaluatedAt: new Date(NOW).toISOString(), ready: true, runbooks: [{ runbook: 'failover', ready: true, outcome: 'passed', reason: 'ok' }] },
        running: [{ executionId: ID, documentName: 'orders-Failover', region: WEST, status: 'InProgress', startTime: NOW - 30_000, currentStep: 'PromoteTarget' }],
        lastRuns: [{ executionId: 'e1', documentName: 'orders-Switchover', region: WEST, status: 'Success', startTime: NOW - 7_200_000, endTime: NOW - 7_000_000 }],
      },
    ],
    problems: [],
    interrupted: false,
  };

  test('per Region: role, traffic, lag, "Region impaired" from its alarm, the alarms not OK, readiness, and the runs named by runbook', async () => {
    const { automation } = recording({ state: async () => state });
    const r = await operate({ httpMethod: 'GET' }, 'state', automation);
    expect(r.statusCode).toBe(200);
    const answer = r.json.state as OperationsState;
    expect(answer).toMatchObject({ readAt: NOW, readFrom: WEST, home: 'us-east-1', problems: [], interrupted: false });
    expect(answer.globalDatabase).toEqual({ identifier: 'orders', status: 'failing-over', failoverState: { status: 'failing-over', fromRegion: 'us-east-1', toRegion: WEST } });
    const [east, west] = answer.regions;
    expect(east).toMatchObject({ region: 'us-east-1', role: 'writer', traffic: 'On', impaired: true, alarmsOk: 1, readinessError: 'SSM in us-east-1 did not answer' });
    expect(east.alarms!.map((a) => `${a.name} ${a.state}`)).toEqual(['orders-us-east-1-region-impaired ALARM', 'orders-us-east-1-api-5xx-rate ALARM']);
    expect(west).toMatchObject({ role: 'secondary', synchronizationStatus: 'connected', rpoLagMs: 800, rpoLagAt: NOW - 5_000, impaired: false, alarms: [] });
    expect(west.running).toEqual([{ executionId: ID, runbook: 'failover', region: WEST, status: 'InProgress', startedAt: NOW - 30_000, currentStep: 'PromoteTarget' }]);
    expect(west.lastRuns).toEqual([{ executionId: 'e1', runbook: 'switchover', region: WEST, status: 'Success', startedAt: NOW - 7_200_000, endedAt: NOW - 7_000_000 }]);
    expect(west.readiness!.runbooks[0]).toEqual({ runbook: 'failover', ready: true, outcome: 'passed', reason: 'ok' });
  });

  test('for operators only; an error reading it is a 502 with the reason', async () => {
    const { automation } = recording({ state: async () => state });
    const reader = await operate({ httpMethod: 'GET', requestContext: { authorizer: { claims: { 'sub': 'u', 'cognito:groups': '' } } } }, 'state', automation);
    expect(reader.statusCode).toBe(403);
    const failing = recording({ state: async () => Promise.reject(Object.assign(new Error('no parameter /cdk-cross-region-failover/orders/runbooks'), { name: 'Error' })) });
    jest.spyOn(console, 'error').mockImplementation(() => {});
    const r = await operate({ httpMethod: 'GET' }, 'state', failing.automation);
    expect(r.statusCode).toBe(502);
    expect(r.json.error).toMatch(/no parameter \/cdk-cross-region-failover\/orders\/runbooks/);
  });
});

describe('the Failover / Failback buttons: POST /operations and GET /operations/{id}', () => {
  test('starts the runbook in this Region, with this Region as the target; a failover carries AllowDataLoss', async () => {
    const { automation, started } = recording();
    const switched = await operate({ body: JSON.stringify({ runbook: 'switchover' }) }, undefined, automation);
    expect(switched.statusCode).toBe(202);
    expect(switched.json).toEqual({ executionId: ID, runbook: 'switchover', region: WEST, targetRegion: WEST, documentName: 'orders-Switchover', servedBy: WEST });
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
    ['an unknown runbook', { body: JSON.stringify({ runbook: 'reboot' }) }, 400, "'runbook' must be one of switchover, failover, failback, evacuate, restore; got \"reboot\""],
    ['an evacuation without active/active routing', { body: JSON.stringify({ runbook: 'evacuate', targetRegion: 'us-east-1' }) }, 400,
      'this deployment has no evacuate runbook: its routing serves one Region at a time'],
    ['a target Region for a switchover', { body: JSON.stringify({ runbook: 'switchover', targetRegion: 'us-east-1' }) }, 400,
      "'targetRegion' is for an evacuation only: a switchover acts on the Region it is started in (us-west-2)"],
    ['a failover without accepting the loss', { body: JSON.stringify({ runbook: 'failover' }) }, 400, 'send "allowDataLoss": true'],
    ['a method it has not', { httpMethod: 'DELETE' }, 405, 'DELETE is not allowed here'],
  ])('%s: %d with the reason', async (_name, event, status, message) => {
    const { automation, started } = recording();
    const r = await operate(event, undefined, automation);
    expect(r.statusCode).toBe(status);
    expect(r.json.error).toContain(message);
    expect(started).toEqual([]);
  });

  test('active/active: an evacuation takes out the Region named, started in one that stays; a restore puts back the Region it is started in', async () => {
    const settings: OperationsSettings = { ...SETTINGS, documents: { ...SETTINGS.documents, evacuate: 'orders-Evacuate', restore: 'orders-Restore' } };
    const { automation, started } = recording();
    const call = async (body: object) => {
      const r = await handleOperation({ httpMethod: 'POST', ...OPERATOR, body: JSON.stringify(body) } as ApiEvent, undefined, automation, settings);
      return { statusCode: r.statusCode, json: JSON.parse(r.body) };
    };
    expect(await call({ runbook: 'evacuate', targetRegion: 'us-east-1' })).toEqual({
      statusCode: 202,
      json: { executionId: ID, runbook: 'evacuate', region: WEST, targetRegion: 'us-east-1', documentName: 'orders-Evacuate', servedBy: WEST },
    });
    expect((await call({ runbook: 'restore' })).statusCode).toBe(202);
    for (const targetRegion of [undefined, WEST, 'nowhere', 42]) {
      const refused = await call({ runbook: 'evacuate', targetRegion });
      expect(refused.statusCode).toBe(400);
      expect(refused.json.error).toBe("an evacuation needs 'targetRegion', the Region to take out of service, other than us-west-2, which stays in service " +
        `and runs it; got ${JSON.stringify(targetRegion)}`);
    }
    expect(started).toEqual([
      { documentName: 'orders-Evacuate', parameters: { TargetRegion: ['us-east-1'] } },
      { documentName: 'orders-Restore', parameters: { TargetRegion: [WEST] } },
    ]);
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
    expect(JSON.parse(r.body).error).toBe('no such resource /nothing: the API has /remittances, /remittances/{id}, /operations, /operations/state and /operations/{executionId}');
    expect((await route({ httpMethod: 'POST', path: '/operations', ...OPERATOR }, { db, region: WEST })).statusCode).toBe(404);
    // A malformed id is the caller's mistake: 400 with the reason, never an error of the function.
    const malformed = await route({ httpMethod: 'GET', path: '/api/remittances/%E0%A4%A', ...OPERATOR }, { db, region: WEST });
    expect(malformed.statusCode).toBe(400);
    expect(JSON.parse(malformed.body).error).toBe("'%E0%A4%A' is not a remittance id (a UUID)");
  });
});

/** Credentials the SDK signs with, and no instance metadata to ask: the calls go to local servers. */
const TEST_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' };

/** What the stack tells the API function of the runbooks. */
const RUNBOOKS_ENVIRONMENT = {
  SWITCHOVER_DOCUMENT: 'orders-Switchover',
  FAILOVER_DOCUMENT: 'orders-Failover',
  FAILBACK_DOCUMENT: 'orders-Failback',
  OPERATORS_GROUP: 'operators',
  HOME_REGION: 'us-east-1',
};

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
        ...TEST_CREDENTIALS,
        AWS_ENDPOINT_URL_SSM: endpoint,
        ...RUNBOOKS_ENVIRONMENT,
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
      // The report the command line prints, read from the same step history, and where the console shows the run.
      expect(execution!.report).toMatch(/^switchover to us-west-2 succeeded; measured recovery time \d+ s/);
      expect(execution).toMatchObject({ runbook: 'switchover', targetRegion: WEST, consoleUrl: `https://${WEST}.console.aws.amazon.com/systems-manager/automation/execution/${executionId}?region=${WEST}` });
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
        ...TEST_CREDENTIALS,
        AWS_ENDPOINT_URL_SSM: endpoint,
        ...RUNBOOKS_ENVIRONMENT,
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

  test('the state comes from the state function, invoked through Lambda; its failure is a 502 with its message', async () => {
    const DEPLOYMENT: DeploymentState = {
      globalDatabase: { identifier: 'orders', status: 'available' },
      readFrom: WEST,
      readAt: Date.UTC(2026, 10, 30),
      regions: [{ region: WEST, role: 'writer', traffic: 'On', running: [], lastRuns: [], alarms: [{ name: 'orders-us-west-2-region-impaired', state: 'OK' }] }],
      problems: [],
      interrupted: false,
    };
    let failing = false;
    const invoked: string[] = [];
    const lambda = http.createServer((req, res) => {
      invoked.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', ...(failing ? { 'x-amz-function-error': 'Unhandled' } : {}) });
        res.end(JSON.stringify(failing ? { errorMessage: 'Task timed out after 20.00 seconds' } : DEPLOYMENT));
      });
    });
    await new Promise<void>((resolve) => lambda.listen(0, '127.0.0.1', resolve));
    try {
      Object.assign(process.env, {
        ...TEST_CREDENTIALS,
        AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${(lambda.address() as { port: number }).port}`,
        ...RUNBOOKS_ENVIRONMENT,
        STATE_FUNCTION: 'remittance-us-west-2-StateFunction',
        ALARM_NAMES: JSON.stringify({ [WEST]: { prefix: 'orders-us-west-2-', impaired: 'orders-us-west-2-region-impaired' } }),
      });
      const { operationsFromEnvironment } = loadFresh<typeof import('../../examples/remittance/api/environment')>('environment');
      const deps = { db: {} as Database, region: WEST, ...operationsFromEnvironment(WEST) };
      const answer = await route({ httpMethod: 'GET', path: '/api/operations/state', ...OPERATOR }, deps);
      expect(answer.statusCode).toBe(200);
      expect(JSON.parse(answer.body).state.regions).toEqual([expect.objectContaining({ region: WEST, role: 'writer', impaired: false, alarmsOk: 1 })]);
      expect(invoked).toEqual(['POST /2015-03-31/functions/remittance-us-west-2-StateFunction/invocations']);
      failing = true;
      const failed = await quietly(() => route({ httpMethod: 'GET', path: '/api/operations/state', ...OPERATOR }, deps));
      expect(failed.statusCode).toBe(502);
      expect(JSON.parse(failed.body).error).toMatch(/the state function failed \(Unhandled\): Task timed out after 20.00 seconds/);
    } finally {
      lambda.closeAllConnections();
      await new Promise((resolve) => lambda.close(resolve));
    }
  });

  test('the state function over the AWS SDK: the topology from SSM; what does not answer is told per Region within the read timeout', async () => {
    const automation = new FakeAutomation(WEST, new FakeCloud());
    const server = new FakeSsmServer(automation);
    const endpoint = await server.start();
    try {
      Object.assign(process.env, {
        ...TEST_CREDENTIALS,
        AWS_ENDPOINT_URL_SSM: endpoint,
        // Every other service (RDS, CloudWatch, ARC) refuses the connection, as from a network that reaches none of them.
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_MAX_ATTEMPTS: '1',
        DEPLOYMENT_NAME: 'orders',
        ALARM_NAMES: JSON.stringify({ [WEST]: { prefix: 'orders-us-west-2-', impaired: 'orders-us-west-2-region-impaired' } }),
      });
      const { stateReaderFromEnvironment } = loadFresh<typeof import('../../examples/remittance/api/environment')>('environment');
      const started = Date.now();
      const state = await stateReaderFromEnvironment(WEST)();
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(state.readFrom).toBe(WEST);
      expect(state.regions.map((r) => r.region)).toEqual(['us-east-1', WEST]);
      expect(state.regions.map((r) => r.role)).toEqual(['unknown', 'unknown']);
      expect(state.problems[0]).toMatch(/^the global database could not be described: /);
      expect(state.regions[1].alarmsError).toBeDefined();
      // SSM answered: the runs of each Region were listed.
      expect(state.regions[1].running).toEqual([]);
      expect(server.operations).toEqual(expect.arrayContaining(['GetParameter', 'DescribeAutomationExecutions']));
    } finally {
      await server.stop();
    }
  }, 30_000);

  test('active/active: the evacuate and restore documents from the environment; the reads on the reader endpoint, the writes forwarded through it', () => {
    Object.assign(process.env, {
      ...TEST_CREDENTIALS,
      ...RUNBOOKS_ENVIRONMENT,
      EVACUATE_DOCUMENT: 'orders-Evacuate',
      RESTORE_DOCUMENT: 'orders-Restore',
      DB_SECRET_ID: 'orders-aurora-master',
      DB_WRITER_ENDPOINT: 'orders.global-abc.global.rds.amazonaws.com',
    });
    const fresh = () => loadFresh<typeof import('../../examples/remittance/api/environment')>('environment');
    expect(fresh().operationsFromEnvironment(WEST)?.operations.documents).toEqual({
      switchover: 'orders-Switchover', failover: 'orders-Failover', failback: 'orders-Failback', evacuate: 'orders-Evacuate', restore: 'orders-Restore',
    });
    const passive = fresh().connectionsFromEnvironment();
    expect([passive.db.constructor.name, passive.reads]).toEqual(['Database', undefined]);
    process.env.DB_READER_ENDPOINT = 'orders-us-west-2.cluster-ro-abc.us-west-2.rds.amazonaws.com';
    const active = fresh().connectionsFromEnvironment();
    expect([active.db.constructor.name, active.reads?.constructor.name]).toEqual(['ForwardedWrites', 'Database']);
    delete process.env.RESTORE_DOCUMENT;
    expect(() => fresh().operationsFromEnvironment(WEST)).toThrow('the environment variable RESTORE_DOCUMENT is missing: redeploy the remittance stack of this Region');
  });

  test('without runbooks in the environment there is no operations client', () => {
    delete process.env.FAILOVER_DOCUMENT;
    const { operationsFromEnvironment } = loadFresh<typeof import('../../examples/remittance/api/environment')>('environment');
    expect(operationsFromEnvironment(WEST)).toBeUndefined();
  });
});
