import { quietly } from './quietly';
import { OperationsState, outcomeOf } from '../../examples/remittance/api/operations';
import { seeded, table, WriteLoad } from '../../examples/remittance/local/drill';
import { Rehearsal } from '../../examples/remittance/local/rehearsal';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const EU = 'eu-west-1';

describe('the rehearsal: three Regions, the real runbooks run as executions', () => {
  let r: Rehearsal;
  beforeAll(async () => {
    r = await Rehearsal.start({ regions: [EAST, WEST, EU], metricIntervalMs: 250, runbooks: { pollIntervalMs: 100, timeoutMs: 30_000 } });
  }, 120_000);
  afterAll(async () => r?.stop());

  test('starts with the first Region writer and routed, and a lag data point for every secondary', async () => {
    expect(await r.describe()).toEqual([
      { region: EAST, impaired: false, writer: true, detached: false, routed: true, streaming: false },
      expect.objectContaining({ region: WEST, writer: false, routed: false, streaming: true, lagMs: expect.any(Number) }),
      expect.objectContaining({ region: EU, writer: false, routed: false, streaming: true, lagMs: expect.any(Number) }),
    ]);
  });

  test('the operations panel\'s state, read through the API: the writer, traffic, lag, the alarm stand-in, readiness from the real pre-flights', async () => {
    const event = { httpMethod: 'GET', path: '/api/operations/state', requestContext: { authorizer: { claims: { 'sub': 'op', 'cognito:groups': 'operators' } } } };
    const answer = await r.request(event);
    expect(answer.statusCode).toBe(200);
    const state = JSON.parse(answer.body).state as OperationsState;
    expect(state).toMatchObject({ readFrom: EAST, home: EAST, globalDatabase: { identifier: 'remittance', status: 'available' }, problems: [], interrupted: false });
    expect(state.regions.map((x) => [x.region, x.role, x.traffic, x.impaired])).toEqual([[EAST, 'writer', 'On', false], [WEST, 'secondary', 'Off', false], [EU, 'secondary', 'Off', false]]);
    expect(state.regions[1]).toMatchObject({ synchronizationStatus: 'connected', rpoLagMs: expect.any(Number), alarmsOk: 1, running: [], lastRuns: [] });
    expect(state.regions[1].readiness!.runbooks.map((x) => `${x.runbook} ${x.outcome}`)).toEqual(['switchover passed', 'failover passed', 'failback passed']);
    // Read from another Region's API, with that Region impaired: its "Region impaired" alarm stand-in is in ALARM.
    r.impair(EU);
    try {
      const seen = JSON.parse((await r.request(event, { region: WEST })).body).state as OperationsState;
      expect(seen.readFrom).toBe(WEST);
      expect(seen.regions[2]).toMatchObject({ region: EU, impaired: true, alarms: [{ name: 'remittance-eu-west-1-region-impaired', state: 'ALARM' }] });
    } finally {
      await r.restore(EU);
    }
  });

  test('two failovers started at once from two Regions: the later one gives way, the other moves the writer and the routing', async () => {
    await quietly(async () => {
      const load = new WriteLoad(r, 'test');
      load.start();
      await new Promise((resolve) => setTimeout(resolve, 300));
      r.impair(EAST);
      const ids = [WEST, EU].map((region) => r.runbooks.start(region, 'failover', { allowDataLoss: true }));
      // Both are runs under way of this deployment, each in its own Region, at its first step.
      expect(r.runbooks.running(WEST, [r.runbooks.documentName('failover')]).map((e) => e.currentStep)).toEqual(['Preflight']);
      const reports = await Promise.all(ids.map((id) => r.runbooks.report(id)));
      await load.stop();
      expect(reports.map((x) => x.outcome).sort()).toEqual(['refused', 'succeeded']);
      const refused = reports.find((x) => x.outcome === 'refused')!;
      const won = reports.find((x) => x.outcome === 'succeeded')!;
      expect(refused.reason).toMatch(/^another run of this deployment is under way: remittance-Failover, execution /);
      await r.cloud.settled();
      // The one move, and the winning run's wait saw it settle (what the drill's notice column measures).
      expect(r.cloud.settlements).toEqual([{ kind: 'failover', to: won.targetRegion, settledAt: expect.any(Number), noticedAt: expect.any(Number) }]);
      expect(r.cloud.settlements[0].noticedAt!).toBeGreaterThanOrEqual(r.cloud.settlements[0].settledAt);
      expect(r.cloud.noticeDelaysMs()).toEqual([r.cloud.settlements[0].noticedAt! - r.cloud.settlements[0].settledAt]);
      expect((await r.cloud.writerEndpoint())?.region).toBe(won.targetRegion);
      expect(r.routed()).toEqual([won.targetRegion]);
      expect(load.acks.length).toBeGreaterThan(0);
      expect(r.runbooks.running(WEST, [r.runbooks.documentName('failover')])).toEqual([]);

      // The refused one, as the API shows it: Preflight failed, and the report says why.
      const loser = ids[reports.indexOf(refused)];
      const view = r.runbooks.get(refused.targetRegion, loser)!;
      expect(view.status).toBe('Failed');
      expect(view.steps[0]).toMatchObject({ name: 'Preflight', status: 'Failed' });
      expect(view.steps.slice(1, -1).every((s) => s.status === 'Pending')).toBe(true);
      expect(view.steps[view.steps.length - 1]).toMatchObject({ name: 'Report', status: 'Failed' });
      expect(outcomeOf(view)).toEqual({ outcome: 'refused', reason: expect.stringMatching(/^another run of this deployment is under way/) });
      // Only the Region that ran it knows it.
      expect(r.runbooks.get(EAST, loser)).toBeUndefined();
    });
  }, 90_000);

  test('the lost Region is restored as a secondary of the new writer, rewound', async () => {
    await r.restore(EAST);
    const writer = (await r.cloud.writerEndpoint())!.region;
    await r.regions.query(writer, "INSERT INTO remittances (sender, recipient, amount, currency, created_by, created_in) VALUES ('a', 'b', 1, 'EUR', 'test', 'test')");
    await r.regions.waitUntil(async () => (await r.describe()).find((v) => v.region === EAST)?.streaming === true, 20_000, `${EAST} to stream`);
    expect((await r.describe()).find((v) => v.region === EAST)).toMatchObject({ impaired: false, writer: false, detached: false });
  }, 60_000);

  test('the API: a request reaches the routed Region; an impaired Region\'s API answers 503; a runbook name it does not know is refused', async () => {
    const event = { httpMethod: 'GET', path: '/api/remittances', requestContext: { authorizer: { claims: { 'sub': 'x', 'cognito:groups': 'operators' } } } };
    const routed = r.routed()[0];
    const answer = await r.request(event);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers?.['x-served-by']).toBe(routed);
    const other = [WEST, EU].find((x) => x !== routed)!;
    r.impair(other);
    try {
      expect(await r.request(event, { region: other })).toMatchObject({ statusCode: 503 });
    } finally {
      await r.restore(other);
    }
    await expect(r.runbooks.automation(EAST, () => r.state(EAST)).start('other-Switchover', {})).rejects.toMatchObject({ name: 'InvalidDocument' });
    expect(() => r.runbooks.start('ap-south-1', 'switchover')).toThrow('no Region ap-south-1 in this deployment; its Regions are us-east-1, us-west-2, eu-west-1');
  }, 60_000);
});

describe('after a failover that detached its target', () => {
  test('the lost writer comes back a writer, not rewound; a failback to it is refused and changes nothing', async () => {
    const runbooks = { pollIntervalMs: 100, timeoutMs: 30_000, retryBudgetMs: 500 };
    const r = await Rehearsal.start({ regions: [EAST, WEST], metricIntervalMs: 250, runbooks });
    try {
      r.impair(EAST);
      r.cloud.rdsUnreachable = true;
      const failover = await r.runbooks.report(r.runbooks.start(WEST, 'failover', { allowDataLoss: true, allowDetach: true }));
      r.cloud.rdsUnreachable = false;
      expect(failover.outcome).toBe('succeeded');
      expect(failover.warnings?.join()).toMatch(/was detached from global database 'remittance' and promoted on its own/);
      expect(r.cloud.isDetached(WEST)).toBe(true);
      await r.restore(EAST);
      const before = await r.describe();
      expect(before.map((v) => [v.region, v.writer, v.detached, v.routed])).toEqual([[EAST, true, false, false], [WEST, false, true, true]]);
      const failback = await r.runbooks.report(r.runbooks.start(EAST, 'failback'));
      expect(failback.outcome).toBe('refused');
      expect(failback.reason).toMatch(/detached/);
      const standing = (views: typeof before) => views.map((v) => [v.region, v.writer, v.detached, v.routed]);
      expect(standing(await r.describe())).toEqual(standing(before));
    } finally {
      await r.stop();
    }
  }, 90_000);
});

describe('the drill\'s measures', () => {
  test('the seeded choices repeat with the seed, and differ with another', () => {
    const a = seeded(42);
    const b = seeded(42);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seeded(43)()).not.toBe(first[0]);
  });

  test('the table shows every measure, and a breach in bold', () => {
    const scenario = { name: 'switchover', expected: 'succeeds, 0 lost', regions: [], repeat: true, run: async () => { throw new Error('not run'); } };
    const report = { runbook: 'switchover' as const, targetRegion: WEST, outcome: 'succeeded' as const, steps: [], recoveryTimeMs: 1_200 };
    const run = { reports: [report], acked: 10, lost: 0, duplicates: 0, gapMs: 200, breaches: [], noticeMs: [700, 1_900, 300] };
    const held = table([{ scenario, runs: [run] }]);
    expect(held.split('\n')[0]).toContain('| writer settled → seen by a wait p50 / max (polls every 2 s) |');
    expect(held.split('\n')[2]).toBe('| switchover | succeeds, 0 lost | 1 | succeeded | 10 | 0 | 0 | 0.20 s / 0.20 s | 1.20 s | 0.70 s / 1.90 s | – | – | held |');
    const breached = table([{ scenario, runs: [{ reports: [report], acked: 10, lost: 1, duplicates: 0, gapMs: 200, breaches: ['1 acknowledged write(s) lost, e.g. x-1'] }] }]);
    expect(breached).toContain('**BREACHED**: 1 acknowledged write(s) lost, e.g. x-1');
  });
});
