import * as fc from 'fast-check';
import { clientTokenOf, decideFailover, settingsFromEnvironment, TriggerDependencies, TriggerInvocation, TriggerSettings } from '../../src/observe/failover-trigger';
import { GlobalClusterView } from '../../src/ssm/cloud-operations';

const SETTINGS: TriggerSettings = {
  impairedRegion: 'us-east-1',
  regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
  impairedAlarmNames: {
    'us-east-1': 'orders-us-east-1-region-impaired',
    'us-west-2': 'orders-us-west-2-region-impaired',
    'eu-west-1': 'orders-eu-west-1-region-impaired',
  },
  globalClusterIdentifier: 'orders',
  failoverDocumentName: 'orders-Failover',
  coolDownMs: 3_600_000,
  requireApproval: true,
  approvers: [],
};
const NOW = Date.UTC(2026, 10, 26, 2, 0, 0);
const TOKEN = '7bf73129-1428-4cd3-a780-95db273d1602';
const INVOCATION: TriggerInvocation = { clientToken: TOKEN, deadline: NOW + 60_000 };

const clusterArn = (region: string) => `arn:aws:rds:${region}:111111111111:cluster:orders-${region}`;

/** The global database as RDS describes it: the writer in `writer` and the others' secondaries. */
function globalDatabase(regions: readonly string[], writer: string | undefined, extra: Partial<GlobalClusterView> = {}): GlobalClusterView {
  return {
    identifier: 'orders',
    status: 'available',
    members: regions.map((r) => ({ clusterArn: clusterArn(r), isWriter: r === writer, synchronizationStatus: 'connected' })),
    ...extra,
  };
}

/**
 * Alarm states per Region (an Error: the Region cannot be asked), failovers already
 * started, and the global database each Region's RDS describes (an Error: it cannot).
 */
function fakes(states: Record<string, string | Error | undefined>, started: Record<string, number[] | Error> = {},
  rds: { database?: GlobalClusterView | Error; errors?: Record<string, Error>; startError?: Error } = { database: globalDatabase(SETTINGS.regions, 'us-east-1') }) {
  const { database, errors: rdsErrors = {}, startError } = rds;
  const calls: string[] = [];
  const deps: TriggerDependencies = {
    async alarmState(region, alarmName) {
      calls.push(`describe ${region} ${alarmName}`);
      const state = states[region];
      if (state instanceof Error) throw state;
      return state;
    },
    async executionsStartedSince(region, documentName, since) {
      calls.push(`executions ${region} ${documentName} since ${new Date(since).toISOString()}`);
      const runs = started[region] ?? [];
      if (runs instanceof Error) throw runs;
      return runs.filter((t) => t >= since);
    },
    async describeGlobalCluster(region, identifier) {
      calls.push(`rds ${region} ${identifier}`);
      if (rdsErrors[region]) throw rdsErrors[region];
      if (database instanceof Error) throw database;
      return database;
    },
    async startExecution(region, documentName, parameters, clientToken) {
      calls.push(`start ${region} ${documentName} ${JSON.stringify(parameters)}`);
      expect(clientToken).toBe(TOKEN);
      if (startError) throw startError;
      return 'exec-1';
    },
    now: () => NOW,
  };
  return { deps, calls };
}

const SINCE = '2026-11-26T01:00:00.000Z';
const ASKED = [
  'describe us-east-1 orders-us-east-1-region-impaired',
  'describe us-west-2 orders-us-west-2-region-impaired',
  'describe eu-west-1 orders-eu-west-1-region-impaired',
  ...SETTINGS.regions.map((r) => `executions ${r} orders-Failover since ${SINCE}`),
];

describe('the automatic failover decision', () => {
  test('starts the failover in the first healthy Region, with data loss accepted and an approval asked', async () => {
    const { deps, calls } = fakes({ 'us-west-2': 'OK', 'eu-west-1': 'OK' });
    const decision = await decideFailover(SETTINGS, deps, 'ALARM', INVOCATION);
    expect(decision).toMatchObject({
      action: 'started',
      writerRegion: 'us-east-1',
      targetRegion: 'us-west-2',
      executionId: 'exec-1',
      regionsChecked: [{ region: 'us-west-2', state: 'OK' }, { region: 'eu-west-1', state: 'OK' }],
    });
    expect(decision.reason).toBe('us-east-1 is impaired and holds the writer, and us-west-2 is healthy: started orders-Failover there, waiting for an approver');
    // Every precondition read before the one start: the alarms, the cool-down in every Region, the writer in the target's RDS.
    expect(calls).toEqual([
      ...ASKED,
      'rds us-west-2 orders',
      'start us-west-2 orders-Failover {"TargetRegion":["us-west-2"],"AllowDataLoss":["true"],"RequireApproval":["true"]}',
    ]);
  });

  test('skips a Region that is itself impaired or cannot be asked', async () => {
    const { deps, calls } = fakes({ 'us-west-2': new Error('connect ETIMEDOUT'), 'eu-west-1': 'OK' });
    const decision = await decideFailover({ ...SETTINGS, requireApproval: false, approvers: ['arn:aws:iam::111111111111:role/oncall'] }, deps, 'ALARM', INVOCATION);
    expect(decision.targetRegion).toBe('eu-west-1');
    expect(decision.regionsChecked).toEqual([{ region: 'us-west-2', state: 'unreachable (connect ETIMEDOUT)' }, { region: 'eu-west-1', state: 'OK' }]);
    expect(calls[calls.length - 1]).toBe(
      'start eu-west-1 orders-Failover {"TargetRegion":["eu-west-1"],"AllowDataLoss":["true"],"RequireApproval":["false"],"Approvers":["arn:aws:iam::111111111111:role/oncall"]}');
  });

  test('starts nothing while a healthy Region\'s recent failovers cannot be read; the impaired Region\'s are not held against it', async () => {
    const unread = fakes({ 'us-east-1': 'ALARM', 'us-west-2': 'OK', 'eu-west-1': 'OK' }, { 'eu-west-1': new Error('ThrottlingException: Rate exceeded') });
    expect(await decideFailover(SETTINGS, unread.deps, 'ALARM', INVOCATION)).toEqual({
      action: 'cool-down-unknown',
      retry: true,
      impairedRegion: 'us-east-1',
      regionsChecked: [{ region: 'us-west-2', state: 'OK' }, { region: 'eu-west-1', state: 'OK, but SSM unreachable (ThrottlingException: Rate exceeded)' }],
      reason: 'the failovers started within the cool-down could not be read in eu-west-1: nothing was started',
    });
    expect(unread.calls.some((c) => c.startsWith('rds') || c.startsWith('start'))).toBe(false);
    // A Region that is not healthy holds it up as well: a failover started there may be one the cool-down must see.
    const other = fakes({ 'us-west-2': 'OK', 'eu-west-1': 'ALARM' }, { 'eu-west-1': new Error('connect ETIMEDOUT') });
    expect(await decideFailover(SETTINGS, other.deps, 'ALARM', INVOCATION)).toMatchObject({ action: 'cool-down-unknown', retry: true });
    // The impaired Region, down with its SSM: the failover starts, and the decision says what was not read.
    const impaired = fakes({ 'us-east-1': new Error('connect ETIMEDOUT'), 'us-west-2': 'OK', 'eu-west-1': 'OK' }, { 'us-east-1': new Error('connect ETIMEDOUT') });
    expect(await decideFailover(SETTINGS, impaired.deps, 'ALARM', INVOCATION)).toMatchObject({
      action: 'started',
      retry: false,
      targetRegion: 'us-west-2',
      impairedRegionRuns: 'not read, SSM unreachable (connect ETIMEDOUT): not held against the failover',
    });
  });

  test('no start is sent past the invocation\'s deadline: the function would time out before SSM answers', async () => {
    const { deps, calls } = fakes({ 'us-west-2': 'OK', 'eu-west-1': 'OK' });
    expect(await decideFailover(SETTINGS, deps, 'ALARM', { clientToken: TOKEN, deadline: NOW - 1 })).toMatchObject({
      action: 'out-of-time', retry: true, writerRegion: 'us-east-1', targetRegion: 'us-west-2',
    });
    expect(calls.some((c) => c.startsWith('start'))).toBe(false);
  });

  test('the start\'s idempotency token: the event\'s id when a UUID, else a stable UUID-shaped digest of it', () => {
    expect(clientTokenOf('7BF73129-1428-4CD3-A780-95DB273D1602')).toBe('7bf73129-1428-4cd3-a780-95db273d1602');
    const digest = clientTokenOf('not-a-uuid');
    expect(digest).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(clientTokenOf('not-a-uuid')).toBe(digest);
    expect(clientTokenOf('another')).not.toBe(digest);
    expect(clientTokenOf(undefined)).not.toBe(clientTokenOf(undefined));
  });

  test('a start that failed is not tried in another Region: it may have started a run all the same', async () => {
    const { deps, calls } = fakes({ 'us-west-2': 'OK', 'eu-west-1': 'OK' }, {}, {
      database: globalDatabase(SETTINGS.regions, 'us-east-1'), startError: new Error('TimeoutError: socket hang up'),
    });
    expect(await decideFailover(SETTINGS, deps, 'ALARM', INVOCATION)).toMatchObject({
      action: 'start-failed',
      retry: true,
      writerRegion: 'us-east-1',
      targetRegion: 'us-west-2',
      reason: 'starting orders-Failover in us-west-2 failed (TimeoutError: socket hang up): a run may have started all the same, so no other ' +
        'Region was tried; a retry sends the same idempotency token',
    });
    expect(calls.filter((c) => c.startsWith('start'))).toHaveLength(1);
  });

  test('starts nothing within the cool-down of an earlier failover in any Region, the impaired one included', async () => {
    // A failover to eu-west-1 twenty minutes ago; and one to us-east-1, now impaired, ten minutes ago (a flap would move it back).
    const cases: [Record<string, number[]>, string, string][] = [
      [{ 'eu-west-1': [NOW - 20 * 60_000] }, 'eu-west-1', '01:40'],
      [{ 'us-east-1': [NOW - 10 * 60_000], 'eu-west-1': [NOW - 20 * 60_000] }, 'us-east-1', '01:50'],
    ];
    for (const [started, region, at] of cases) {
      const { deps, calls } = fakes({ 'us-west-2': 'OK', 'eu-west-1': 'OK' }, started);
      const decision = await decideFailover(SETTINGS, deps, 'ALARM', INVOCATION);
      expect(decision).toMatchObject({ action: 'cooling-down', retry: false, targetRegion: region });
      expect(decision.reason).toBe(`a failover to ${region} started at 2026-11-26T${at}:00.000Z, within the 60-minute cool-down: nothing was started`);
      expect(calls.some((c) => c.startsWith('start'))).toBe(false);
    }
  });

  test('no healthy Region because one could not be asked: the decision is retried', async () => {
    const { deps } = fakes({ 'us-east-1': new Error('connect ETIMEDOUT'), 'us-west-2': new Error('ThrottlingException'), 'eu-west-1': 'ALARM' });
    expect(await decideFailover(SETTINGS, deps, 'ALARM', INVOCATION)).toMatchObject({
      action: 'no-healthy-region',
      retry: true,
      impairedAlarm: 'unreadable (connect ETIMEDOUT): the event\'s ALARM stands',
      regionsChecked: [{ region: 'us-west-2', state: 'unreachable (ThrottlingException)' }, { region: 'eu-west-1', state: 'ALARM' }],
    });
  });

  test('starts nothing when no other Region is healthy', async () => {
    const { deps, calls } = fakes({ 'us-east-1': 'ALARM', 'us-west-2': 'ALARM', 'eu-west-1': 'INSUFFICIENT_DATA' });
    const decision = await decideFailover(SETTINGS, deps, 'ALARM', INVOCATION);
    expect(decision).toEqual({
      action: 'no-healthy-region',
      retry: false,
      impairedRegion: 'us-east-1',
      regionsChecked: [{ region: 'us-west-2', state: 'ALARM' }, { region: 'eu-west-1', state: 'INSUFFICIENT_DATA' }],
      reason: 'no other Region is healthy: nothing was started; decide by hand',
    });
    expect(calls.some((c) => c.startsWith('start'))).toBe(false);
  });

  test('ignores an alarm that cleared, by the event or read again, and a Region whose alarm is missing', async () => {
    expect((await decideFailover(SETTINGS, fakes({}).deps, 'OK', INVOCATION)).action).toBe('ignored');
    // A retried or delayed event: the impaired Region's alarm, read again, is OK now.
    const cleared = fakes({ 'us-east-1': 'OK', 'us-west-2': 'OK', 'eu-west-1': 'OK' });
    expect(await decideFailover(SETTINGS, cleared.deps, 'ALARM', INVOCATION)).toEqual({
      action: 'ignored',
      retry: false,
      impairedRegion: 'us-east-1',
      regionsChecked: [],
      reason: 'the alarm is OK now: nothing was started (an earlier attempt at this event may have started a run: status shows it)',
    });
    expect(cleared.calls).toEqual(['describe us-east-1 orders-us-east-1-region-impaired']);
    const decision = await decideFailover(SETTINGS, fakes({}).deps, 'ALARM', INVOCATION);
    expect(decision.regionsChecked).toEqual([{ region: 'us-west-2', state: 'missing' }, { region: 'eu-west-1', state: 'missing' }]);
  });

  test('starts nothing when the writer is not in the impaired Region: a promotion would move a writer that is not impaired', async () => {
    // After a failover to us-west-2, us-east-1 rejoined as a secondary; then eu-west-1 is impaired.
    const { deps, calls } = fakes({ 'us-east-1': 'OK', 'us-west-2': 'OK', 'eu-west-1': 'ALARM' }, {}, { database: globalDatabase(SETTINGS.regions, 'us-west-2') });
    const decision = await decideFailover({ ...SETTINGS, impairedRegion: 'eu-west-1', requireApproval: false }, deps, 'ALARM', INVOCATION);
    expect(decision).toEqual({
      action: 'writer-elsewhere',
      retry: false,
      impairedRegion: 'eu-west-1',
      writerRegion: 'us-west-2',
      regionsChecked: [{ region: 'us-east-1', state: 'OK' }, { region: 'us-west-2', state: 'OK' }],
      reason: 'the writer of global database \'orders\' is in us-west-2, not in eu-west-1: a failover would move a writer that is not impaired and ' +
        'could lose its latest writes, so nothing was started. Check with status that the traffic is on us-west-2; rebuild or wait for eu-west-1 ' +
        '(docs/operations.md)',
    });
    expect(calls.filter((c) => c.startsWith('rds') || c.startsWith('start'))).toEqual(['rds us-east-1 orders']);
  });

  test('reads the writer in the next healthy Region when one Region\'s RDS cannot describe the global database, and starts there', async () => {
    const { deps, calls } = fakes({ 'us-west-2': 'OK', 'eu-west-1': 'OK' }, {}, {
      database: globalDatabase(SETTINGS.regions, 'us-east-1'), errors: { 'us-west-2': new Error('ThrottlingException: Rate exceeded') },
    });
    const decision = await decideFailover(SETTINGS, deps, 'ALARM', INVOCATION);
    expect(decision).toMatchObject({ action: 'started', writerRegion: 'us-east-1', targetRegion: 'eu-west-1' });
    expect(decision.regionsChecked).toEqual([
      { region: 'us-west-2', state: 'OK, but RDS could not describe the global database (ThrottlingException: Rate exceeded)' },
      { region: 'eu-west-1', state: 'OK' },
    ]);
    expect(calls.slice(ASKED.length)).toEqual(['rds us-west-2 orders', 'rds eu-west-1 orders', expect.stringMatching(/^start eu-west-1 /)]);
  });

  test('starts nothing while the writer is unclear: the global database missing, without a writer, in the middle of a move, or unread', async () => {
    const cases: [GlobalClusterView | undefined | Error, string][] = [
      [undefined, 'global database \'orders\' was not found from us-west-2 (detached or deleted?): nothing was started; decide by hand (status)'],
      [globalDatabase(SETTINGS.regions, undefined),
        'no member of global database \'orders\' is the writer, as us-west-2 describes it: nothing was started; decide by hand (status)'],
      [globalDatabase(SETTINGS.regions, 'us-east-1', {
        failoverState: { status: 'failing-over', fromClusterArn: clusterArn('us-east-1'), toClusterArn: clusterArn('eu-west-1') },
      }), `a failing-over of global database 'orders' is under way (from ${clusterArn('us-east-1')} to ${clusterArn('eu-west-1')}): nothing was ` +
        'started; follow it with status'],
      [new Error('connect ETIMEDOUT'), 'no healthy Region\'s RDS could describe global database \'orders\': without knowing where the writer is, ' +
        'nothing was started; decide by hand (status)'],
    ];
    for (const [database, reason] of cases) {
      const { deps, calls } = fakes({ 'us-west-2': 'OK', 'eu-west-1': 'OK' }, {}, { database });
      expect(await decideFailover(SETTINGS, deps, 'ALARM', INVOCATION)).toMatchObject({ action: 'writer-unclear', retry: true, impairedRegion: 'us-east-1', reason });
      expect(calls.some((c) => c.startsWith('start'))).toBe(false);
    }
  });
});

describe('the automatic failover decision, on random deployments', () => {
  const ALL = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
  /** True with probability `p` (out of 100). */
  const chance = (p: number) => fc.integer({ min: 1, max: 100 }).map((n) => n <= p);
  const answer = fc.oneof(
    { weight: 6, arbitrary: fc.constant<string | Error | undefined>('OK') },
    { weight: 1, arbitrary: fc.constantFrom<string | Error | undefined>('ALARM', 'INSUFFICIENT_DATA', undefined) },
    { weight: 1, arbitrary: fc.constant(new Error('connect ETIMEDOUT')) },
  );
  /** The impaired Region's own alarm, read again: still in ALARM, unreadable (down with it), or cleared. */
  const own = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom<string | Error | undefined>('ALARM', undefined) },
    { weight: 3, arbitrary: fc.constant(new Error('connect ETIMEDOUT')) },
    { weight: 1, arbitrary: fc.constantFrom<string | Error | undefined>('OK', 'INSUFFICIENT_DATA') },
  );
  const perRegion = <T>(n: number, a: fc.Arbitrary<T>) => fc.array(a, { minLength: n, maxLength: n });
  const deployment = fc.integer({ min: 2, max: ALL.length }).chain((n) => fc.record({
    regions: fc.shuffledSubarray(ALL, { minLength: n, maxLength: n }),
    impaired: fc.nat(n - 1),
    ownAlarm: own,
    // The writer in the impaired Region half the time, anywhere or nowhere otherwise.
    writerImpaired: fc.boolean(),
    writer: fc.option(fc.nat(n - 1), { freq: 8 }),
    underway: chance(15),
    alarms: perRegion(n, answer),
    rdsFails: perRegion(n, chance(20)),
    ssmFails: perRegion(n, chance(8)),
    // The impaired Region's SSM is often down with it.
    impairedSsmFails: chance(50),
    recent: perRegion(n, chance(8)),
    startFails: chance(10),
  }));

  test('a failover starts only away from an impaired writer, every precondition read first, once; and it starts when they hold', async () => {
    let live = 0;
    let started = 0;
    let startedBlind = 0;
    await fc.assert(fc.asyncProperty(deployment, async (d) => {
      const impaired = d.regions[d.impaired];
      const writer = d.writerImpaired ? impaired : d.writer === null ? undefined : d.regions[d.writer];
      const settings: TriggerSettings = {
        ...SETTINGS,
        impairedRegion: impaired,
        regions: d.regions,
        impairedAlarmNames: Object.fromEntries(d.regions.map((r) => [r, `orders-${r}-region-impaired`])),
      };
      const at = (r: string) => d.regions.indexOf(r);
      const ssmDown = (r: string) => (r === impaired ? d.impairedSsmFails : d.ssmFails[at(r)]);
      const { deps, calls } = fakes(
        Object.fromEntries(d.regions.map((r, i) => [r, r === impaired ? d.ownAlarm : d.alarms[i]])),
        Object.fromEntries(d.regions.map((r, i) => [r, ssmDown(r) ? new Error('connect ETIMEDOUT') : d.recent[i] ? [NOW - 60_000] : []])),
        {
          database: globalDatabase(d.regions, writer, d.underway ? { failoverState: { status: 'switching-over' } } : {}),
          errors: Object.fromEntries(d.regions.filter((r) => d.rdsFails[at(r)]).map((r) => [r, new Error('ThrottlingException')])),
          startError: d.startFails ? new Error('TimeoutError') : undefined,
        },
      );
      const decision = await decideFailover(settings, deps, 'ALARM', INVOCATION);
      const others = d.regions.filter((r) => r !== impaired);
      const healthy = others.filter((r) => d.alarms[at(r)] === 'OK');
      const stillAlarm = !(d.ownAlarm === 'OK' || d.ownAlarm === 'INSUFFICIENT_DATA');
      const recentSeen = d.regions.some((r) => d.recent[at(r)] && !ssmDown(r));
      const starts = calls.filter((c) => c.startsWith('start '));
      // Safety: at most one start, and only when every precondition was read, before it, and held.
      expect(starts.length).toBeLessThanOrEqual(1);
      if (starts.length === 1) {
        const target = starts[0].split(' ')[1];
        const startAt = calls.indexOf(starts[0]);
        expect(stillAlarm).toBe(true);
        expect(writer).toBe(impaired);
        expect(d.underway).toBe(false);
        expect(healthy).toContain(target);
        expect(recentSeen).toBe(false);
        expect(others.some(ssmDown)).toBe(false);
        // Every alarm and every Region's runs were asked before the start.
        for (const r of d.regions) {
          expect(calls.indexOf(`describe ${r} orders-${r}-region-impaired`)).toBeLessThan(startAt);
          expect(calls.findIndex((c) => c.startsWith(`executions ${r} `))).toBeLessThan(startAt);
        }
        expect(calls.findIndex((c) => c.startsWith(`executions ${impaired} `))).toBeGreaterThanOrEqual(0);
        // The target's own RDS read the writer, last before the start; the Regions asked before it could not.
        const reads = calls.filter((c) => c.startsWith('rds '));
        expect(reads[reads.length - 1]).toBe(`rds ${target} orders`);
        expect(calls.indexOf(`rds ${target} orders`)).toBeLessThan(startAt);
        expect(d.rdsFails[at(target)]).toBe(false);
        expect(reads.slice(0, -1).every((c) => d.rdsFails[at(c.split(' ')[1])])).toBe(true);
      } else {
        expect(decision.action).not.toBe('started');
      }
      // Nothing started for want of a read: the decision asks Lambda to retry; a refusal on facts does not.
      if (['cool-down-unknown', 'writer-unclear', 'start-failed'].includes(decision.action)) expect(decision.retry).toBe(true);
      if (['started', 'cooling-down', 'writer-elsewhere', 'ignored'].includes(decision.action)) expect(decision.retry).toBe(false);
      // No healthy Region: retried when one of the others' alarms could not be read, final when every one answered.
      if (decision.action === 'no-healthy-region') expect(decision.retry).toBe(others.some((r) => d.alarms[at(r)] instanceof Error));
      // The impaired Region's own alarm, unreadable or missing: the event's ALARM stood, and the decision says so.
      if (decision.action !== 'ignored') {
        expect(decision.impairedAlarm !== undefined).toBe(d.ownAlarm === undefined || d.ownAlarm instanceof Error);
      }
      // Liveness: when they all hold, the failover starts in the first healthy Region whose RDS answers.
      const readable = healthy.filter((r) => !d.rdsFails[at(r)]);
      if (stillAlarm && writer === impaired && !d.underway && readable.length > 0 && !recentSeen && !others.some(ssmDown)) {
        live++;
        expect(starts).toEqual([expect.stringMatching(new RegExp(`^start ${readable[0]} `))]);
        expect(decision).toMatchObject({ action: d.startFails ? 'start-failed' : 'started', targetRegion: readable[0] });
      }
      if (decision.action === 'started') {
        started++;
        if (d.impairedSsmFails) startedBlind++;
      }
    }), { numRuns: 2_000 });
    // The property is not vacuous: the generators reach the live case often, with the impaired Region's SSM down too.
    expect(live).toBeGreaterThan(100);
    expect(started).toBeGreaterThan(75);
    expect(startedBlind).toBeGreaterThan(25);
  });
});

describe('the trigger\'s settings', () => {
  const env = {
    AWS_REGION: 'us-east-1',
    REGIONS: JSON.stringify(SETTINGS.regions),
    IMPAIRED_ALARMS: JSON.stringify(SETTINGS.impairedAlarmNames),
    GLOBAL_CLUSTER: 'orders',
    FAILOVER_DOCUMENT: 'orders-Failover',
    COOL_DOWN_SECONDS: '3600',
    REQUIRE_APPROVAL: 'true',
    APPROVERS: '[]',
  };

  test('read from the environment the construct sets', () => {
    expect(settingsFromEnvironment(env)).toEqual(SETTINGS);
  });

  test('a missing or damaged variable names itself and the fix', () => {
    expect(() => settingsFromEnvironment({ ...env, FAILOVER_DOCUMENT: undefined })).toThrow(
      'the environment variable FAILOVER_DOCUMENT is missing: redeploy the ObservedWorkload stack of this Region');
    expect(() => settingsFromEnvironment({ ...env, REGIONS: '[us-east-1' })).toThrow(/^the environment variable REGIONS is not JSON \(.*\): redeploy/);
  });
});
