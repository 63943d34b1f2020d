import { FakeCloud, TOPOLOGY } from './fake-cloud';
import { DeploymentStateSources, readDeploymentState } from '../../src/ssm/deployment-state';

const EAST = 'us-east-1';
const WEST = 'us-west-2';

function sources(cloud: FakeCloud, over: Partial<DeploymentStateSources> = {}): DeploymentStateSources {
  return {
    topology: TOPOLOGY,
    cloud: () => cloud,
    runningExecutions: async () => [],
    endedExecutions: async () => [],
    readiness: async () => undefined,
    ...over,
  };
}

describe('readDeploymentState', () => {
  test('every Region: the writer, the traffic, a secondary\'s lag; no alarms unless asked', async () => {
    const cloud = new FakeCloud();
    const state = await readDeploymentState(sources(cloud), EAST);
    expect(state).toMatchObject({ readFrom: EAST, globalDatabase: { identifier: 'orders', status: 'available' }, problems: [], interrupted: false });
    expect(state.regions.map((r) => [r.region, r.role, r.traffic])).toEqual([[EAST, 'writer', 'On'], [WEST, 'secondary', 'Off']]);
    expect(state.regions[1]).toMatchObject({ synchronizationStatus: 'connected', rpoLag: { valueMs: 800 }, running: [], lastRuns: [] });
    expect(state.regions[0].alarms).toBeUndefined();
  });

  test('a read that does not answer is reported after the read timeout, and holds up nothing else; a failed one is told with its reason', async () => {
    const cloud = new FakeCloud();
    const started = Date.now();
    const state = await readDeploymentState(sources(cloud, {
      runningExecutions: (r) => (r === WEST ? new Promise(() => undefined) : Promise.resolve([])),
      alarms: async () => {
        throw new Error('AccessDenied: cloudwatch:DescribeAlarms');
      },
      readTimeoutMs: 100,
    }), EAST);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(state.regions[1].runningError).toBe('no answer within 0.1 s');
    expect(state.regions[0].running).toEqual([]);
    expect(state.regions.map((r) => r.alarmsError)).toEqual(['AccessDenied: cloudwatch:DescribeAlarms', 'AccessDenied: cloudwatch:DescribeAlarms']);
    expect(state.regions[1].rpoLag?.valueMs).toBe(800);
  });

  test('the writer in one Region and the traffic in another is an interrupted run; a missing global database is a problem', async () => {
    const cloud = new FakeCloud(WEST);
    cloud.routing.states.set(TOPOLOGY.regions[0].routingControlArn, 'On');
    cloud.routing.states.set(TOPOLOGY.regions[1].routingControlArn, 'Off');
    expect((await readDeploymentState(sources(cloud), EAST)).interrupted).toBe(true);
    const missing = await readDeploymentState(sources(new FakeCloud(), { topology: { ...TOPOLOGY, globalClusterIdentifier: 'nothing' } }), EAST);
    expect(missing.problems).toEqual(["the global database 'nothing' does not exist"]);
    expect(missing.regions.map((r) => r.role)).toEqual(['not a member', 'not a member']);
  });
});
