import { FakeCloud } from './fake-cloud';
import { runSelfTestResource, SelfTestAutomation, SelfTestExecution, SelfTestResourceEvent } from '../../src/ssm/self-test-resource';
import { handler } from '../../src/ssm/self-test.lambda';
import { responseCollector } from '../arc/fake-arc-server';
import { FakeAutomation } from '../cli/fake-automation';
import { FakeSsmServer } from '../cli/fake-ssm-server';

const REGION = 'us-west-2';

function event(type: SelfTestResourceEvent['RequestType'], documentName = 'orders-SelfTest'): SelfTestResourceEvent {
  return {
    RequestType: type,
    LogicalResourceId: 'RunbooksSelfTest',
    PhysicalResourceId: type === 'Create' ? undefined : `orders-SelfTest@${REGION}`,
    ResourceProperties: { DocumentName: documentName, Fingerprint: 'f'.repeat(64) },
    StackId: 'arn:aws:cloudformation:us-west-2:111111111111:stack/orders-us-west-2/1',
  };
}

/** SSM whose executions go through `states`, one per poll. */
function automation(states: SelfTestExecution[], stackStatus = 'UPDATE_IN_PROGRESS'): SelfTestAutomation & { started: string[]; polls: number } {
  let t = 0;
  const api = {
    region: REGION,
    stackStatus: async () => stackStatus,
    started: [] as string[],
    polls: 0,
    start: async (name: string) => {
      api.started.push(name);
      return 'exec-1';
    },
    get: async () => states[Math.min(api.polls++, states.length - 1)],
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
  return api;
}

describe('the self-test resource', () => {
  test('create and update start the self-test and succeed when it does', async () => {
    for (const type of ['Create', 'Update'] as const) {
      const ssm = automation([{ status: 'InProgress', steps: [] }, { status: 'Success', steps: [] }]);
      expect(await runSelfTestResource(event(type), ssm, 600_000)).toEqual({ physicalResourceId: `orders-SelfTest@${REGION}`, data: { ExecutionId: 'exec-1' } });
      expect(ssm.started).toEqual(['orders-SelfTest']);
    }
  });

  test('an update during a rollback succeeds without testing again: the stack can always roll back', async () => {
    const ssm = automation([{ status: 'Failed', steps: [] }], 'UPDATE_ROLLBACK_IN_PROGRESS');
    expect(await runSelfTestResource(event('Update'), ssm, 600_000)).toEqual({
      physicalResourceId: `orders-SelfTest@${REGION}`, data: { Skipped: 'the stack is rolling back' },
    });
    expect(ssm.started).toEqual([]);
    // A stack whose status cannot be read is tested as usual.
    const unreadable = { ...automation([{ status: 'Success', steps: [] }]), stackStatus: async () => Promise.reject(new Error('AccessDenied')) };
    expect((await runSelfTestResource(event('Update'), unreadable, 600_000)).data).toEqual({ ExecutionId: 'exec-1' });
  });

  test('delete runs nothing', async () => {
    const ssm = automation([]);
    expect(await runSelfTestResource(event('Delete'), ssm, 600_000)).toEqual({ physicalResourceId: `orders-SelfTest@${REGION}`, data: {} });
    expect(ssm.started).toEqual([]);
  });

  test('a failed self-test fails the deployment with what its report said', async () => {
    const ssm = automation([{
      status: 'Failed',
      steps: [
        { stepName: 'Start', status: 'Failed', failureMessage: 'Step fails ... RuntimeError: {"errorType": "Error", "errorMessage": "self-test: Flag (a Boolean) arrived as \\"yes\\""}. Please refer ...' },
        { stepName: 'Report', status: 'Failed', failureMessage: 'Step fails ... RuntimeError: {"errorType": "Error", "errorMessage": "self-test failed at step Start (Failed): Flag arrived as yes"}. Please refer ...' },
      ],
    }]);
    await expect(runSelfTestResource(event('Create'), ssm, 600_000)).rejects.toThrow(
      'the self-test of the runbooks in us-west-2 failed (automation execution exec-1, Failed): self-test failed at step Start (Failed): Flag arrived as yes. ' +
        'The runbooks would not work as deployed; nothing in the database or the routing was changed.',
    );
  });

  test('without a report, the first failed step is named; without steps, the execution\'s message', async () => {
    await expect(runSelfTestResource(event('Create'), automation([{ status: 'TimedOut', steps: [{ stepName: 'WaitForDeadline', status: 'TimedOut' }] }]), 600_000))
      .rejects.toThrow(/\(automation execution exec-1, TimedOut\): step WaitForDeadline TimedOut: failed without a message\./);
    await expect(runSelfTestResource(event('Create'), automation([{ status: 'Cancelled', steps: [], failureMessage: 'cancelled by someone' }]), 600_000))
      .rejects.toThrow(/\(automation execution exec-1, Cancelled\): cancelled by someone\./);
  });

  test('a self-test that does not end within the budget fails the deployment, naming the execution', async () => {
    const ssm = automation([{ status: 'InProgress', steps: [] }]);
    await expect(runSelfTestResource(event('Create'), ssm, 60_000)).rejects.toThrow(
      'the self-test of the runbooks in us-west-2 (automation execution exec-1) did not end within 60 s; it is InProgress',
    );
  });
});

describe('the self-test function, through the AWS SDK, against an SSM stand-in that runs the real self-test document', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  async function deploy(documentName: string) {
    const cloud = new FakeCloud();
    const server = new FakeSsmServer(new FakeAutomation(REGION, cloud));
    const endpoint = await server.start();
    const collector = await responseCollector();
    Object.assign(process.env, {
      AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL_SSM: endpoint,
    });
    try {
      await handler({ ...event('Create', documentName), ResponseURL: collector.url, RequestId: 'r-1', StackId: 'arn:aws:cloudformation:us-west-2:111111111111:stack/s/1' },
        { getRemainingTimeInMillis: () => 120_000 });
      return { responses: collector.responses, cloud, operations: server.operations };
    } finally {
      await server.stop();
      await collector.close();
    }
  }

  test('the self-test passes, CloudFormation hears SUCCESS, and nothing in the database or the routing was called', async () => {
    const { responses, cloud, operations } = await deploy('orders-SelfTest');
    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', RequestId: 'r-1', LogicalResourceId: 'RunbooksSelfTest', PhysicalResourceId: `orders-SelfTest@${REGION}` })]);
    expect(operations[0]).toBe('StartAutomationExecution');
    expect(operations.slice(1).every((o) => o === 'GetAutomationExecution')).toBe(true);
    // Reads only: the runs under way, once (the lock's view of this run).
    expect(cloud.calls.filter((c) => c.op !== 'sleep').map((c) => c.op)).toEqual(['executions']);
    expect(cloud.routing.calls).toEqual([]);
  }, 30_000);

  test('a document SSM cannot run fails the deployment with SSM\'s error', async () => {
    const { responses } = await deploy('orders-Missing');
    expect(responses).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringContaining('Document orders-Missing does not exist') })]);
  });
});
