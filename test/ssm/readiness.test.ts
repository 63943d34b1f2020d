import { awsError, FakeCloud, specOf, TOPOLOGY as BASE } from './fake-cloud';
import {
  evaluateReadiness, firstEvaluation, handleReadiness, parseReadiness, publishReadiness, readinessDatapoints,
  ReadinessDatapoint, ReadinessEvaluation, ReadinessPublisher,
} from '../../src/ssm/readiness';
import { ENDPOINTS } from '../arc/fake-data-plane';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
/** As deployed: the stack of the Region publishes its cluster's spec (the rebuild's pre-flight reads it). */
const TOPOLOGY = { ...BASE, localClusterSpec: specOf(WEST) };

/** What the evaluation would publish, and nothing changed in the database or the routing. */
async function evaluate(cloud: FakeCloud, region: string, bounds: { maxRpoLagMs?: number; maxDataLossMs?: number; maxRunMs?: number } = {}) {
  const evaluation = await evaluateReadiness({ cloud: cloud.from(region), topology: TOPOLOGY, localRegion: region, ...bounds });
  const changes = cloud.calls.filter((c) => ['switchover', 'failover', 'detach', 'addInstance', 'removeFromGlobal', 'deleteCluster'].includes(c.op));
  expect(changes).toEqual([]);
  expect(cloud.routing.calls.filter((c) => c.action === 'update')).toEqual([]);
  return evaluation;
}

const outcomes = (e: ReadinessEvaluation) => Object.fromEntries(e.runbooks.map((r) => [r.runbook, r.outcome]));

class RecordingPublisher implements ReadinessPublisher {
  public readonly metrics: { namespace: string; data: ReadinessDatapoint[] }[] = [];
  public readonly parameters: { name: string; value: string }[] = [];
  public async putMetrics(namespace: string, data: ReadinessDatapoint[]) {
    this.metrics.push({ namespace, data });
  }
  public async putParameter(name: string, value: string) {
    this.parameters.push({ name, value });
  }
}

describe('evaluateReadiness: each runbook\'s pre-flight, read-only, with this Region as the target', () => {
  test('a healthy secondary: every runbook would start (the rebuild has nothing to do)', async () => {
    // Without its cluster's spec the rebuild could not start: not ready.
    const bare = await evaluateReadiness({ cloud: new FakeCloud(EAST).from(WEST), topology: BASE, localRegion: WEST });
    expect(bare.runbooks.find((r) => r.runbook === 'rebuild')).toMatchObject({ ready: false, outcome: 'refused', reason: expect.stringMatching(/publishes no spec/) });

    const evaluation = await evaluate(new FakeCloud(EAST), WEST);
    expect(outcomes(evaluation)).toEqual({ switchover: 'passed', failover: 'passed', failback: 'passed', rebuild: 'nothing-to-do' });
    expect(evaluation).toMatchObject({ name: 'orders', region: WEST, ready: true });
    expect(evaluation.runbooks.find((r) => r.runbook === 'rebuild')!.reason).toMatch(/already a connected secondary/);
  });

  test('the writer\'s Region: nothing to do is ready', async () => {
    const evaluation = await evaluate(new FakeCloud(EAST), EAST);
    expect(outcomes(evaluation)).toEqual({ switchover: 'nothing-to-do', failover: 'nothing-to-do', failback: 'nothing-to-do', rebuild: 'nothing-to-do' });
    expect(evaluation.ready).toBe(true);
  });

  test('a secondary lagging past the bound: the switchover and failback would refuse, with the reason; the failover has no bound by default', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.lagMs.set(`orders-${WEST}`, 45_000);
    const evaluation = await evaluate(cloud, WEST, { maxRpoLagMs: 30_000 });
    expect(outcomes(evaluation)).toMatchObject({ switchover: 'refused', failover: 'passed' });
    expect(evaluation.ready).toBe(false);
    expect(evaluation.runbooks[0].reason).toBe('us-west-2 lags 45000 ms behind the writer, over the 30000 ms allowed (MaxRpoLagSeconds); wait for it to catch up');
    // With the failover's bound, it would refuse too.
    const bounded = await evaluate(cloud, WEST, { maxRpoLagMs: 30_000, maxDataLossMs: 10_000 });
    expect(outcomes(bounded).failover).toBe('refused');
  });

  test('no secret replica in the Region: nothing would start', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.secretPresent = false;
    const evaluation = await evaluate(cloud, WEST);
    expect(evaluation.runbooks.every((r) => r.outcome === 'refused' && /has no usable replica in us-west-2/.test(r.reason))).toBe(true);
    expect(evaluation.ready).toBe(false);
  });

  test('the ARC data plane unreachable on every endpoint: not ready', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.routing.failOn(...ENDPOINTS.map((e) => e.region));
    const evaluation = await evaluate(cloud, WEST);
    expect(outcomes(evaluation).switchover).toBe('refused');
    expect(evaluation.runbooks[0].reason).toMatch(/^the ARC data plane is unreachable/);
    expect(evaluation.ready).toBe(false);
  });

  test('another run under way is busy, which is ready: the runbooks work, one at a time', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.startExecution(EAST, 'orders-Switchover', 'run-1');
    const evaluation = await evaluate(cloud, WEST);
    expect(outcomes(evaluation)).toMatchObject({ switchover: 'busy', failover: 'busy', failback: 'busy' });
    expect(evaluation.ready).toBe(true);
  });

  test('a run under way for longer than any run can last is stuck: not ready, for every runbook it blocks', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.startExecution(EAST, 'orders-Failback', 'run-9');
    cloud.advance(8 * 3600_000);
    const within = await evaluate(cloud, WEST, { maxRunMs: 9 * 3600_000 });
    expect(outcomes(within)).toMatchObject({ switchover: 'busy' });
    expect(within.ready).toBe(true);
    const stuck = await evaluate(cloud, WEST, { maxRunMs: 7.5 * 3600_000 });
    expect(outcomes(stuck)).toMatchObject({ switchover: 'refused', failover: 'refused', failback: 'refused' });
    expect(stuck.runbooks[0].reason).toMatch(/run-9.*; it has been under way for 480 min, longer than a run of this deployment can last \(450 min\): it is stuck/);
    expect(stuck.ready).toBe(false);
  });

  test('an AWS error is not ready, with the error', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.fail('describe', 'AccessDeniedException: not authorized to perform rds:DescribeGlobalClusters', 100);
    const evaluation = await evaluate(cloud, WEST);
    expect(outcomes(evaluation).switchover).toBe('error');
    expect(evaluation.runbooks[0].reason).toMatch(/^the pre-flight could not run: .*AccessDeniedException|not authorized/);
    expect(evaluation.ready).toBe(false);
  });
});

describe('what is published', () => {
  const evaluation: ReadinessEvaluation = {
    name: 'orders',
    region: WEST,
    evaluatedAt: '2026-11-30T03:00:00.000Z',
    ready: false,
    runbooks: [
      { runbook: 'switchover', ready: false, outcome: 'refused', reason: 'lags' },
      { runbook: 'failover', ready: true, outcome: 'passed', reason: 'ok' },
      { runbook: 'failback', ready: false, outcome: 'refused', reason: 'lags' },
      { runbook: 'rebuild', ready: true, outcome: 'nothing-to-do', reason: 'connected' },
    ],
  };

  test('RunbookReady per runbook and for all of them, 1 or 0, at the evaluation\'s time', () => {
    const points = readinessDatapoints(evaluation);
    expect(points.map((p) => [p.dimensions.Runbook, p.value])).toEqual([['switchover', 0], ['failover', 1], ['failback', 0], ['rebuild', 1], ['all', 0]]);
    expect(points.every((p) => p.metricName === 'RunbookReady' && p.dimensions.Deployment === 'orders' && p.dimensions.Region === WEST)).toBe(true);
    expect(points[0].timestamp.toISOString()).toBe('2026-11-30T03:00:00.000Z');
  });

  test('the metric, then the parameter the command-line tool reads back', async () => {
    const publisher = new RecordingPublisher();
    await publishReadiness(evaluation, publisher);
    expect(publisher.metrics.map((m) => m.namespace)).toEqual(['CdkCrossRegionFailover']);
    expect(publisher.parameters.map((p) => p.name)).toEqual(['/cdk-cross-region-failover/orders/readiness']);
    expect(parseReadiness(publisher.parameters[0].value)).toEqual(evaluation);
  });

  test('the parameter keeps at most 600 characters of a reason, so four fit the Standard tier; the log has them whole', async () => {
    const publisher = new RecordingPublisher();
    const long = { ...evaluation, runbooks: evaluation.runbooks.map((r) => ({ ...r, reason: 'x'.repeat(5000) })) };
    await publishReadiness(long, publisher);
    const kept = parseReadiness(publisher.parameters[0].value)!;
    expect(kept.runbooks.map((r) => r.reason.length)).toEqual([600, 600, 600, 600]);
    expect(kept.runbooks[0].reason.endsWith('…')).toBe(true);
    expect(Buffer.byteLength(publisher.parameters[0].value)).toBeLessThan(4096);
  });

  test('the deployment\'s placeholder and anything else are not an evaluation', () => {
    expect(parseReadiness(JSON.stringify({ name: 'orders', region: WEST, evaluatedAt: null, note: 'not evaluated since the last deployment' }))).toBeUndefined();
    expect(parseReadiness('not json')).toBeUndefined();
    expect(parseReadiness(undefined)).toBeUndefined();
  });
});

describe('handleReadiness: the scheduled event', () => {
  const logged: string[] = [];
  beforeEach(() => {
    logged.length = 0;
    jest.spyOn(console, 'log').mockImplementation((line: string) => void logged.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  test('reads the topology, evaluates with the event\'s bounds, logs one JSON line with the reasons, publishes', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.lagMs.set(`orders-${WEST}`, 12_000);
    const publisher = new RecordingPublisher();
    const evaluation = await handleReadiness({ Runbook: 'Readiness', Deployment: 'orders', MaxRpoLagSeconds: 10, MaxDataLossSeconds: 0 },
      { region: WEST, cloud: cloud.from(WEST), loadTopology: async () => TOPOLOGY }, publisher);
    expect(outcomes(evaluation)).toMatchObject({ switchover: 'refused', failover: 'passed' });
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]).readiness.runbooks[0].reason).toMatch(/over the 10000 ms allowed/);
    expect(publisher.metrics[0].data.find((d) => d.dimensions.Runbook === 'all')!.value).toBe(0);
  });

  test('the datapoints carry the schedule\'s time, not the invocation\'s', async () => {
    const publisher = new RecordingPublisher();
    await handleReadiness({ Runbook: 'Readiness', Deployment: 'orders', ScheduledAt: '2026-11-30T03:30:00Z' },
      { region: WEST, cloud: new FakeCloud(EAST).from(WEST), loadTopology: async () => TOPOLOGY }, publisher);
    expect(publisher.metrics[0].data.every((d) => d.timestamp.toISOString() === '2026-11-30T03:30:00.000Z')).toBe(true);
    expect(parseReadiness(publisher.parameters[0].value)!.evaluatedAt).not.toBe('2026-11-30T03:30:00.000Z');
  });

  test('a topology that cannot be read: every runbook published not ready with the reason, and the error thrown', async () => {
    const publisher = new RecordingPublisher();
    await expect(handleReadiness({ Runbook: 'Readiness', Deployment: 'orders' },
      { region: WEST, cloud: new FakeCloud(EAST).from(WEST), loadTopology: async () => { throw awsError('ParameterNotFound', 'no topology'); } }, publisher))
      .rejects.toThrow('no topology');
    const published = parseReadiness(publisher.parameters[0].value)!;
    expect(published.ready).toBe(false);
    expect(published.runbooks.map((r) => r.outcome)).toEqual(['error', 'error', 'error', 'error']);
    expect(published.runbooks[0].reason).toBe('the pre-flight could not run: no topology');
  });

  test('the first evaluation, after the self-test passed: published from the function\'s environment; a failure only logged', async () => {
    const publisher = new RecordingPublisher();
    const deps = { region: WEST, cloud: new FakeCloud(EAST).from(WEST), loadTopology: async () => TOPOLOGY };
    expect(await firstEvaluation(undefined, deps, publisher)).toBeUndefined();
    expect(publisher.metrics).toEqual([]);
    const evaluation = await firstEvaluation(JSON.stringify({ Runbook: 'Readiness', Deployment: 'orders', MaxRpoLagSeconds: 30 }), deps, publisher);
    expect(evaluation?.ready).toBe(true);
    expect(publisher.metrics).toHaveLength(1);
    const errors: string[] = [];
    jest.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    expect(await firstEvaluation('{"Runbook":"Readiness","Deployment":"orders","MaxRpoLagSeconds":"soon"}', deps, publisher)).toBeUndefined();
    expect(JSON.parse(errors[0]).error).toMatch(/MaxRpoLagSeconds is "soon"/);
  });

  test('a bound that is not a number is refused, naming the field', async () => {
    await expect(handleReadiness({ Runbook: 'Readiness', Deployment: 'orders', MaxRpoLagSeconds: 'soon' },
      { region: WEST, cloud: new FakeCloud(EAST).from(WEST), loadTopology: async () => TOPOLOGY }, new RecordingPublisher()))
      .rejects.toThrow('the readiness event\'s MaxRpoLagSeconds is "soon", not a number of seconds: redeploy the stack');
  });
});
