import { FakeArcServer, responseCollector } from './fake-arc-server';
import { ENDPOINTS, FakeDataPlane } from './fake-data-plane';
import { handler } from '../../src/arc/initial-routing-state.lambda';
import { handleInitialStateEvent, InitialStateEvent } from '../../src/arc/initial-state-handler';

const EAST = 'arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/east';
const WEST = 'arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/west';
const EU = 'arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/eu';

function event(requestType: 'Create' | 'Update' | 'Delete', endpoints = ENDPOINTS, arns = [EAST, WEST]): InitialStateEvent {
  return {
    RequestType: requestType,
    LogicalResourceId: 'InitialRoutingState',
    StackId: 'arn:aws:cloudformation:us-west-2:111111111111:stack/routing/abc',
    PhysicalResourceId: requestType === 'Create' ? undefined : 'InitialRoutingState-initial-routing-state',
    ResourceProperties: {
      ClusterEndpoints: endpoints.map((e) => ({ Endpoint: e.endpoint, Region: e.region })),
      RoutingControlArns: arns,
      InitiallyOnArn: arns[0],
    },
  };
}

describe('initial routing state, against a fake data plane', () => {
  test('create turns the first Region On and the others Off in one call, then confirms', async () => {
    const plane = new FakeDataPlane([EAST, WEST, EU]);
    const result = await handleInitialStateEvent(event('Create', ENDPOINTS, [EAST, WEST, EU]), plane);
    expect(Object.fromEntries(plane.states)).toEqual({ [EAST]: 'On', [WEST]: 'Off', [EU]: 'Off' });
    expect(plane.calls.filter((c) => c.action === 'update')).toHaveLength(1);
    expect(result).toEqual({ physicalResourceId: 'InitialRoutingState-initial-routing-state', data: { InitiallyOnArn: EAST } });
  });

  test('active/active: create turns every control it names On in one call, then confirms', async () => {
    const plane = new FakeDataPlane([EAST, WEST, EU]);
    const all = event('Create', ENDPOINTS, [EAST, WEST, EU]);
    const props = { ...all.ResourceProperties, InitiallyOnArn: undefined, InitiallyOnArns: [EAST, WEST, EU] };
    const result = await handleInitialStateEvent({ ...all, ResourceProperties: props }, plane);
    expect(Object.fromEntries(plane.states)).toEqual({ [EAST]: 'On', [WEST]: 'On', [EU]: 'On' });
    expect(plane.calls.filter((c) => c.action === 'update')).toHaveLength(1);
    expect(result.data).toEqual({ InitiallyOnArns: `${EAST},${WEST},${EU}` });
  });

  test('a control to turn On that is not one of the Regions\' controls, or none at all, is refused before any call', async () => {
    const plane = new FakeDataPlane([EAST, WEST]);
    const base = event('Create');
    for (const on of [{ InitiallyOnArns: [EAST, EU] }, { InitiallyOnArns: [] }, { InitiallyOnArn: undefined }]) {
      await expect(handleInitialStateEvent({ ...base, ResourceProperties: { ...base.ResourceProperties, ...on } }, plane))
        .rejects.toThrow(/InitiallyOnArn or InitiallyOnArns must name at least one of RoutingControlArns/);
    }
    expect(plane.calls).toEqual([]);
  });

  test('create rotates past failing endpoints', async () => {
    const plane = new FakeDataPlane([EAST, WEST]).failOn('us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1');
    await handleInitialStateEvent(event('Create'), plane);
    expect(Object.fromEntries(plane.states)).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
    // Wherever the rotation started, it ends on the one endpoint that answers.
    const updates = plane.calls.filter((c) => c.action === 'update').map((c) => c.endpoint);
    expect(updates[updates.length - 1]).toBe('ap-southeast-2');
    expect(updates.slice(0, -1).every((region) => region !== 'ap-southeast-2')).toBe(true);
  });

  test('create fails with a reason when all five endpoints fail', async () => {
    const plane = new FakeDataPlane([EAST, WEST]).failOn(...ENDPOINTS.map((e) => e.region));
    await expect(handleInitialStateEvent(event('Create'), plane)).rejects.toThrow(/UpdateRoutingControlStates failed on all 5 ARC cluster endpoints/);
  });

  test.each(['Update', 'Delete'] as const)('%s never changes a routing state (a redeploy during a failover must not move traffic back)', async (type) => {
    // Mid-failover: traffic was moved to the second Region.
    const plane = new FakeDataPlane([EAST, WEST]);
    plane.states.set(WEST, 'On');
    const result = await handleInitialStateEvent(event(type), plane);
    expect(plane.calls).toEqual([]);
    expect(Object.fromEntries(plane.states)).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
    expect(result.physicalResourceId).toBe('InitialRoutingState-initial-routing-state');
  });

  test('bad properties are refused with what is wrong', async () => {
    const plane = new FakeDataPlane([EAST, WEST]);
    await expect(handleInitialStateEvent(event('Create', []), plane)).rejects.toThrow('ClusterEndpoints must list the ARC cluster\'s endpoints, got []');
    await expect(handleInitialStateEvent(event('Create', ENDPOINTS, [EAST]), plane)).rejects.toThrow('RoutingControlArns must list at least 2 routing control ARNs');
    const bad = event('Create');
    await expect(handleInitialStateEvent({ ...bad, ResourceProperties: { ...bad.ResourceProperties, ClusterEndpoints: [{ Endpoint: 'x' } as never] } }, plane))
      .rejects.toThrow('ClusterEndpoints[0] needs Endpoint and Region strings');
  });
});

describe('the Lambda handler, with the real SDK client against a fake ARC data plane over HTTP', () => {
  const arc = new FakeArcServer();
  let endpoints: Awaited<ReturnType<FakeArcServer['start']>>;
  let cfn: Awaited<ReturnType<typeof responseCollector>>;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    // The handler logs each attempt for CloudWatch; keep the test output readable.
    jest.spyOn(console, 'log').mockImplementation(() => {});
    jest.spyOn(console, 'error').mockImplementation(() => {});
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' });
    endpoints = await arc.start(['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-2'], [EAST, WEST]);
    cfn = await responseCollector();
  });
  afterAll(async () => {
    process.env = savedEnv;
    await arc.stop();
    await cfn.close();
  });

  function request(type: 'Create' | 'Update' | 'Delete') {
    return { ...event(type, endpoints), ResponseURL: cfn.url, RequestId: `req-${type}` };
  }

  test('create, with two endpoints impaired, sets the states and answers SUCCESS', async () => {
    arc.failOn(endpoints[0].region, endpoints[1].region, endpoints[2].region);
    // The stack id picks the first endpoint tried; make every impaired one come first.
    await handler(request('Create'));
    expect(Object.fromEntries(arc.states)).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
    expect(arc.requests.filter((r) => r.operation === 'UpdateRoutingControlStates').length).toBeGreaterThanOrEqual(1);
    expect(cfn.responses.pop()).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: 'InitialRoutingState-initial-routing-state',
      Data: { InitiallyOnArn: EAST },
      StackId: 'arn:aws:cloudformation:us-west-2:111111111111:stack/routing/abc',
      RequestId: 'req-Create',
      LogicalResourceId: 'InitialRoutingState',
    });
  }, 30_000);

  test('update after traffic moved: no call to ARC, SUCCESS with the same id', async () => {
    arc.states.set(EAST, 'Off');
    arc.states.set(WEST, 'On');
    const before = arc.requests.length;
    await handler(request('Update'));
    expect(arc.requests.length).toBe(before);
    expect(Object.fromEntries(arc.states)).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
    expect(cfn.responses.pop()).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'InitialRoutingState-initial-routing-state' });
  });

  test('create with every endpoint impaired answers FAILED with the reason', async () => {
    arc.failOn(...endpoints.map((e) => e.region));
    await handler(request('Create'));
    const response = cfn.responses.pop()!;
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/^UpdateRoutingControlStates failed on all 5 ARC cluster endpoints: /);
  }, 60_000);

  test('answers FAILED before the function\'s time runs out when every endpoint hangs', async () => {
    const hanging = new FakeArcServer();
    const hangingEndpoints = await hanging.start(['us-east-1', 'us-west-2'], [EAST, WEST]);
    hanging.hangOn('us-east-1', 'us-west-2');
    try {
      const started = Date.now();
      // 10.5 s left: 10 s are kept to answer, so the ARC calls get 0.5 s.
      await handler({ ...event('Create', hangingEndpoints), ResponseURL: cfn.url, RequestId: 'req-hang' }, { getRemainingTimeInMillis: () => 10_500 });
      expect(Date.now() - started).toBeLessThan(5_000);
      const response = cfn.responses.pop()!;
      expect(response).toMatchObject({ Status: 'FAILED', RequestId: 'req-hang' });
      expect(response.Reason).toBe('no answer from the ARC cluster endpoints within 0.5 s; the routing states may be unset: check them in the ARC console and deploy again');
    } finally {
      await hanging.stop();
    }
  }, 30_000);
});
