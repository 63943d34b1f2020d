/**
 * The runbooks' invariants as properties: random schedules of runbook steps from up to
 * two runs started in different Regions, interleaved with application writes,
 * replication, time passing, faults at any AWS call, Regions going dark and coming back,
 * and Aurora re-adding an old primary after a managed failover. The state is checked
 * after every action, and at every change the runbooks make:
 *
 * - I1 routing follows the data: every routed Region whose cluster takes writes holds
 *   every acknowledged write, except those a failover declared lost; no write is ever
 *   acknowledged by a stale copy.
 * - I2 no silent split brain: a detach only in a run with AllowDetach, and never while a
 *   failover or switchover is in progress.
 * - I3 a switchover only to a connected member of the writer's data, caught up within
 *   the lag threshold.
 * - I4 one run at a time: a run changes nothing while another run that has changed
 *   something is still under way, unless that run's Region could not be asked.
 * - I5 convergence: a run that left traffic on a cluster that takes no writes is finished
 *   by starting it again once the faults are gone.
 */
import * as fc from 'fast-check';
import { convergence, play, scenario, Scenario, World, Action } from './invariant-model';

describe('the runbooks\' invariants over random schedules, faults and two concurrent runs', () => {
  beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => {}));
  afterEach(() => jest.restoreAllMocks());

  test('I1-I5 hold after every action', async () => {
    const seed = Number(process.env.INVARIANTS_SEED ?? Date.now() % 2_147_483_647);
    const numRuns = Number(process.env.INVARIANTS_RUNS ?? 3000);
    const stats = { detached: 0, failedOver: 0, switchedOver: 0, refused: 0, rebuilt: 0, activeActive: 0, evacuated: 0, restored: 0 };
    await fc.assert(fc.asyncProperty(scenario, async (s) => {
      const world = await play(s);
      await convergence(world);
      const ops = world.cloud.calls.filter((c) => !c.failed).map((c) => c.op);
      if (ops.includes('detach')) stats.detached++;
      if (ops.includes('failover')) stats.failedOver++;
      if (ops.includes('switchover')) stats.switchedOver++;
      if (ops.includes('createCluster')) stats.rebuilt++;
      if (world.live.some((l) => l?.run.report().outcome === 'refused')) stats.refused++;
      if (s.activeActive) stats.activeActive++;
      const succeeded = (runbook: string) => world.live.some((l) => l?.spec.runbook === runbook && l.run.report().outcome === 'succeeded');
      if (succeeded('evacuate')) stats.evacuated++;
      if (succeeded('restore')) stats.restored++;
    }), { seed, numRuns, endOnFailure: true });
    // The schedules reach what the invariants are about: each kind of move, and refusals.
    expect(stats.failedOver).toBeGreaterThan(numRuns / 20);
    expect(stats.switchedOver).toBeGreaterThan(numRuns / 40);
    expect(stats.refused).toBeGreaterThan(numRuns / 20);
    expect(stats.detached).toBeGreaterThan(0);
    // Active/active: about half the schedules, with Regions taken out of service and put back.
    expect(stats.activeActive).toBeGreaterThan(numRuns / 4);
    expect(stats.evacuated).toBeGreaterThan(numRuns / 120);
    expect(stats.restored).toBeGreaterThan(0);
    process.stdout.write(`invariants: ${numRuns} schedules, seed ${seed}: ${JSON.stringify(stats)}\n`);
  }, 120_000);

  test('a detach-and-promote, then a failback: the failback is refused and no write lands on the stale copy', async () => {
    const s: Scenario = {
      regions: 2,
      transitionPolls: 1,
      rejoinPolls: 1,
      runs: [{ runbook: 'failover', target: 1, allowDetach: true, afterPrevious: false }, { runbook: 'failback', target: 0, allowDetach: false, afterPrevious: false }],
      actions: [
        { kind: 'write', count: 1 }, { kind: 'replicate' }, { kind: 'write', count: 1 },
        { kind: 'fault', op: 'failover', error: 'InvalidGlobalClusterStateFault', times: 6 },
        ...Array.from({ length: 10 }, () => [{ kind: 'step', run: 0 } as Action, { kind: 'tick', ms: 1000 } as Action]).flat(),
        { kind: 'write', count: 2 }, { kind: 'start', run: 1 },
        ...Array.from({ length: 12 }, () => [{ kind: 'step', run: 1 } as Action, { kind: 'write', count: 1 } as Action, { kind: 'tick', ms: 1000 } as Action]).flat(),
      ],
    };
    const world = await play(s);
    expect(world.cloud.calls.filter((c) => c.op === 'detach' && !c.failed)).toHaveLength(1);
    expect(world.live[1]!.run.report()).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^traffic goes to us-west-2, whose cluster was detached/) });
  });

  test('with active/active routing, the model catches a member of a stale global database left in service', async () => {
    // After a detach-and-promote, the detached copy takes writes; eu-west-1, a member of the stale global database, still serves.
    const world = new World({ regions: 3, activeActive: true, transitionPolls: 1, rejoinPolls: 1, runs: [], actions: [] });
    world.cloud.beforeChange = undefined;
    const [east, west] = world.topology.regions;
    await world.cloud.detachFromGlobalCluster('orders', west.clusterArn);
    world.cloud.advance(1000);
    world.cloud.routing.states.set(east.routingControlArn, 'Off');
    // The old writer's Region is dark: eu-west-1 cannot forward, so only the detached copy acknowledges a write.
    world.cloud.setDark(east.region, true);
    expect(() => world.write()).not.toThrow();
    expect(() => world.checkState()).toThrow(/^I1: routing goes to eu-west-1, member\(s\) of a global database that lacks acknowledged writes 1 held by a detached copy/);
    // Once it answers again, a write forwarded to the stale writer is caught as it is acknowledged.
    world.cloud.setDark(east.region, false);
    expect(() => world.write()).toThrow(/^I1: a write forwarded from eu-west-1 was about to be acknowledged by us-east-1, a writable copy missing acknowledged writes 1/);
  });

  test('the model catches a runbook that breaks an invariant', async () => {
    // A world whose routing goes to the stale global writer after a detach: I1 must fire.
    const world = new World({ regions: 2, transitionPolls: 1, rejoinPolls: 1, runs: [], actions: [] });
    world.write();
    world.cloud.beforeChange = undefined;
    await world.cloud.detachFromGlobalCluster('orders', world.topology.regions[1].clusterArn);
    world.cloud.advance(1000);
    world.cloud.routing.states.set(world.topology.regions[0].routingControlArn, 'Off');
    world.cloud.routing.states.set(world.topology.regions[1].routingControlArn, 'On');
    world.write();
    world.cloud.routing.states.set(world.topology.regions[1].routingControlArn, 'Off');
    world.cloud.routing.states.set(world.topology.regions[0].routingControlArn, 'On');
    expect(() => world.checkState()).toThrow(/^I1: routing goes to us-east-1, a writable copy missing acknowledged writes 2/);
  });
});
