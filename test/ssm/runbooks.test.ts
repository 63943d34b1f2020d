import { arnOf, controlOf, FakeCloud, TOPOLOGY } from './fake-cloud';
import { failback, failover, RunbookName, RunbookOptions, RUNBOOKS, runRunbook, switchover } from '../../src/ssm/runbooks';
import { ENDPOINTS } from '../arc/fake-data-plane';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const FAST = { pollIntervalMs: 1000, timeoutMs: 60_000 };
const LOSSY = { ...FAST, allowDataLoss: true };

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
    expect(first.reason).toMatch(/^timed out after 5 s waiting until us-west-2 is the writer \(last seen: switching-over in progress\); run the runbook again to resume$/);
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
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY });
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
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY });
    expect(report.outcome).toBe('succeeded');
    expect(report.steps[2].detail).toBe(`FailoverGlobalCluster failed (InvalidGlobalClusterStateFault); detached ${arnOf(WEST)} to promote it`);
    expect(cloud.members.map((m) => m.clusterArn)).toEqual([arnOf(EAST)]);
    expect(report.steps[4].detail).toBe('us-west-2 is a stand-alone writable cluster and receives all traffic');
  });

  test('when the global cluster cannot be described, detaches and promotes the target', async () => {
    // Unreachable for the pre-flight and the promote step, reachable again afterwards.
    const cloud = new FakeCloud(EAST).fail('describe', 'getaddrinfo ENOTFOUND rds.us-west-2.amazonaws.com', 2);
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY });
    expect(report.outcome).toBe('succeeded');
    expect(report.steps[0].detail).toMatch(/global cluster unreachable: will detach and promote/);
    expect(cloud.calls.some((c) => c.op === 'failover')).toBe(false);
    expect(cloud.calls.some((c) => c.op === 'detach' && c.arg === arnOf(WEST))).toBe(true);
  });

  test('when the global cluster stays unreachable, the promote step\'s detach carries the run to the end', async () => {
    const cloud = new FakeCloud(EAST).fail('describe', 'getaddrinfo ENOTFOUND rds.us-west-2.amazonaws.com', 1000);
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY });
    expect(report.outcome).toBe('succeeded');
    expect(report.steps.map((s) => s.detail)).toEqual([
      'ARC data plane reachable; global cluster unreachable: will detach and promote; last RPO lag 800 ms',
      'us-west-2 On, every other Region Off, in one UpdateRoutingControlStates call',
      `global cluster unreachable (getaddrinfo ENOTFOUND rds.us-west-2.amazonaws.com); detached ${arnOf(WEST)} to promote it`,
      'stand-alone cluster available (polled for 2000 ms)',
      'us-west-2 is a stand-alone writable cluster and receives all traffic',
    ]);
  });

  test('refuses when the ARC data plane is unreachable on all five endpoints, before touching the database', async () => {
    const cloud = new FakeCloud(EAST);
    cloud.routing.failOn(...ENDPOINTS.map((e) => e.region));
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY });
    expect(report.outcome).toBe('refused');
    expect(report.reason).toMatch(/^the ARC data plane is unreachable/);
    expect(cloud.calls.some((c) => ['failover', 'detach', 'switchover'].includes(c.op))).toBe(false);
  });

  test('a re-run after a failure while promoting converges: routing is not flipped twice', async () => {
    const cloud = new FakeCloud(EAST).fail('failover', 'Throttling', 1).fail('detach', 'Throttling', 1);
    const first = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY });
    expect(first.outcome).toBe('failed');
    expect(first.steps.map((s) => s.status)).toEqual(['done', 'done', 'failed']);
    expect(routingOf(cloud)).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
    const second = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...LOSSY });
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
    const first = await failover(cloud, TOPOLOGY, { targetRegion: WEST, allowDataLoss: true, pollIntervalMs: 1000, timeoutMs: 3000 });
    expect(first.outcome).toBe('failed');
    const second = await failover(cloud, TOPOLOGY, { targetRegion: WEST, allowDataLoss: true, pollIntervalMs: 1000, timeoutMs: 1_000_000 });
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
      ['pre-flight', 'done'],
      ['wait until the old primary has rejoined and caught up', 'done'],
      ['check the target is in sync', 'done'],
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
    expect(cloud.calls.some((c) => ['switchover', 'failover', 'detach'].includes(c.op))).toBe(false);
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

  test('failover refuses without AllowDataLoss, naming the switchover runbook as the lossless choice', async () => {
    const cloud = new FakeCloud(EAST);
    const report = await failover(cloud, TOPOLOGY, { targetRegion: WEST, ...FAST });
    expect(report.outcome).toBe('refused');
    expect(report.reason).toMatch(/^AllowDataLoss is not true: .* run the switchover runbook when both Regions are healthy$/);
    expect(report.steps).toHaveLength(1);
    expect(cloud.routing.calls).toEqual([]);
    expect(cloud.calls.some((c) => c.op !== 'secret' && c.op !== 'describe')).toBe(false);
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
    expect(cloud.routing.calls.filter((c) => c.action === 'update')).toEqual([]);
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

  test('the step after a wait that ran out refuses to act on a writer that has not moved', async () => {
    const cloud = new FakeCloud(EAST);
    const route = RUNBOOKS.switchover.find((s) => s.name === 'RouteTraffic')!;
    await expect(route.run!({ cloud, topology: TOPOLOGY, localRegion: WEST, input: { targetRegion: WEST } })).rejects.toThrow(
      `us-west-2 is not the writer yet (writer is ${arnOf(EAST)}); traffic stays where it is; run the runbook again to resume`,
    );
    expect(cloud.routing.calls.filter((c) => c.action === 'update')).toEqual([]);
  });
});

describe('a re-run converges after a failure at any call', () => {
  const cases: [RunbookName, string, string, Partial<RunbookOptions>][] = [
    ['switchover', EAST, WEST, {}],
    ['failover', EAST, WEST, { allowDataLoss: true }],
    ['failback', WEST, EAST, {}],
  ];

  test.each(cases)('%s', async (runbook, from, to, extra) => {
    const options = { targetRegion: to, ...FAST, ...extra };
    const clean = new FakeCloud(from);
    expect((await runRunbook(runbook, clean, TOPOLOGY, options)).outcome).toBe('succeeded');
    const calls = clean.callTotal;
    expect(calls).toBeGreaterThan(5);
    for (let n = 1; n <= calls; n++) {
      const cloud = new FakeCloud(from).failCall(n);
      const first = await runRunbook(runbook, cloud, TOPOLOGY, options);
      const second = first.outcome === 'succeeded' ? first : await runRunbook(runbook, cloud, TOPOLOGY, options);
      // Converged: succeeded, or refused because everything was already done.
      expect({ n, converged: second.outcome === 'succeeded' || /already the writer and receives all traffic: nothing to do$/.test(second.reason!) })
        .toEqual({ n, converged: true });
      // The target takes writes: the writer, or (failover fallback) a detached, available cluster.
      const detached = !cloud.members.some((m) => m.clusterArn === arnOf(to));
      expect(detached ? cloud.clusterStatuses.get(arnOf(to)) : cloud.writer()).toBe(detached ? 'available' : arnOf(to));
      expect(routingOf(cloud)).toEqual({ [from]: 'Off', [to]: 'On' });
      // The database move happened once, however the first run ended.
      expect(cloud.calls.filter((c) => ['switchover', 'failover', 'detach'].includes(c.op) && !c.failed)).toHaveLength(1);
      expect(cloud.routing.calls.filter((c) => c.action === 'update')).toHaveLength(1);
    }
  });
});
