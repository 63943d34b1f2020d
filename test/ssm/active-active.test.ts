import { arnOf, controlOf, FakeCloud, topologyOf } from './fake-cloud';
import { RunbookName, RunbookOptions, runRunbook } from '../../src/ssm/runbooks';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const EU = 'eu-west-1';
const REGIONS = [EAST, WEST, EU];
const TOPOLOGY = { ...topologyOf(REGIONS), activeActive: true };
const FAST = { pollIntervalMs: 1000, timeoutMs: 60_000 };

/** Three Regions, every control On, the writer in us-east-1. */
function activeActive(): FakeCloud {
  const cloud = new FakeCloud(EAST, REGIONS);
  for (const r of REGIONS) cloud.routing.states.set(controlOf(r), 'On');
  return cloud;
}

function routingOf(cloud: FakeCloud): Record<string, string | undefined> {
  return Object.fromEntries(REGIONS.map((r) => [r, cloud.routing.states.get(controlOf(r))]));
}

function run(runbook: RunbookName, cloud: FakeCloud, options: Partial<RunbookOptions> & { targetRegion: string }) {
  return runRunbook(runbook, cloud, TOPOLOGY, { ...FAST, ...options });
}

describe('the runbooks with active/active routing', () => {
  test('a switchover moves the writer and leaves every Region in service: no routing call', async () => {
    const cloud = activeActive();
    const report = await run('switchover', cloud, { targetRegion: WEST });
    expect(report.outcome).toBe('succeeded');
    expect(cloud.writer()).toBe(arnOf(WEST));
    expect(routingOf(cloud)).toEqual({ [EAST]: 'On', [WEST]: 'On', [EU]: 'On' });
    expect(cloud.routing.calls.filter((c) => c.action === 'update')).toHaveLength(0);
    expect(report.steps.find((s) => s.name === 'route traffic to the target')).toMatchObject({ status: 'skipped' });
    expect(report.steps.at(-1)!.detail).toBe(`${WEST} is the writer and serves traffic`);
  });

  test('a switchover to a Region out of service puts it back, the others as they were', async () => {
    const cloud = activeActive();
    cloud.routing.states.set(controlOf(EU), 'Off');
    expect((await run('switchover', cloud, { targetRegion: EU })).outcome).toBe('succeeded');
    expect(routingOf(cloud)).toEqual({ [EAST]: 'On', [WEST]: 'On', [EU]: 'On' });
  });

  test('a failover moves the writer and takes every other Region out of service, naming them for the restore', async () => {
    const cloud = activeActive();
    const report = await run('failover', cloud, { targetRegion: WEST, allowDataLoss: true });
    expect(report.outcome).toBe('succeeded');
    expect(routingOf(cloud)).toEqual({ [EAST]: 'Off', [WEST]: 'On', [EU]: 'Off' });
    expect(report.warnings).toEqual([expect.stringMatching(/^us-east-1, eu-west-1 were taken out of service with the failover: .*Restore runbook/)]);
  });

  test('a failover to the writer\'s Region changes nothing (an impaired Region without the writer is evacuated instead)', async () => {
    const cloud = activeActive();
    const report = await run('failover', cloud, { targetRegion: EAST, allowDataLoss: true });
    expect(report).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^us-east-1 is already the writer and serves traffic: .*run the Evacuate runbook from us-east-1: nothing to do$/) });
    expect(routingOf(cloud)).toEqual({ [EAST]: 'On', [WEST]: 'On', [EU]: 'On' });
    expect(cloud.routing.calls.filter((c) => c.action === 'update')).toHaveLength(0);
  });

  test('after a failover, a restore puts back a connected member in sync, and refuses the old writer until it has rejoined', async () => {
    const cloud = activeActive();
    cloud.rejoinPolls = 50;
    await run('failover', cloud, { targetRegion: WEST, allowDataLoss: true });
    const eu = await run('restore', cloud, { targetRegion: EU });
    expect(eu.outcome).toBe('succeeded');
    expect(eu.steps.map((s) => [s.name, s.status])).toEqual([
      ['pre-flight', 'done'], ['put the Region back into service', 'done'], ['verify', 'done'],
    ]);
    const east = await run('restore', cloud, { targetRegion: EAST });
    expect(east).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^us-east-1 is not in sync \(synchronization status pending-resync\)/) });
    expect(routingOf(cloud)).toEqual({ [EAST]: 'Off', [WEST]: 'On', [EU]: 'On' });
  });

  test('evacuating the writer\'s Region: the writer moves to the Region the run happens in first, then the Region is turned Off', async () => {
    const cloud = activeActive();
    // Routing may change only once the writer has left.
    const update = cloud.routing.updateRoutingControlStates.bind(cloud.routing);
    const writerWhenRouted: (string | undefined)[] = [];
    cloud.routing.updateRoutingControlStates = async (ep, entries) => {
      writerWhenRouted.push(cloud.writer());
      return update(ep, entries);
    };
    const report = await run('evacuate', cloud, { targetRegion: EAST, localRegion: WEST });
    expect(report.outcome).toBe('succeeded');
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['pre-flight', 'done'],
      ['move the writer to this Region if the Region taken out holds it', 'done'],
      ['wait until the writer has left the Region taken out', 'done'],
      ['take the Region out of service', 'done'],
      ['verify', 'done'],
    ]);
    expect(cloud.writer()).toBe(arnOf(WEST));
    expect(writerWhenRouted).toEqual([arnOf(WEST)]);
    expect(routingOf(cloud)).toEqual({ [EAST]: 'Off', [WEST]: 'On', [EU]: 'On' });
    expect(cloud.calls.filter((c) => c.op === 'switchover' && !c.failed).map((c) => c.arg)).toEqual([arnOf(WEST)]);
  });

  test('evacuating a Region without the writer changes routing only', async () => {
    const cloud = activeActive();
    const report = await run('evacuate', cloud, { targetRegion: EU, localRegion: WEST });
    expect(report.outcome).toBe('succeeded');
    expect(report.steps[1]).toMatchObject({ status: 'skipped', detail: `the writer is in ${EAST}, not in ${EU}: it stays` });
    expect(cloud.writer()).toBe(arnOf(EAST));
    expect(routingOf(cloud)).toEqual({ [EAST]: 'On', [WEST]: 'On', [EU]: 'Off' });
    expect(cloud.calls.some((c) => c.op === 'switchover')).toBe(false);
  });

  test('then restoring it puts it back, and a second restore has nothing to do', async () => {
    const cloud = activeActive();
    await run('evacuate', cloud, { targetRegion: EU, localRegion: WEST });
    expect((await run('restore', cloud, { targetRegion: EU })).outcome).toBe('succeeded');
    expect(routingOf(cloud)).toEqual({ [EAST]: 'On', [WEST]: 'On', [EU]: 'On' });
    expect(await run('restore', cloud, { targetRegion: EU })).toMatchObject({
      outcome: 'refused', reason: `${EU} is already in service (its routing control is On): nothing to do`,
    });
  });

  test.each<[string, (cloud: FakeCloud) => void, Partial<RunbookOptions> & { targetRegion: string }, RegExp]>([
    ['the last Region in service', (c) => {
      c.routing.states.set(controlOf(WEST), 'Off');
      c.routing.states.set(controlOf(EU), 'Off');
    }, { targetRegion: EAST, localRegion: WEST }, /^us-east-1 is the last Region in service: taking it out would leave none/],
    ['a run started in the Region it takes out', () => {}, { targetRegion: EAST, localRegion: EAST },
      /^this evacuation of us-east-1 runs in us-east-1: start it in a Region that stays in service \(us-west-2, eu-west-1\)/],
    ['a run started in a Region out of service', (c) => c.routing.states.set(controlOf(WEST), 'Off'), { targetRegion: EU, localRegion: WEST },
      /^us-west-2, where this run happens, is not in service .*\(us-east-1\)$/],
    ['the writer\'s Region, with the Region that would take the writer lagging', (c) => c.lagMs.set(`orders-${WEST}`, 90_000),
      { targetRegion: EAST, localRegion: WEST }, /^us-west-2 lags 90000 ms behind the writer, over the 30000 ms allowed/],
    ['a Region already out of service', (c) => c.routing.states.set(controlOf(EU), 'Off'), { targetRegion: EU, localRegion: WEST },
      /^eu-west-1 is already out of service .*: nothing to do$/],
  ])('evacuate refuses %s, changing nothing', async (_title, setUp, options, reason) => {
    const cloud = activeActive();
    setUp(cloud);
    const before = routingOf(cloud);
    const report = await run('evacuate', cloud, options);
    expect(report).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(reason) });
    expect(routingOf(cloud)).toEqual(before);
    expect(cloud.writer()).toBe(arnOf(EAST));
    expect(cloud.routing.calls.filter((c) => c.action === 'update')).toHaveLength(0);
  });

  test.each<[string, (cloud: FakeCloud) => void, RegExp]>([
    ['a member that lags', (c) => c.lagMs.set(`orders-${EU}`, 90_000), /^eu-west-1 lags 90000 ms behind the writer/],
    ['a cluster outside the global database', (c) => {
      c.members = c.members.filter((m) => m.clusterArn !== arnOf(EU));
    }, /is not a member of global cluster 'orders': it is a detached copy, not the data/],
    ['a cluster with no instance to serve from', (c) => c.instances.set(arnOf(EU), []), /has no available instance to serve from .*headless: false/],
  ])('restore refuses %s, changing nothing', async (_title, setUp, reason) => {
    const cloud = activeActive();
    cloud.routing.states.set(controlOf(EU), 'Off');
    setUp(cloud);
    const report = await run('restore', cloud, { targetRegion: EU });
    expect(report).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(reason) });
    expect(routingOf(cloud)[EU]).toBe('Off');
  });

  test.each<RunbookName>(['evacuate', 'restore'])('%s is refused on routing that serves one Region at a time', async (runbook) => {
    const cloud = new FakeCloud(EAST, REGIONS);
    const report = await runRunbook(runbook, cloud, topologyOf(REGIONS), { ...FAST, targetRegion: EU, localRegion: runbook === 'evacuate' ? WEST : EU });
    expect(report).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^the \w+ runbook is for active\/active routing/) });
  });
});

describe('I5 with active/active routing: a re-run converges after a failure at any call', () => {
  const cases: [RunbookName, string, string, (c: FakeCloud) => void, (c: FakeCloud) => void][] = [
    ['evacuate', EAST, WEST, () => {}, (c) => {
      expect(c.writer()).toBe(arnOf(WEST));
      expect(routingOf(c)).toEqual({ [EAST]: 'Off', [WEST]: 'On', [EU]: 'On' });
    }],
    ['restore', EU, EU, (c) => c.routing.states.set(controlOf(EU), 'Off'), (c) => {
      expect(c.writer()).toBe(arnOf(EAST));
      expect(routingOf(c)).toEqual({ [EAST]: 'On', [WEST]: 'On', [EU]: 'On' });
    }],
    ['switchover', WEST, WEST, () => {}, (c) => {
      expect(c.writer()).toBe(arnOf(WEST));
      expect(routingOf(c)).toEqual({ [EAST]: 'On', [WEST]: 'On', [EU]: 'On' });
    }],
  ];

  test.each(cases.flatMap(([runbook, target, local, setUp, check]) =>
    ['AccessDeniedException', 'InternalFailure'].map((error) => ({ runbook, target, local, setUp, check, error }))))(
    '$runbook, the failing call answering $error',
    async ({ runbook, target, local, setUp, check, error }) => {
      const options = { targetRegion: target, localRegion: local, retryBudgetMs: 0 };
      const clean = activeActive();
      setUp(clean);
      expect((await run(runbook, clean, options)).outcome).toBe('succeeded');
      const calls = clean.callTotal;
      expect(calls).toBeGreaterThan(5);
      for (let n = 1; n <= calls; n++) {
        const cloud = activeActive();
        setUp(cloud);
        cloud.failCall(n, error);
        const first = await run(runbook, cloud, options);
        const second = first.outcome === 'succeeded' ? first : await run(runbook, cloud, options);
        expect({ n, converged: second.outcome === 'succeeded' || /nothing to do$/.test(second.reason!) }).toEqual({ n, converged: true });
        check(cloud);
        expect(cloud.calls.filter((c) => ['switchover', 'failover', 'detach'].includes(c.op) && !c.failed).length).toBeLessThanOrEqual(1);
      }
    },
  );
});
