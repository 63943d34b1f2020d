import { arnOf, controlOf, FakeCloud, TOPOLOGY } from './fake-cloud';
import { failback, failover, switchover } from '../../src/ssm/runbooks';
import { ENDPOINTS } from '../arc/fake-data-plane';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const FAST = { pollIntervalMs: 1000, timeoutMs: 60_000 };

function routingOf(cloud: FakeCloud) {
  return { [EAST]: cloud.routing.states.get(controlOf(EAST)), [WEST]: cloud.routing.states.get(controlOf(WEST)) };
}

describe('switchover', () => {
  test('moves the writer, then flips routing in one call, and reports every step with its duration', async () => {
    const cloud = new FakeCloud(EAST);
    // Routing may move only once the target is writer.
    const update = cloud.routing.updateRoutingControlStates.bind(cloud.routing);
    const writerWhenRouted: (string | undefined)[] = [];
    cloud.routing.updateRoutingControlStates = async (ep, entries) => {
      writerWhenRouted.push(cloud.writer());
      return update(ep, entries);
    };
    const report = await switchover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST });
    expect(report.outcome).toBe('succeeded');
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['pre-flight', 'done'],
      ['switchover global cluster', 'done'],
      ['wait until the target is writer', 'done'],
      ['route traffic to the target', 'done'],
      ['verify', 'done'],
    ]);
    expect(report.steps[2].durationMs).toBe(2000);
    expect(report.recoveryTimeMs).toBe(2000);
    expect(cloud.writer()).toBe(arnOf(WEST));
    expect(routingOf(cloud)).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
    expect(cloud.routing.calls.filter((c) => c.action === 'update')).toHaveLength(1);
    expect(writerWhenRouted).toEqual([arnOf(WEST)]);
    expect(report.dataLossWindowMs).toBeUndefined();
  });

  test.each<[string, (cloud: FakeCloud) => void, RegExp]>([
    ['target not in sync', (c) => (c.members[1] = { ...c.members[1], synchronizationStatus: 'pending-resync' }), /us-west-2 is not in sync \(synchronization status pending-resync\)/],
    ['RPO lag over the threshold', (c) => c.lagMs.set('orders-us-west-2', 45_000), /us-west-2 lags 45000 ms behind the writer, over the 30000 ms allowed/],
    ['no RPO lag data', (c) => c.lagMs.set('orders-us-west-2', undefined), /no recent AuroraGlobalDBRPOLag for orders-us-west-2/],
    ['target already writer and routed', (c) => {
      c.members = c.members.map((m) => ({ ...m, isWriter: m.clusterArn === arnOf(WEST) }));
      c.routing.states.set(controlOf(EAST), 'Off');
      c.routing.states.set(controlOf(WEST), 'On');
    }, /us-west-2 is already the writer and receives all traffic: nothing to do/],
    ['ARC data plane unreachable on all five endpoints', (c) => c.routing.failOn(...ENDPOINTS.map((e) => e.region)),
      /the ARC data plane is unreachable: GetRoutingControlState failed on all 5 ARC cluster endpoints/],
    ['another failover in progress', (c) => (c.failoverState = { status: 'failing-over', fromClusterArn: arnOf(EAST), toClusterArn: 'arn:other' }),
      /a failing-over from .*us-east-1 to arn:other is in progress; wait for it to finish/],
    ['global cluster not available', (c) => (c.status = 'modifying'), /global cluster 'orders' is modifying, not available/],
  ])('refuses, changing nothing, when %s', async (_title, arrange, reason) => {
    const cloud = new FakeCloud(EAST);
    arrange(cloud);
    const before = { writer: cloud.writer(), routing: routingOf(cloud) };
    const report = await switchover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST });
    expect(report.outcome).toBe('refused');
    expect(report.reason).toMatch(reason);
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([['pre-flight', 'failed']]);
    expect({ writer: cloud.writer(), routing: routingOf(cloud) }).toEqual(before);
    expect(cloud.calls.some((c) => c.op === 'switchover')).toBe(false);
  });

  test('refuses a Region outside the topology', async () => {
    const report = await switchover(new FakeCloud(EAST), TOPOLOGY, { targetRegion: 'eu-west-1' });
    expect(report).toMatchObject({ outcome: 'refused', reason: "target Region 'eu-west-1' is not part of this topology (us-east-1, us-west-2)" });
  });

  test('a re-run after routing failed on every endpoint converges without switching over again', async () => {
    const cloud = new FakeCloud(EAST);
    // Reads succeed, but every endpoint refuses the update (e.g. a permissions mistake).
    const update = cloud.routing.updateRoutingControlStates.bind(cloud.routing);
    let refuse = true;
    cloud.routing.updateRoutingControlStates = async (ep, entries) => {
      if (refuse) throw new Error('AccessDeniedException');
      return update(ep, entries);
    };
    const first = await switchover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST });
    expect(first.outcome).toBe('failed');
    expect(first.steps.map((s) => s.status)).toEqual(['done', 'done', 'done', 'failed']);
    expect(first.reason).toMatch(/UpdateRoutingControlStates failed on all 5 ARC cluster endpoints/);
    expect(cloud.writer()).toBe(arnOf(WEST));

    refuse = false;
    const second = await switchover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST });
    expect(second.outcome).toBe('succeeded');
    expect(second.steps.map((s) => [s.name, s.status])).toEqual([
      ['pre-flight', 'done'],
      ['switchover global cluster', 'skipped'],
      ['wait until the target is writer', 'done'],
      ['route traffic to the target', 'done'],
      ['verify', 'done'],
    ]);
    expect(cloud.calls.filter((c) => c.op === 'switchover')).toHaveLength(1);
    expect(routingOf(cloud)).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
  });

  test('a re-run while the switchover is still under way waits for it instead of starting another', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.transitionPolls = 100;
    const first = await switchover(cloud, TOPOLOGY, { targetRegion: WEST, pollIntervalMs: 1000, timeoutMs: 5000 });
    expect(first.outcome).toBe('failed');
    expect(first.reason).toMatch(/^timed out after 5 s waiting until us-west-2 is the writer; run the runbook again to resume/);
    cloud.transitionPolls = 1;
    const second = await switchover(cloud, TOPOLOGY, { targetRegion: WEST, pollIntervalMs: 1000, timeoutMs: 1_000_000 });
    expect(second.outcome).toBe('succeeded');
    expect(second.steps[1]).toMatchObject({ status: 'skipped', detail: 'a switching-over to us-west-2 is already under way' });
    expect(cloud.calls.filter((c) => c.op === 'switchover')).toHaveLength(1);
  });
});

describe('failover', () => {
  test('flips routing before promoting with AllowDataLoss, and reports the data-loss window', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.lagMs.set('orders-us-west-2', 1200);
    let routingWhenPromoted: unknown;
    const promote = cloud.failoverGlobalCluster.bind(cloud);
    cloud.failoverGlobalCluster = async (id, target) => {
      routingWhenPromoted = routingOf(cloud);
      return promote(id, target);
    };
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST });
    expect(routingWhenPromoted).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
    expect(report.outcome).toBe('succeeded');
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['pre-flight', 'done'],
      ['route traffic to the target', 'done'],
      ['promote the target', 'done'],
      ['wait until the target is writable', 'done'],
      ['verify', 'done'],
    ]);
    expect(report.steps[2].detail).toBe(`FailoverGlobalCluster to ${arnOf(WEST)} with AllowDataLoss`);
    expect(report.dataLossWindowMs).toBe(1200);
    expect(report.recoveryTimeMs).toBe(2000);
    expect(cloud.writer()).toBe(arnOf(WEST));
    expect(routingOf(cloud)).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
    // Nothing is asked of the impaired Region's cluster.
    expect(cloud.calls.filter((c) => c.arg === arnOf(EAST) || c.arg === 'orders-us-east-1')).toEqual([]);
  });

  test('when FailoverGlobalCluster fails, detaches and promotes the target', async () => {
    const cloud = new FakeCloud(EAST).fail('failover', 'InvalidGlobalClusterStateFault');
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST });
    expect(report.outcome).toBe('succeeded');
    expect(report.steps[2].detail).toBe(`FailoverGlobalCluster failed (InvalidGlobalClusterStateFault); detached ${arnOf(WEST)} to promote it`);
    expect(cloud.members.map((m) => m.clusterArn)).toEqual([arnOf(EAST)]);
    expect(report.steps[4].detail).toBe('us-west-2 is a stand-alone writable cluster and receives all traffic');
  });

  test('when the global cluster cannot be described, detaches and promotes the target', async () => {
    const cloud = new FakeCloud(EAST).fail('describe', 'getaddrinfo ENOTFOUND rds.us-east-1.amazonaws.com');
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST });
    expect(report.outcome).toBe('succeeded');
    expect(report.steps[0].detail).toMatch(/global cluster unreachable: will detach and promote/);
    expect(cloud.calls.some((c) => c.op === 'failover')).toBe(false);
    expect(cloud.calls.some((c) => c.op === 'detach' && c.arg === arnOf(WEST))).toBe(true);
  });

  test('refuses when the ARC data plane is unreachable on all five endpoints, before touching the database', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.routing.failOn(...ENDPOINTS.map((e) => e.region));
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST });
    expect(report.outcome).toBe('refused');
    expect(report.reason).toMatch(/^the ARC data plane is unreachable/);
    expect(cloud.calls.some((c) => ['failover', 'detach', 'switchover'].includes(c.op))).toBe(false);
  });

  test('a re-run after a failure while promoting converges: routing is not flipped twice', async () => {
    const cloud = new FakeCloud(EAST).fail('failover', 'Throttling', 1).fail('detach', 'Throttling', 1);
    const first = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST });
    expect(first.outcome).toBe('failed');
    expect(first.steps.map((s) => s.status)).toEqual(['done', 'done', 'failed']);
    expect(routingOf(cloud)).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
    const second = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST });
    expect(second.outcome).toBe('succeeded');
    expect(second.steps.map((s) => [s.name, s.status])).toEqual([
      ['pre-flight', 'done'],
      ['route traffic to the target', 'skipped'],
      ['promote the target', 'done'],
      ['wait until the target is writable', 'done'],
      ['verify', 'done'],
    ]);
    expect(cloud.routing.calls.filter((c) => c.action === 'update')).toHaveLength(1);
  });

  test('a re-run after the fallback detach converges on the stand-alone cluster', async () => {
    const cloud = new FakeCloud(EAST).fail('failover', 'InvalidGlobalClusterStateFault');
    cloud.transitionPolls = 100;
    const first = await failover(cloud, TOPOLOGY, { targetRegion: WEST, pollIntervalMs: 1000, timeoutMs: 3000 });
    expect(first.outcome).toBe('failed');
    const second = await failover(cloud, TOPOLOGY, { targetRegion: WEST, pollIntervalMs: 1000, timeoutMs: 1_000_000 });
    expect(second.outcome).toBe('succeeded');
    expect(second.steps[2]).toMatchObject({ status: 'skipped', detail: 'us-west-2 was already detached and promoted' });
    expect(cloud.calls.filter((c) => c.op === 'detach')).toHaveLength(1);
  });
});

describe('failback', () => {
  test('waits until the old primary has rejoined and caught up, then switches over and routes back', async () => {
    // After a failover to us-west-2, us-east-1 is rebuilding.
    const cloud = new FakeCloud(WEST);
    cloud.members = cloud.members.filter((m) => m.clusterArn !== arnOf(EAST));
    let polls = 0;
    const sleep = cloud.sleep.bind(cloud);
    cloud.sleep = async (ms) => {
      polls++;
      if (polls === 2) cloud.members.push({ clusterArn: arnOf(EAST), isWriter: false, synchronizationStatus: 'pending-resync' });
      if (polls === 3) cloud.members[cloud.members.length - 1] = { clusterArn: arnOf(EAST), isWriter: false, synchronizationStatus: 'connected' };
      if (polls === 3) cloud.lagMs.set('orders-us-east-1', 90_000);
      if (polls === 4) cloud.lagMs.set('orders-us-east-1', 900);
      return sleep(ms);
    };
    const report = await failback(cloud, TOPOLOGY, { targetRegion: EAST, ...FAST });
    expect(report.outcome).toBe('succeeded');
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['wait until the old primary has rejoined and caught up', 'done'],
      ['pre-flight', 'done'],
      ['switchover global cluster', 'done'],
      ['wait until the target is writer', 'done'],
      ['route traffic to the target', 'done'],
      ['verify', 'done'],
    ]);
    expect(report.steps[0].durationMs).toBe(4000);
    expect(cloud.writer()).toBe(arnOf(EAST));
    expect(routingOf(cloud)).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
    expect(cloud.calls.some((c) => c.op === 'failover')).toBe(false);
  });

  test('gives up with what it last saw when the old primary does not come back in time', async () => {
    const cloud = new FakeCloud(WEST);
    cloud.members = cloud.members.map((m) => (m.clusterArn === arnOf(EAST) ? { ...m, synchronizationStatus: 'pending-resync' } : m));
    const report = await failback(cloud, TOPOLOGY, { targetRegion: EAST, pollIntervalMs: 1000, timeoutMs: 3000 });
    expect(report.outcome).toBe('failed');
    expect(report.reason).toBe('timed out after 3 s waiting until us-east-1 rejoined and caught up (last seen: synchronization pending-resync); run the runbook again to resume');
    expect(cloud.writer()).toBe(arnOf(WEST));
  });
});
