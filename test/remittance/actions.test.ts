import * as fc from 'fast-check';
import type { OperationsState, RegionStatus, RunSummary } from '../../examples/remittance/api/model';
import { planActions } from '../../examples/remittance/ui/src/actions';

const NOW = Date.UTC(2026, 10, 30, 10);
const EAST = 'us-east-1';
const WEST = 'us-west-2';
const EU = 'eu-west-1';

function region(name: string, over: Partial<RegionStatus> = {}): RegionStatus {
  return { region: name, role: 'secondary', synchronizationStatus: 'connected', traffic: 'Off', rpoLagMs: 800, rpoLagAt: NOW - 5_000, impaired: false, alarms: [], running: [], lastRuns: [], ...over };
}

function state(regions: RegionStatus[], over: Partial<OperationsState> = {}): OperationsState {
  return { readAt: NOW, readFrom: EAST, home: EAST, globalDatabase: { identifier: 'orders', status: 'available' }, regions, problems: [], interrupted: false, ...over };
}

const writer = (name: string, over: Partial<RegionStatus> = {}) => region(name, { role: 'writer', synchronizationStatus: undefined, traffic: 'On', rpoLagMs: undefined, ...over });
const run = (runbook: string, where: string, endedAt: number, status = 'Success'): RunSummary => ({ executionId: `${runbook}-${endedAt}`, runbook, region: where, status, startedAt: endedAt - 60_000, endedAt });
const labels = (s: OperationsState, options = {}) => planActions(s, options).actions.map((a) => `${a.label}${a.disabledReason ? ` (disabled: ${a.disabledReason})` : ''}`);

describe('the operations panel offers only the runbooks that make sense', () => {
  test('both Regions healthy: a switchover to the secondary, no failover, no failback; the confirmation says no write is lost', () => {
    const plan = planActions(state([writer(EAST), region(WEST)]));
    expect(plan.actions.map((a) => a.label)).toEqual(['Switch over to us-west-2']);
    expect(plan.actions[0]).toMatchObject({ runbook: 'switchover', region: WEST, loseWrites: false });
    expect(plan.actions[0].confirm).toContain('no committed write is lost');
    expect(plan.actions[0].confirm).toContain('replication lag 800 ms, measured 5.0 s ago');
    expect(plan.guidance.map((g) => g.text)).toContain('The writer\'s Region (us-east-1) is healthy: a failover is offered only when it is impaired. "Offer a failover anyway" shows it.');
  });

  test('the operator insists: a failover is offered as well, asking to accept lost writes', () => {
    const plan = planActions(state([writer(EAST), region(WEST)]), { insist: true });
    expect(plan.actions.map((a) => a.label)).toEqual(['Switch over to us-west-2', 'Fail over to us-west-2']);
    expect(plan.actions[1]).toMatchObject({ loseWrites: true });
    expect(plan.actions[1].confirm).toContain('Writes committed in us-east-1 and not yet replicated are lost: the last replication lag of us-west-2 was 800 ms');
  });

  test('the writer\'s Region impaired: a failover to each healthy secondary, no switchover, none to an impaired Region', () => {
    const s = state([writer(EAST, { impaired: true }), region(WEST), region(EU, { impaired: true })]);
    expect(labels(s)).toEqual(['Fail over to us-west-2']);
  });

  test('no writer to read (its Region down): a failover, which names the Region that received the traffic', () => {
    const s = state([region(EAST, { synchronizationStatus: 'pending-resync', traffic: 'On', impaired: true }), region(WEST)]);
    const plan = planActions(s);
    expect(plan.actions.map((a) => a.label)).toEqual(['Fail over to us-west-2']);
    expect(plan.actions[0].confirm).toContain('without waiting for us-east-1');
  });

  test('a secondary that is not in sync, impaired, or whose readiness refuses: the switchover is shown, not pressable, with the reason', () => {
    const refusing = { evaluatedAt: new Date(NOW).toISOString(), runbooks: [{ runbook: 'switchover', ready: false, outcome: 'refused', reason: 'us-west-2 lags 45000 ms' }] };
    expect(labels(state([writer(EAST), region(WEST, { synchronizationStatus: 'pending-resync' })])))
      .toEqual(['Switch over to us-west-2 (disabled: us-west-2 does not replicate yet (pending-resync))']);
    expect(labels(state([writer(EAST), region(WEST, { impaired: true })]))).toEqual(['Switch over to us-west-2 (disabled: us-west-2 is impaired)']);
    expect(labels(state([writer(EAST), region(WEST, { readiness: refusing })]))).toEqual(['Switch over to us-west-2 (disabled: us-west-2 lags 45000 ms)']);
  });

  test('after a failover away from the home Region: one button back, the failback, once the home Region replicates again', () => {
    const failedOver = [run('failover', WEST, NOW - 600_000)];
    const rejoining = state([region(EAST, { synchronizationStatus: 'pending-resync' }), writer(WEST, { lastRuns: failedOver })]);
    expect(labels(rejoining)).toEqual(['Fail back to us-east-1 (disabled: us-east-1 does not replicate yet (pending-resync): it rejoins after the failover, then catches up)']);
    const rejoined = state([region(EAST), writer(WEST, { lastRuns: failedOver })]);
    const plan = planActions(rejoined);
    expect(plan.actions.map((a) => a.label)).toEqual(['Fail back to us-east-1']);
    expect(plan.actions[0].confirm).toContain('switches the writer back to us-east-1 (a switchover: no committed write is lost)');
  });

  test('no failback after a switchover, nor after a failover to the home Region; a refused run after the failover does not hide it', () => {
    expect(labels(state([region(EAST), writer(WEST, { lastRuns: [run('switchover', WEST, NOW - 60_000)] })]))).toEqual(['Switch over to us-east-1']);
    expect(labels(state([writer(EAST, { lastRuns: [run('failover', EAST, NOW - 60_000)] }), region(WEST)]))).toEqual(['Switch over to us-west-2']);
    const refusedSince = state([
      region(EAST, { lastRuns: [run('switchover', EAST, NOW - 60_000, 'Failed')] }),
      writer(WEST, { lastRuns: [run('failover', WEST, NOW - 600_000)] }),
    ]);
    expect(labels(refusedSince)).toEqual(['Fail back to us-east-1']);
  });

  test('the writer\'s Region of unknown health (its alarm unread): a failover is offered with a warning, never "healthy"; no switchover', () => {
    const plan = planActions(state([writer(EAST, { impaired: undefined, alarms: undefined, alarmsError: 'AccessDenied' }), region(WEST)]));
    expect(plan.actions.map((a) => a.label)).toEqual(['Fail over to us-west-2']);
    const texts = plan.guidance.map((g) => g.text);
    expect(texts[0]).toBe('The health of the writer\'s Region (us-east-1) could not be read (AccessDenied): a failover is offered; check the Region ' +
      '(its dashboard, AWS Health) before using it.');
    expect(texts.some((t) => /is healthy/.test(t))).toBe(false);
  });

  test('a failover is never held back by a readiness evaluation, which may be old: its confirmation quotes it', () => {
    const refusing = { evaluatedAt: '2026-11-30T09:30:00.000Z', runbooks: [{ runbook: 'failover', ready: false, outcome: 'refused', reason: 'the key is disabled' }] };
    const plan = planActions(state([writer(EAST, { impaired: true }), region(WEST, { readiness: refusing })]));
    expect(plan.actions[0].disabledReason).toBeUndefined();
    expect(plan.actions[0].confirm).toContain('At its last readiness evaluation (2026-11-30T09:30:00.000Z), a failover to us-west-2 would have been refused: the key is disabled.');
  });

  test('no failback while the writer\'s Region is impaired: a failover is the way then', () => {
    const s = state([region(EAST), writer(WEST, { impaired: true, lastRuns: [run('failover', WEST, NOW - 600_000)] })]);
    expect(labels(s)).toEqual([
      'Fail back to us-east-1 (disabled: the writer\'s Region (us-west-2) is impaired: a failback needs both Regions healthy)',
      'Fail over to us-east-1',
    ]);
  });

  test('an interrupted run: the same runbook to the writer\'s Region again, which moves the traffic', () => {
    const s = state([region(EAST, { traffic: 'On' }), writer(WEST, { traffic: 'Off', lastRuns: [run('switchover', WEST, NOW - 60_000, 'Failed')] })], { interrupted: true });
    const plan = planActions(s);
    expect(plan.actions[0]).toMatchObject({ runbook: 'switchover', region: WEST, label: 'Finish the switchover to us-west-2', finishes: true });
    expect(plan.actions[0].confirm).toContain('finds us-west-2 already writer, moves nothing in the database');
  });

  test('the global database unreadable: nothing offered unless the operator insists, then a failover to each Region not receiving traffic', () => {
    const unknown = (name: string, traffic: string) => region(name, { role: 'unknown', synchronizationStatus: undefined, traffic });
    const s = state([unknown(EAST, 'On'), unknown(WEST, 'Off')], { problems: ['the global database could not be described: no answer within 5 s'] });
    expect(labels(s)).toEqual([]);
    expect(planActions(s).guidance.map((g) => g.type)).toEqual(['error', 'error', 'error']);
    expect(labels(s, { insist: true })).toEqual(['Fail over to us-west-2']);
  });

  test('a run under way: nothing is offered, and the panel says which run and where', () => {
    const busy = state([writer(EAST), region(WEST, { running: [{ executionId: 'x', runbook: 'switchover', region: WEST, status: 'InProgress', startedAt: NOW, currentStep: 'WaitForWriter' }] })]);
    const plan = planActions(busy);
    expect(plan.actions).toEqual([]);
    expect(plan.guidance.map((g) => g.text)).toEqual(['A switchover to us-west-2 is under way (step WaitForWriter): every runbook refuses until it ends.']);
  });

  test('a detached Region and an interrupted run are told, with what to do', () => {
    const s = state([writer(EAST, { traffic: 'Off' }), region(WEST, { role: 'not a member', synchronizationStatus: undefined, traffic: 'On' })], { interrupted: true });
    const texts = planActions(s).guidance.map((g) => g.text);
    expect(texts).toContain('The writer (us-east-1) is not the Region receiving traffic (us-west-2): a run was interrupted. Run the same runbook to us-east-1 again to finish it.');
    expect(texts.some((t) => t.startsWith('us-west-2 is not a member of the global database (detached)'))).toBe(true);
  });
});

describe('with active/active routing: evacuate and restore', () => {
  const aa = (regions: RegionStatus[], over: Partial<OperationsState> = {}) => state(regions, { activeActive: true, ...over });
  const on = (name: string, over: Partial<RegionStatus> = {}) => region(name, { traffic: 'On', ...over });

  test('every Region serving: a switchover, and each Region can be taken out, run from a Region that stays; the writer\'s Region by switching over first', () => {
    const plan = planActions(aa([writer(EAST), on(WEST)]));
    expect(plan.actions.map((a) => [a.label, a.runbook, a.region, a.target])).toEqual([
      ['Switch over to us-west-2', 'switchover', WEST, undefined],
      ['Take us-east-1 out of service', 'evacuate', WEST, EAST],
      ['Take us-west-2 out of service', 'evacuate', EAST, WEST],
    ]);
    expect(plan.actions.every((a) => a.disabledReason === undefined && !a.loseWrites)).toBe(true);
    expect(plan.actions[0].confirm).toContain("turns us-west-2's routing control On; the other Regions stay as they are");
    expect(plan.actions[1].confirm).toContain('first switches the writer over to us-west-2 (no committed write is lost');
    expect(plan.actions[2].confirm).toContain("turns us-west-2's routing control Off; us-east-1 keeps serving, and the writer stays in us-east-1");
  });

  test('an impaired secondary Region is taken out from the writer\'s Region; the writer\'s Region cannot be, with nothing healthy to take the writer', () => {
    expect(labels(aa([writer(EAST), on(WEST, { impaired: true })]))).toEqual([
      'Switch over to us-west-2 (disabled: us-west-2 is impaired)',
      'Take us-east-1 out of service (disabled: no other Region in service is healthy and replicating to run it from)',
      'Take us-west-2 out of service',
    ]);
  });

  test('the writer\'s Region impaired: no evacuation of it (a switchover needs it healthy) but a failover, which takes the other Regions out', () => {
    const plan = planActions(aa([writer(EAST, { impaired: true }), on(WEST), on(EU)]));
    expect(plan.actions.map((a) => `${a.label}${a.disabledReason ? ` (disabled: ${a.disabledReason})` : ''}`)).toEqual([
      'Fail over to us-west-2',
      'Fail over to eu-west-1',
      'Take us-east-1 out of service (disabled: us-east-1 holds the writer and is impaired: the evacuation switches the writer over first, which needs it healthy; ' +
        'fail over instead)',
      'Take us-west-2 out of service',
      'Take eu-west-1 out of service',
    ]);
    expect(plan.actions[0].confirm).toContain("turns us-west-2's routing control On and every other Region's Off, until each is put back into service");
    // A secondary is taken out from a healthy Region in service, not from the impaired writer's.
    expect(plan.actions.filter((a) => a.runbook === 'evacuate').slice(1).map((a) => a.region)).toEqual([EU, WEST]);
  });

  test('a Region out of service is put back by a restore run in it, once it replicates and is healthy; the last Region in service is not offered for evacuation', () => {
    expect(labels(aa([writer(EAST), region(WEST)]))).toEqual(['Switch over to us-west-2', 'Put us-west-2 back into service']);
    const restore = planActions(aa([writer(EAST), region(WEST)])).actions[1];
    expect(restore).toMatchObject({ runbook: 'restore', region: WEST });
    expect(restore.target).toBeUndefined();
    expect(labels(aa([writer(EAST), region(WEST, { impaired: true })]))).toContain('Put us-west-2 back into service (disabled: us-west-2 is impaired)');
    expect(labels(aa([writer(EAST), region(WEST, { synchronizationStatus: 'pending-resync' })])))
      .toContain('Put us-west-2 back into service (disabled: us-west-2 does not replicate yet (pending-resync))');
    // The writer's own Region, taken out by a failover's routing and back: its restore needs no replication.
    expect(labels(aa([writer(EAST, { traffic: 'Off' }), on(WEST)]))).toContain('Put us-east-1 back into service');
  });

  test('an evacuation under way is named by the Region it runs from', () => {
    const busy = aa([writer(EAST), on(WEST, { running: [{ executionId: 'x', runbook: 'evacuate', region: WEST, status: 'InProgress', startedAt: NOW }] })]);
    expect(planActions(busy).guidance.map((g) => g.text)).toEqual(['An evacuation run from us-west-2 is under way: every runbook refuses until it ends.']);
  });

  test('without active/active routing: no evacuation, no restore', () => {
    expect(labels(state([writer(EAST), on(WEST)]))).toEqual(['Switch over to us-west-2']);
  });
});

describe('invariants over any state', () => {
  const arbRegion = (name: string) => fc.record({
    role: fc.constantFrom('writer', 'secondary', 'not a member', 'unknown'),
    synchronizationStatus: fc.constantFrom('connected', 'pending-resync', undefined),
    traffic: fc.constantFrom('On', 'Off', 'unknown'),
    impaired: fc.constantFrom(true, false, undefined),
    running: fc.constantFrom<RunSummary[]>([], [], [{ executionId: 'r', runbook: 'failover', region: name, status: 'InProgress', startedAt: NOW }]),
    lastRuns: fc.array(fc.record({
      runbook: fc.constantFrom('switchover', 'failover', 'failback', 'rebuild'),
      status: fc.constantFrom('Success', 'Failed'),
      endedAt: fc.integer({ min: NOW - 86_400_000, max: NOW }),
    }).map((r) => ({ ...r, executionId: `${r.runbook}-${r.endedAt}`, region: name, startedAt: r.endedAt - 1 })), { maxLength: 3 }),
  }).map((r) => region(name, r));
  const arbState = fc.tuple(arbRegion(EAST), arbRegion(WEST), arbRegion(EU), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean())
    .map(([a, b, c, three, insist, interrupted, activeActive]) => ({ s: state(three ? [a, b, c] : [a, b], { interrupted, activeActive }), insist }));

  test('never the writer as a target, nothing while a run is under way, no failover to an impaired Region, one button per Region and runbook', () => {
    fc.assert(fc.property(arbState, ({ s, insist }) => {
      const { actions, writer: planned } = planActions(s, { insist });
      const writers = s.regions.filter((r) => r.role === 'writer').map((r) => r.region);
      const byRegion = new Map(s.regions.map((r) => [r.region, r]));
      if (s.regions.some((r) => (r.running ?? []).length > 0)) return actions.length === 0;
      const moves = actions.filter((a) => !a.finishes && a.runbook !== 'evacuate' && a.runbook !== 'restore');
      const evacuations = actions.filter((a) => a.runbook === 'evacuate');
      const restores = actions.filter((a) => a.runbook === 'restore');
      const serving = s.regions.filter((r) => r.traffic === 'On');
      // Finishing an interrupted run is the one action to the writer's Region, and only then.
      return actions.filter((a) => a.finishes).every((a) => s.interrupted && writers.includes(a.region))
        // The others never target the writer; a Region of unknown role only when no writer could be read, on the operator's insistence.
        && moves.every((a) => !writers.includes(a.region)
          && (byRegion.get(a.region)!.role === 'secondary' || (byRegion.get(a.region)!.role === 'unknown' && writers.length === 0 && insist)))
        && actions.filter((a) => a.runbook === 'failover').every((a) => !byRegion.get(a.region)!.impaired)
        && new Set(actions.map((a) => `${a.runbook}:${a.region}:${a.target}`)).size === actions.length
        // Evacuations and restores with active/active routing only. An evacuation takes out a Region in service, never the last,
        // and when it can be pressed it runs from another healthy Region in service, a replicating secondary when the writer goes.
        && (s.activeActive || evacuations.length + restores.length === 0)
        && (serving.length >= 2 || evacuations.length === 0)
        && evacuations.every((a) => byRegion.get(a.target!)!.traffic === 'On' && a.region !== a.target && (a.disabledReason !== undefined
          || (byRegion.get(a.region)!.traffic === 'On' && byRegion.get(a.region)!.impaired === false
            && (a.target !== planned || byRegion.get(a.region)!.synchronizationStatus === 'connected'))))
        // A restore runs in the Region it puts back, one out of service; pressable only when it is healthy.
        && restores.every((a) => a.target === undefined && byRegion.get(a.region)!.traffic === 'Off'
          && (a.disabledReason !== undefined || byRegion.get(a.region)!.impaired === false))
        // A failback goes home, and then no switchover goes there too.
        && moves.filter((a) => a.runbook === 'failback').every((a) => a.region === s.home && !moves.some((b) => b.runbook === 'switchover' && b.region === s.home))
        // A failover is offered only when the writer's Region is impaired or unreadable, or the operator insists.
        && (insist || moves.every((a) => a.runbook !== 'failover') || writers.length === 0 || s.regions.some((r) => r.role === 'writer' && r.impaired !== false))
        // Only a failover asks to accept lost writes.
        && actions.every((a) => a.loseWrites === (a.runbook === 'failover'));
    }), { numRuns: 2_000 });
  });
});
