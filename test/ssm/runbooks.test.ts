import { arnOf, awsError, controlOf, FakeCloud, keyOf, specOf, TOPOLOGY } from './fake-cloud';
import { addedInstanceIdentifier, rebuildSnapshotIdentifier } from '../../src/ssm/runbook-steps';
import { failback, failover, rebuild, RunbookName, RunbookOptions, RunbookRun, RUNBOOKS, runRunbook, switchover } from '../../src/ssm/runbooks';
import { ENDPOINTS } from '../arc/fake-data-plane';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const FAST = { pollIntervalMs: 1000, timeoutMs: 60_000 };
const LOSSY = { ...FAST, allowDataLoss: true };

function routingOf(cloud: FakeCloud) {
  return { [EAST]: cloud.routing.states.get(controlOf(EAST)), [WEST]: cloud.routing.states.get(controlOf(WEST)) };
}

/** What changed the database or the routing, in order. */
function changes(cloud: FakeCloud): string[] {
  return [
    ...cloud.calls.filter((c) => ['switchover', 'failover', 'detach', 'addInstance'].includes(c.op) && !c.failed).map((c) => `${c.op} ${c.arg?.split(':').pop()}`),
    ...cloud.routing.calls.filter((c) => c.action === 'update').map(() => 'routing update'),
  ];
}

/** A failover that fell back to detach-and-promote: us-west-2 detached, promoted and routed; us-east-1 still writer of the global cluster. */
async function afterDetach(): Promise<FakeCloud> {
  const cloud = new FakeCloud(EAST).fail('failover', 'InvalidGlobalClusterStateFault: the global cluster cannot fail over');
  const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY, allowDetach: true });
  expect(report.outcome).toBe('succeeded');
  expect(cloud.members.map((m) => m.clusterArn)).toEqual([arnOf(EAST)]);
  return cloud;
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
      ['give a headless target a writer instance', 'skipped'],
      ['wait until the target has an available instance', 'done'],
      ['switchover global cluster', 'done'],
      ['wait until the target is writer', 'done'],
      ['route traffic to the target', 'done'],
      ['verify', 'done'],
    ]);
    expect(report.steps[4].durationMs).toBe(2000);
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
      /a failing-over of global database 'orders' from us-east-1 to arn:other is in progress \(not started by this run\): wait for it to finish/],
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
    expect(changes(cloud)).toEqual([]);
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
      if (refuse) throw awsError('AccessDeniedException');
      return update(ep, entries);
    };
    const first = await switchover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST });
    expect(first.outcome).toBe('failed');
    expect(first.steps.map((s) => s.status)).toEqual(['done', 'skipped', 'done', 'done', 'done', 'failed']);
    expect(first.reason).toMatch(/UpdateRoutingControlStates failed on all 5 ARC cluster endpoints/);
    expect(cloud.writer()).toBe(arnOf(WEST));

    refuse = false;
    const second = await switchover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST });
    expect(second.outcome).toBe('succeeded');
    expect(second.steps.map((s) => [s.name, s.status])).toEqual([
      ['pre-flight', 'done'],
      ['give a headless target a writer instance', 'skipped'],
      ['wait until the target has an available instance', 'done'],
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
    expect(first.reason).toMatch(/^timed out after 5 s waiting until us-west-2 is the writer \(last seen: switching-over in progress\); run the runbook again to resume$/);
    cloud.transitionPolls = 1;
    const second = await switchover(cloud, TOPOLOGY, { targetRegion: WEST, pollIntervalMs: 1000, timeoutMs: 1_000_000 });
    expect(second.outcome).toBe('succeeded');
    expect(second.steps[3]).toMatchObject({ status: 'skipped', detail: 'a switching-over to us-west-2 is already under way' });
    expect(cloud.calls.filter((c) => c.op === 'switchover')).toHaveLength(1);
  });
});

describe('failover', () => {
  test('flips routing before promoting with AllowDataLoss, and reports the data-loss window read just before the promotion', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.lagMs.set('orders-us-west-2', 1200);
    let routingWhenPromoted: unknown;
    const promote = cloud.failoverGlobalCluster.bind(cloud);
    cloud.failoverGlobalCluster = async (id, target) => {
      routingWhenPromoted = routingOf(cloud);
      return promote(id, target);
    };
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY });
    expect(routingWhenPromoted).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
    expect(report.outcome).toBe('succeeded');
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['pre-flight', 'done'],
      ['give a headless target a writer instance', 'skipped'],
      ['wait until the target has an available instance', 'done'],
      ['route traffic to the target', 'done'],
      ['promote the target', 'done'],
      ['wait until the target is writable', 'done'],
      ['verify', 'done'],
    ]);
    expect(report.steps[4].detail).toBe(`FailoverGlobalCluster to ${arnOf(WEST)} with AllowDataLoss; RPO lag 1200 ms, measured 0 s ago before the call`);
    expect(report).toMatchObject({ dataLossWindowMs: 1200, dataLossMeasuredAt: 1_000_000, recoveryTimeMs: 2000 });
    expect(report.warnings).toBeUndefined();
    expect(cloud.writer()).toBe(arnOf(WEST));
    expect(routingOf(cloud)).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
    // Nothing is asked of the impaired Region's cluster.
    expect(cloud.calls.filter((c) => c.arg === arnOf(EAST) || c.arg === 'orders-us-east-1' || c.arg === keyOf(EAST))).toEqual([]);
  });

  test('refuses when the ARC data plane is unreachable on all five endpoints, before touching the database', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.routing.failOn(...ENDPOINTS.map((e) => e.region));
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY });
    expect(report.outcome).toBe('refused');
    expect(report.reason).toMatch(/^the ARC data plane is unreachable/);
    expect(changes(cloud)).toEqual([]);
  });

  test('a re-run after a failure while promoting converges: routing is not flipped twice', async () => {
    const cloud = new FakeCloud(EAST).fail('failover', 'AccessDeniedException: not authorized', 1);
    const first = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY });
    expect(first.outcome).toBe('failed');
    expect(first.reason).toBe('FailoverGlobalCluster was refused (AccessDeniedException: not authorized); traffic goes to us-west-2, which is not yet writer: ' +
      'start the failover again to promote it, or with AllowDetach=true to detach and promote it on its own (irreversible)');
    expect(first.steps.map((s) => s.status)).toEqual(['done', 'skipped', 'done', 'done', 'failed']);
    expect(routingOf(cloud)).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
    const second = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY });
    expect(second.outcome).toBe('succeeded');
    expect(second.steps.map((s) => [s.name, s.status])).toEqual([
      ['pre-flight', 'done'],
      ['give a headless target a writer instance', 'skipped'],
      ['wait until the target has an available instance', 'done'],
      ['route traffic to the target', 'skipped'],
      ['promote the target', 'done'],
      ['wait until the target is writable', 'done'],
      ['verify', 'done'],
    ]);
    expect(cloud.routing.calls.filter((c) => c.action === 'update')).toHaveLength(1);
  });

  test('with AllowDetach, a re-run after the detach converges on the stand-alone cluster', async () => {
    const cloud = new FakeCloud(EAST).fail('failover', 'InvalidGlobalClusterStateFault: cannot fail over');
    cloud.transitionPolls = 100;
    const first = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY, allowDetach: true, pollIntervalMs: 1000, timeoutMs: 3000 });
    expect(first.outcome).toBe('failed');
    const second = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY, allowDetach: true, pollIntervalMs: 1000, timeoutMs: 1_000_000 });
    expect(second.outcome).toBe('succeeded');
    expect(second.steps[4]).toMatchObject({ status: 'skipped', detail: 'us-west-2 was already detached and promoted' });
    expect(cloud.calls.filter((c) => c.op === 'detach')).toHaveLength(1);
  });

  test('MaxDataLossSeconds refuses above the bound before routing moves, and an unknown lag with a bound', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.lagMs.set('orders-us-west-2', 600_000);
    const over = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY, maxDataLossMs: 60_000 });
    expect(over).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^the target lags 600000 ms .*, over MaxDataLossSeconds \(60 s\)/) });
    cloud.lagMs.set('orders-us-west-2', undefined);
    const unknown = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY, maxDataLossMs: 60_000 });
    expect(unknown).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^MaxDataLossSeconds is 60 but the data-loss window cannot be measured/) });
    expect(changes(cloud)).toEqual([]);
    // Without a bound, the failover goes ahead and says the window is unknown.
    const unbounded = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY });
    expect(unbounded.outcome).toBe('succeeded');
    expect(unbounded.dataLossWindowMs).toBeUndefined();
    expect(unbounded.steps[4].detail).toMatch(/no AuroraGlobalDBRPOLag data point in the last 24 h before the call$/);
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
      ['pre-flight', 'done'],
      ['wait until the old primary has rejoined and caught up', 'done'],
      ['check the target is in sync', 'done'],
      ['give a headless target a writer instance', 'skipped'],
      ['wait until the target has an available instance', 'done'],
      ['switchover global cluster', 'done'],
      ['wait until the target is writer', 'done'],
      ['route traffic to the target', 'done'],
      ['verify', 'done'],
    ]);
    expect(report.steps[1].durationMs).toBe(4000);
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

describe('rebuild: after a detach, the other Regions become secondaries of the serving cluster again', () => {
  const inEast = { ...TOPOLOGY, localClusterSpec: specOf(EAST) };

  test('re-creates the global database on the serving cluster, replaces the stale cluster (final snapshot), and a failback then works', async () => {
    const cloud = await afterDetach();
    cloud.trackData = true;
    cloud.logs.set(arnOf(EAST), [1, 2, 3]);
    cloud.logs.set(arnOf(WEST), [1, 2, 4, 5]);
    const before = cloud.routing.calls.filter((c) => c.action === 'update').length;
    const report = await rebuild(cloud, inEast, { targetRegion: EAST, ...FAST, executionId: 'abcd1234-0000', timeoutMs: 600_000 });
    expect(report.outcome).toBe('succeeded');
    expect(report.steps.map((st) => [st.name, st.status])).toEqual([
      ['pre-flight', 'done'],
      ['check again that one Region serves', 'done'],
      ['re-create the global database on the serving cluster', 'done'],
      ['replace the stale cluster with a secondary', 'done'],
      ['verify', 'done'],
    ]);
    expect(cloud.calls.filter((c) => ['remove', 'deleteGlobal', 'createGlobal', 'deleteInstance', 'deleteCluster', 'createCluster', 'addInstance'].includes(c.op) && !c.failed)
      .map((c) => `${c.op} ${c.arg?.split(':').pop()}`)).toEqual([
      'remove orders-us-east-1', 'deleteGlobal orders', 'createGlobal orders-us-west-2',
      'deleteInstance orders-us-east-1', 'deleteCluster orders-us-east-1', 'createCluster orders-us-east-1', 'addInstance orders-us-east-1',
    ]);
    // The stale data is kept in the final snapshot; the new secondary holds the serving cluster's data.
    expect(cloud.snapshots.get(rebuildSnapshotIdentifier('orders-us-east-1', 'abcd1234-0000'))).toEqual([1, 2, 3]);
    expect(cloud.logs.get(arnOf(EAST))).toEqual([1, 2, 4, 5]);
    expect(cloud.members).toEqual([
      { clusterArn: arnOf(WEST), isWriter: true },
      { clusterArn: arnOf(EAST), isWriter: false, synchronizationStatus: 'connected' },
    ]);
    // Routing never moved.
    expect(cloud.routing.calls.filter((c) => c.action === 'update')).toHaveLength(before);
    expect(routingOf(cloud)).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
    expect(report.warnings).toContain('the stale cluster orders-us-east-1 in us-east-1 is deleted by this run; its data stays in the final snapshot orders-us-east-1-before-rebuild-abcd1234');
    const back = await failback(cloud, TOPOLOGY, { targetRegion: EAST, ...FAST });
    expect(back.outcome).toBe('succeeded');
    expect(cloud.writer()).toBe(arnOf(EAST));
    expect(routingOf(cloud)).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
  });

  test('a re-run after a failure at any call converges, and never deletes a cluster of the re-created global database', async () => {
    const probe = await afterDetach();
    const start = probe.callTotal;
    await rebuild(probe, inEast, { targetRegion: EAST, ...FAST, timeoutMs: 600_000 });
    const calls = probe.callTotal - start;
    for (let n = 1; n <= calls; n++) {
      const cloud = await afterDetach();
      cloud.failCall(n, 'AccessDeniedException');
      const options = { targetRegion: EAST, ...FAST, timeoutMs: 600_000, retryBudgetMs: 0 };
      const first = await rebuild(cloud, inEast, options);
      const second = first.outcome === 'succeeded' ? first : await rebuild(cloud, inEast, options);
      expect({ n, second: second.outcome === 'succeeded' || /nothing to rebuild/.test(second.reason!) }).toEqual({ n, second: true });
      expect(cloud.writer()).toBe(arnOf(WEST));
      expect(cloud.members.find((m) => m.clusterArn === arnOf(EAST))).toMatchObject({ isWriter: false, synchronizationStatus: 'connected' });
      expect(cloud.calls.filter((c) => c.op === 'deleteCluster' && !c.failed)).toHaveLength(1);
    }
  });

  test('refuses in the Region that serves traffic: its cluster is the data', async () => {
    const report = await rebuild(new FakeCloud(EAST), inEast, { targetRegion: EAST, ...FAST });
    expect(report).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^us-east-1 serves traffic: its cluster is the data/) });
  });

  test('refuses a Region that is already a connected secondary of the serving one, and one whose stack publishes no spec', async () => {
    const cloud = new FakeCloud(WEST);
    cloud.routing.states.set(controlOf(EAST), 'Off');
    cloud.routing.states.set(controlOf(WEST), 'On');
    expect(await rebuild(cloud, inEast, { targetRegion: EAST, ...FAST })).toMatchObject({
      outcome: 'refused', reason: expect.stringMatching(/^us-east-1 is already a connected secondary of us-west-2's cluster: nothing to rebuild/),
    });
    const detached = await afterDetach();
    expect(await rebuild(detached, TOPOLOGY, { targetRegion: EAST, ...FAST })).toMatchObject({
      outcome: 'refused', reason: expect.stringMatching(/^us-east-1 publishes no spec of its cluster orders-us-east-1 to re-create it from: redeploy/),
    });
    expect(detached.calls.some((c) => ['remove', 'deleteCluster'].includes(c.op))).toBe(false);
  });
});

describe('the findings this release fixes: each test failed before it', () => {
  test('1. a failback after a detach is refused, naming the rebuild; nothing moves and no stale copy is routed', async () => {
    const cloud = await afterDetach();
    const before = changes(cloud).length;
    const report = await failback(cloud, TOPOLOGY, { targetRegion: EAST, ...FAST });
    expect(report.outcome).toBe('refused');
    expect(report.reason).toMatch(/^traffic goes to us-west-2, whose cluster was detached from global database 'orders' .* every member of the global database is a stale copy/);
    expect(report.reason).toMatch(/Rebuild the other Regions \(us-east-1\) as secondaries of us-west-2's cluster first/);
    expect(changes(cloud)).toHaveLength(before);
    expect(routingOf(cloud)).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
    // A switchover to the stale global cluster's writer Region, and a failover there, are refused the same way.
    for (const run of [switchover, failover]) {
      const other = await run(cloud, TOPOLOGY, { targetRegion: EAST, ...LOSSY });
      expect(other).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^traffic goes to us-west-2, whose cluster was detached/) });
    }
    expect(routingOf(cloud)).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
  });

  test('1b. (found by the property test) after a detach, an unreachable global database does not open the way to a stale copy', async () => {
    const cloud = await afterDetach();
    cloud.fail('describe', 'TimeoutError: connect ETIMEDOUT', 1000);
    const report = await failover(cloud, TOPOLOGY, { targetRegion: EAST, ...LOSSY, allowDetach: true, retryBudgetMs: 3000 });
    expect(report).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^traffic goes to us-west-2, whose cluster was detached/) });
    expect(routingOf(cloud)).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
  });

  test('2a. a throttled FailoverGlobalCluster is retried, never answered with a detach', async () => {
    const cloud = new FakeCloud(EAST).fail('failover', 'ThrottlingException: Rate exceeded', 3);
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY, allowDetach: true });
    expect(report.outcome).toBe('succeeded');
    expect(cloud.calls.filter((c) => c.op === 'failover').map((c) => c.failed === true)).toEqual([true, true, true, false]);
    expect(cloud.calls.some((c) => c.op === 'detach')).toBe(false);
    expect(cloud.writer()).toBe(arnOf(WEST));
  });

  test('2b. an operation already in progress is named, not answered with a detach, even with AllowDetach', async () => {
    const cloud = new FakeCloud(EAST);
    // Another failover (the console, another run) starts between this run's routing and its promotion.
    const route = RUNBOOKS.failover.find((s) => s.name === 'RouteTraffic')!;
    const promote = RUNBOOKS.failover.find((s) => s.name === 'PromoteTarget')!;
    const ctx = { cloud, topology: TOPOLOGY, localRegion: WEST, input: { targetRegion: WEST, allowDataLoss: true, allowDetach: true } };
    await route.run!(ctx);
    cloud.failoverState = { status: 'failing-over', fromClusterArn: arnOf(EAST), toClusterArn: 'arn:aws:rds:eu-west-1:111111111111:cluster:orders-eu-west-1' };
    await expect(promote.run!(ctx)).rejects.toThrow(/^a failing-over of global database 'orders' from us-east-1 to arn:aws:rds:eu-west-1.* is in progress \(not started by this run\): this run does not promote/);
    expect(cloud.calls.some((c) => c.op === 'detach' || c.op === 'failover')).toBe(false);
  });

  test('2c. without AllowDetach, an unreachable global database is refused in pre-flight; with it, the detach warns to fence the old writer', async () => {
    const unreachable = () => new FakeCloud(EAST).fail('describe', 'TimeoutError: connect ETIMEDOUT rds.us-west-2.amazonaws.com', 1000);
    const cloud = unreachable();
    const refused = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY, retryBudgetMs: 5000 });
    expect(refused).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^the global database cannot be described from us-west-2 .* with AllowDetach=true to detach and promote us-west-2/) });
    expect(changes(cloud)).toEqual([]);

    const allowed = unreachable();
    const report = await failover(allowed, TOPOLOGY, { targetRegion: WEST, ...LOSSY, allowDetach: true, retryBudgetMs: 5000 });
    expect(report.outcome).toBe('succeeded');
    expect(changes(allowed)).toEqual(['detach orders-us-west-2', 'routing update']);
    expect(report.warnings).toEqual([expect.stringMatching(/^us-west-2 was detached from global database 'orders' and promoted on its own: .* was not fenced .* Fence it now/)]);
  });

  test('2d. a FailoverGlobalCluster refused for a reason that will not pass detaches only with AllowDetach', async () => {
    const without = new FakeCloud(EAST).fail('failover', 'InvalidGlobalClusterStateFault: cannot fail over', 10);
    expect((await failover(without, TOPOLOGY, { targetRegion: WEST, ...LOSSY })).outcome).toBe('failed');
    expect(without.calls.some((c) => c.op === 'detach')).toBe(false);
    const withDetach = new FakeCloud(EAST).fail('failover', 'InvalidGlobalClusterStateFault: cannot fail over', 10);
    const report = await failover(withDetach, TOPOLOGY, { targetRegion: WEST, ...LOSSY, allowDetach: true });
    expect(report.outcome).toBe('succeeded');
    expect(report.steps[4].detail).toBe(`FailoverGlobalCluster was refused (InvalidGlobalClusterStateFault: cannot fail over); AllowDetach is true: detached ${arnOf(WEST)} to promote it`);
    expect(report.warnings![0]).toMatch(new RegExp(`the old writer in us-east-1 \\(${arnOf(EAST)}\\) was not fenced`));
  });

  test('3. two failovers started at once in two Regions: the later one is refused in pre-flight, naming the other', async () => {
    const cloud = new FakeCloud('eu-west-1', ['eu-west-1', EAST, WEST]);
    cloud.lagMs.set('orders-us-east-1', 500);
    const three = { ...TOPOLOGY, regions: [{ ...TOPOLOGY.regions[0], region: 'eu-west-1', clusterIdentifier: 'orders-eu-west-1', clusterArn: arnOf('eu-west-1'), routingControlArn: controlOf('eu-west-1') }, ...TOPOLOGY.regions] };
    const a = cloud.startExecution(EAST, 'orders-Failover', 'aaaa-east');
    cloud.advance(1000);
    const b = cloud.startExecution(WEST, 'orders-Failover', 'bbbb-west');
    const runA = new RunbookRun('failover', cloud.from(EAST), three, { targetRegion: EAST, ...LOSSY, executionId: a.executionId });
    const runB = new RunbookRun('failover', cloud.from(WEST), three, { targetRegion: WEST, ...LOSSY, executionId: b.executionId });
    // Both pre-flights run before either moves on.
    a.currentStep = 'Preflight';
    b.currentStep = 'Preflight';
    await runB.step();
    await runA.step();
    expect(runB.report()).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^another run of this deployment is under way: orders-Failover, execution aaaa-east in us-east-1/) });
    b.ended = true;
    while (!runA.done) {
      a.currentStep = runA.currentStep!.name;
      await runA.step();
    }
    expect(runA.report().outcome).toBe('succeeded');
    expect(cloud.calls.filter((c) => c.op === 'failover')).toEqual([{ op: 'failover', arg: arnOf(EAST) }]);
  });

  test('3b. a run past its pre-flight refuses a run started after it, wherever it was started', async () => {
    const cloud = new FakeCloud(EAST);
    const first = cloud.startExecution(WEST, 'orders-Switchover', 'first');
    first.currentStep = 'Approve';
    cloud.advance(1);
    cloud.startExecution(EAST, 'orders-Failback', 'second');
    const report = await failback(cloud, TOPOLOGY, { targetRegion: EAST, ...FAST, executionId: 'second' });
    expect(report).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/orders-Switchover, execution first in us-west-2 \(InProgress, at step Approve, started .*\)\. Only one run/) });
  });

  test('4. the data-loss window is read at the promotion, not in a pre-flight an hour earlier, and an old data point is still found', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.lagMs.set('orders-us-west-2', 800);
    const report = await failover(cloud, TOPOLOGY, {
      targetRegion: WEST,
      ...LOSSY,
      requireApproval: true,
      approvers: ['arn:aws:iam::111111111111:role/oncall'],
      approve: async () => {
        // The primary Region went dark during the approval; the last data point is 3 hours old by now.
        cloud.lagMs.set('orders-us-west-2', 42_000);
        cloud.lagAt.set('orders-us-west-2', cloud.now());
        cloud.advance(3 * 3600_000);
        return true;
      },
    });
    expect(report).toMatchObject({ outcome: 'succeeded', dataLossWindowMs: 42_000, dataLossMeasuredAt: 1_000_000 });
    expect(report.steps.find((s) => s.name === 'promote the target')!.detail).toMatch(/RPO lag 42000 ms, measured 10800 s ago before the call$/);
  });

  test.each<[string, (c: FakeCloud) => void, RegExp]>([
    ['its key is unusable', (c) => c.clusterStatuses.set(arnOf(WEST), 'inaccessible-encryption-credentials'),
      /the target cluster orders-us-west-2 is inaccessible-encryption-credentials, not available: it cannot use its KMS key/],
    ['it is stopped', (c) => c.clusterStatuses.set(arnOf(WEST), 'stopped'), /is stopped, not available: it is stopped: start it \(aws rds start-db-cluster/],
    ['its key is disabled', (c) => c.keyStates.set(keyOf(WEST), 'Disabled'), /the KMS key of the target cluster \(.*\) is Disabled, not Enabled/],
    ['no instance can become writer', (c) => c.instances.set(arnOf(WEST), [{ identifier: 'w1', status: 'failed' }]), /no instance of the target cluster orders-us-west-2 can become writer \(w1 failed\)/],
  ])('5. pre-flight checks the target\'s health, not its existence: refused when %s, before traffic moves', async (_t, arrange, reason) => {
    for (const run of [failover, switchover]) {
      const cloud = new FakeCloud(EAST);
      arrange(cloud);
      const report = await run(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY });
      expect(report).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(reason) });
      expect(changes(cloud)).toEqual([]);
    }
  });

  test('5b. a headless target gets a writer instance, waited for before anything moves, with the time in the report', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.instances.set(arnOf(WEST), []);
    cloud.transitionPolls = 5;
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY });
    expect(report.outcome).toBe('succeeded');
    expect(changes(cloud)[0]).toBe('addInstance orders-us-west-2');
    expect(report.steps[1]).toMatchObject({ status: 'done', detail: `the target cluster was headless: added writer instance ${addedInstanceIdentifier('orders-us-west-2')} (db.serverless)` });
    expect(report.steps[2]).toMatchObject({ status: 'done', durationMs: 5000 });
    expect(report.warnings![0]).toMatch(/was added to orders-us-west-2 by this run; the stack does not know it/);
  });

  test('6. one hung ARC endpoint is paid for once per run, not once per call', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.routing.failOn(ENDPOINTS[0].region);
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY });
    expect(report.outcome).toBe('succeeded');
    const first = cloud.routing.calls.filter((c) => c.endpoint === ENDPOINTS[0].region);
    // The first read tries the hung endpoint (every control at once); every later call starts at the one that answered.
    expect(first.length).toBeLessThanOrEqual(2);
    expect(cloud.routing.calls.filter((c) => c.endpoint !== ENDPOINTS[0].region).length).toBeGreaterThan(4);
  });
});

describe('refusals every runbook shares', () => {
  const runs = {
    switchover: (cloud: FakeCloud, extra = {}) => switchover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST, ...extra }),
    failover: (cloud: FakeCloud, extra = {}) => failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY, ...extra }),
    failback: (cloud: FakeCloud, extra = {}) => failback(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST, ...extra }),
  };

  test.each(Object.entries(runs))('%s refuses to run from a Region other than the target', async (_name, run) => {
    const cloud = new FakeCloud(EAST);
    const report = await run(cloud, { localRegion: EAST });
    expect(report.outcome).toBe('refused');
    expect(report.reason).toBe('this runbook runs in us-east-1 but TargetRegion is us-west-2: start it in us-west-2, ' +
      'the Region being activated, so that it never depends on the Region being left');
    expect(changes(cloud)).toEqual([]);
  });

  test.each(Object.entries(runs))('%s refuses when the credentials secret has no replica in the target Region', async (_name, run) => {
    const cloud = new FakeCloud(EAST);
    cloud.secretPresent = false;
    const report = await run(cloud);
    expect(report).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^the database secret 'orders-aurora-master' has no usable replica in us-west-2/) });
    expect(routingOf(cloud)).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
  });

  test.each(Object.entries(runs))('%s refuses RequireApproval without approvers', async (_name, run) => {
    const report = await run(new FakeCloud(EAST), { requireApproval: true, approvers: [] });
    expect(report).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^RequireApproval is true but Approvers is empty/) });
  });

  test.each(Object.entries(runs))('%s refuses while another run of the deployment is under way in any Region', async (_name, run) => {
    const cloud = new FakeCloud(EAST);
    cloud.startExecution(EAST, 'orders-Switchover', 'other-run');
    const report = await run(cloud);
    expect(report).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^another run of this deployment is under way: orders-Switchover, execution other-run in us-east-1/) });
    expect(changes(cloud)).toEqual([]);
  });

  test.each(Object.entries(runs))('%s names the Regions that could not be asked for runs under way, and goes on', async (_name, run) => {
    const cloud = new FakeCloud(EAST);
    cloud.fail('executions', 'TimeoutError: us-east-1 does not answer', 100);
    const report = await run(cloud, { localRegion: WEST, retryBudgetMs: 0 });
    // The own Region's SSM must answer: here it is the fault that stops the run.
    expect(report.reason).toMatch(/cannot tell whether another run of this deployment is under way: SSM in us-west-2, where this run runs, did not answer/);
  });

  test('failover refuses without AllowDataLoss, before any AWS call, naming the switchover runbook as the lossless choice', async () => {
    const cloud = new FakeCloud(EAST);
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST });
    expect(report.outcome).toBe('refused');
    expect(report.reason).toMatch(/^AllowDataLoss is not true: .* run the switchover runbook when both Regions are healthy$/);
    expect(report.steps).toHaveLength(1);
    expect(cloud.calls).toEqual([]);
  });
});

describe('a Region that cannot be asked for runs under way', () => {
  test('is named in the report, and the run goes on', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.setDark(EAST, true);
    const report = await failover(cloud.from(WEST), TOPOLOGY, { targetRegion: WEST, ...LOSSY, retryBudgetMs: 0 });
    expect(report.outcome).toBe('succeeded');
    expect(report.warnings).toEqual([expect.stringMatching(/^could not ask us-east-1 for runs of this deployment under way \(.*\): a run started there would not be seen$/)]);
  });
});

describe('approval', () => {
  const approvers = ['arn:aws:iam::111111111111:role/oncall'];

  test('a rejected approval changes nothing', async () => {
    const cloud = new FakeCloud(EAST);
    const report = await switchover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST, requireApproval: true, approvers, approve: async () => false });
    expect(report.outcome).toBe('refused');
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([['pre-flight', 'done'], ['approval', 'failed']]);
    expect(cloud.writer()).toBe(arnOf(EAST));
    expect(changes(cloud)).toEqual([]);
  });

  test('comes after the pre-flight and before any change', async () => {
    const cloud = new FakeCloud(EAST);
    let seenWhenAsked: unknown;
    const report = await failover(cloud, TOPOLOGY, {
      targetRegion: WEST,
      ...LOSSY,
      requireApproval: true,
      approvers,
      approve: async () => {
        seenWhenAsked = { writer: cloud.writer(), routing: routingOf(cloud) };
        return true;
      },
    });
    expect(report.outcome).toBe('succeeded');
    expect(seenWhenAsked).toEqual({ writer: arnOf(EAST), routing: { [EAST]: 'On', [WEST]: 'Off' } });
    expect(report.steps[1]).toMatchObject({ name: 'approval', status: 'done', detail: `approved by one of ${approvers[0]}` });
  });
});

describe('wait steps in an SSM execution', () => {
  const wait = RUNBOOKS.switchover.find((s) => s.name === 'WaitForWriter')!;

  test('hand back with waiting when their poll window is over, and time out at the deadline', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.transitionPolls = 1000;
    await cloud.switchoverGlobalCluster('orders', arnOf(WEST));
    const input = { targetRegion: WEST, pollIntervalMs: 10_000, pollWindowMs: 180_000, waitTimeoutMs: 600_000, deadline: cloud.now() + 600_000 };
    const first = await wait.run!({ cloud, topology: TOPOLOGY, localRegion: WEST, input });
    expect(first).toEqual({ waiting: true, detail: 'still waiting until us-west-2 is the writer (last seen: switching-over in progress)' });
    expect(cloud.now() - 1_000_000).toBe(180_000);
    for (let i = 0; i < 2; i++) expect((await wait.run!({ cloud, topology: TOPOLOGY, localRegion: WEST, input })).waiting).toBe(true);
    await expect(wait.run!({ cloud, topology: TOPOLOGY, localRegion: WEST, input })).rejects.toThrow(
      'timed out after 600 s waiting until us-west-2 is the writer (last seen: switching-over in progress); run the runbook again to resume',
    );
  });

  test('a transient error while polling counts as "not yet", not as a failure', async () => {
    const cloud = new FakeCloud(EAST).fail('describe', 'ThrottlingException: Rate exceeded', 2);
    await cloud.switchoverGlobalCluster('orders', arnOf(WEST));
    const input = { targetRegion: WEST, pollIntervalMs: 1000, waitTimeoutMs: 60_000 };
    const result = await wait.run!({ cloud, topology: TOPOLOGY, localRegion: WEST, input });
    expect(result.detail).toMatch(/^us-west-2 is the writer \(polled for \d+ ms\)$/);
  });

  test('transient errors in a row double the time to the next poll, up to 8 intervals; an answer brings it back', async () => {
    const cloud = new FakeCloud(EAST).fail('describe', 'ThrottlingException: Rate exceeded', 4);
    cloud.transitionPolls = 6;
    const slept: number[] = [];
    const sleep = cloud.sleep.bind(cloud);
    cloud.sleep = async (ms: number) => {
      slept.push(ms);
      await sleep(ms);
    };
    await cloud.switchoverGlobalCluster('orders', arnOf(WEST));
    const input = { targetRegion: WEST, pollIntervalMs: 1000, waitTimeoutMs: 600_000 };
    const result = await wait.run!({ cloud, topology: TOPOLOGY, localRegion: WEST, input });
    expect(result.detail).toMatch(/^us-west-2 is the writer/);
    expect(slept.slice(0, 5)).toEqual([2000, 4000, 8000, 8000, 1000]);
  });

  test('the step after a wait that ran out refuses to act on a writer that has not moved', async () => {
    const cloud = new FakeCloud(EAST);
    const route = RUNBOOKS.switchover.find((s) => s.name === 'RouteTraffic')!;
    await expect(route.run!({ cloud, topology: TOPOLOGY, localRegion: WEST, input: { targetRegion: WEST } })).rejects.toThrow(
      `us-west-2 is not the writer yet (writer is ${arnOf(EAST)}); traffic stays where it is; run the runbook again to resume`,
    );
    expect(changes(cloud)).toEqual([]);
  });
});

describe('I5: a re-run converges after a failure at any call', () => {
  const cases: [RunbookName, string, string, Partial<RunbookOptions>][] = [
    ['switchover', EAST, WEST, {}],
    ['failover', EAST, WEST, { allowDataLoss: true }],
    ['failback', WEST, EAST, {}],
  ];

  test.each(cases.flatMap(([runbook, from, to, extra]) => ['AccessDeniedException', 'InternalFailure'].map((error) => ({ runbook, from, to, extra, error }))))(
    '$runbook, the failing call answering $error',
    async ({ runbook, from, to, extra, error }) => {
      const options = { targetRegion: to, ...FAST, ...extra, retryBudgetMs: 0 };
      const clean = new FakeCloud(from);
      expect((await runRunbook(runbook, clean, TOPOLOGY, options)).outcome).toBe('succeeded');
      const calls = clean.callTotal;
      expect(calls).toBeGreaterThan(5);
      for (let n = 1; n <= calls; n++) {
        const cloud = new FakeCloud(from).failCall(n, error);
        const first = await runRunbook(runbook, cloud, TOPOLOGY, options);
        const second = first.outcome === 'succeeded' ? first : await runRunbook(runbook, cloud, TOPOLOGY, options);
        // Converged: succeeded, or refused because everything was already done.
        expect({ n, converged: second.outcome === 'succeeded' || /already the writer and receives all traffic: nothing to do$/.test(second.reason!) })
          .toEqual({ n, converged: true });
        expect(cloud.writer()).toBe(arnOf(to));
        expect(routingOf(cloud)).toEqual({ [from]: 'Off', [to]: 'On' });
        // The database move happened once, however the first run ended, and never as a detach.
        expect(cloud.calls.filter((c) => ['switchover', 'failover', 'detach'].includes(c.op) && !c.failed)).toHaveLength(1);
        expect(cloud.calls.some((c) => c.op === 'detach')).toBe(false);
        expect(cloud.routing.calls.filter((c) => c.action === 'update')).toHaveLength(1);
      }
    },
  );
});
