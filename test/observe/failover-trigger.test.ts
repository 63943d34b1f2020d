import * as fc from 'fast-check';
import { decideFailover, settingsFromEnvironment, TriggerDependencies, TriggerSettings } from '../../src/observe/failover-trigger';
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
function fakes(states: Record<string, string | Error | undefined>, started: Record<string, number[]> = {},
  rds: { database?: GlobalClusterView | Error; errors?: Record<string, Error> } = { database: globalDatabase(SETTINGS.regions, 'us-east-1') }) {
  const { database, errors: rdsErrors = {} } = rds;
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
      return (started[region] ?? []).filter((t) => t >= since);
    },
    async describeGlobalCluster(region, identifier) {
      calls.push(`rds ${region} ${identifier}`);
      if (rdsErrors[region]) throw rdsErrors[region];
      if (database instanceof Error) throw database;
      return database;
    },
    async startExecution(region, documentName, parameters) {
      calls.push(`start ${region} ${documentName} ${JSON.stringify(parameters)}`);
      return 'exec-1';
    },
    now: () => NOW,
  };
  return { deps, calls };
}

describe('the automatic failover decision', () => {
  test('starts the failover in the first healthy Region, with data loss accepted and an approval asked', async () => {
    const { deps, calls } = fakes({ 'us-west-2': 'OK', 'eu-west-1': 'OK' });
    const decision = await decideFailover(SETTINGS, deps, 'ALARM');
    expect(decision).toMatchObject({
      action: 'started', writerRegion: 'us-east-1', targetRegion: 'us-west-2', executionId: 'exec-1', regionsChecked: [{ region: 'us-west-2', state: 'OK' }],
    });
    expect(decision.reason).toBe('us-east-1 is impaired and holds the writer, and us-west-2 is healthy: started orders-Failover there, waiting for an approver');
    expect(calls).toEqual([
      'describe us-west-2 orders-us-west-2-region-impaired',
      'rds us-west-2 orders',
      'executions us-west-2 orders-Failover since 2026-11-26T01:00:00.000Z',
      'start us-west-2 orders-Failover {"TargetRegion":["us-west-2"],"AllowDataLoss":["true"],"RequireApproval":["true"]}',
    ]);
  });

  test('skips a Region that is itself impaired or cannot be asked', async () => {
    const { deps, calls } = fakes({ 'us-west-2': new Error('connect ETIMEDOUT'), 'eu-west-1': 'OK' });
    const decision = await decideFailover({ ...SETTINGS, requireApproval: false, approvers: ['arn:aws:iam::111111111111:role/oncall'] }, deps, 'ALARM');
    expect(decision.targetRegion).toBe('eu-west-1');
    expect(decision.regionsChecked).toEqual([{ region: 'us-west-2', state: 'unreachable (connect ETIMEDOUT)' }, { region: 'eu-west-1', state: 'OK' }]);
    expect(calls[calls.length - 1]).toBe(
      'start eu-west-1 orders-Failover {"TargetRegion":["eu-west-1"],"AllowDataLoss":["true"],"RequireApproval":["false"],"Approvers":["arn:aws:iam::111111111111:role/oncall"]}');
  });

  test('a healthy Region whose SSM cannot be asked, or that refuses the start, is passed over for the next', async () => {
    const { deps } = fakes({ 'us-west-2': 'OK', 'eu-west-1': 'OK' });
    const start = deps.startExecution;
    let first = true;
    deps.executionsStartedSince = async (region) => {
      if (region === 'us-west-2') throw new Error('connect ETIMEDOUT');
      return [] as number[];
    };
    deps.startExecution = async (region, doc, parameters) => {
      if (first && region === 'eu-west-1') {
        first = false;
        throw new Error('AccessDeniedException: not authorized');
      }
      return start(region, doc, parameters);
    };
    const refused = await decideFailover(SETTINGS, deps, 'ALARM');
    expect(refused).toMatchObject({ action: 'no-healthy-region' });
    expect(refused.regionsChecked).toEqual([
      { region: 'us-west-2', state: 'OK, but SSM unreachable (connect ETIMEDOUT)' },
      { region: 'eu-west-1', state: 'OK, but the start failed (AccessDeniedException: not authorized)' },
    ]);
    expect(refused.reason).toBe('no other Region is healthy and able to start the failover: nothing was started; decide by hand');
    expect((await decideFailover(SETTINGS, deps, 'ALARM')).targetRegion).toBe('eu-west-1');
  });

  test('starts nothing within the cool-down of an earlier failover to that Region', async () => {
    const { deps, calls } = fakes({ 'us-west-2': 'OK' }, { 'us-west-2': [NOW - 20 * 60_000] });
    const decision = await decideFailover(SETTINGS, deps, 'ALARM');
    expect(decision).toMatchObject({ action: 'cooling-down', targetRegion: 'us-west-2' });
    expect(decision.reason).toBe('a failover to us-west-2 started at 2026-11-26T01:40:00.000Z, within the 60-minute cool-down');
    expect(calls.some((c) => c.startsWith('start'))).toBe(false);
  });

  test('starts nothing when no other Region is healthy', async () => {
    const { deps, calls } = fakes({ 'us-west-2': 'ALARM', 'eu-west-1': 'INSUFFICIENT_DATA' });
    const decision = await decideFailover(SETTINGS, deps, 'ALARM');
    expect(decision).toMatchObject({
      action: 'no-healthy-region',
      regionsChecked: [{ region: 'us-west-2', state: 'ALARM' }, { region: 'eu-west-1', state: 'INSUFFICIENT_DATA' }],
    });
    expect(calls.some((c) => c.startsWith('start'))).toBe(false);
  });

  test('ignores an alarm that cleared, and a Region whose alarm is missing', async () => {
    expect((await decideFailover(SETTINGS, fakes({}).deps, 'OK')).action).toBe('ignored');
    const decision = await decideFailover(SETTINGS, fakes({}).deps, 'ALARM');
    expect(decision.regionsChecked).toEqual([{ region: 'us-west-2', state: 'missing' }, { region: 'eu-west-1', state: 'missing' }]);
  });

  test('starts nothing when the writer is not in the impaired Region: a promotion would move a writer that is not impaired', async () => {
    // After a failover to us-west-2, us-east-1 rejoined as a secondary; then eu-west-1 is impaired.
    const { deps, calls } = fakes({ 'us-east-1': 'OK', 'us-west-2': 'OK' }, {}, { database: globalDatabase(SETTINGS.regions, 'us-west-2') });
    const decision = await decideFailover({ ...SETTINGS, impairedRegion: 'eu-west-1', requireApproval: false }, deps, 'ALARM');
    expect(decision).toEqual({
      action: 'writer-elsewhere',
      impairedRegion: 'eu-west-1',
      writerRegion: 'us-west-2',
      regionsChecked: [{ region: 'us-east-1', state: 'OK' }],
      reason: 'the writer of global database \'orders\' is in us-west-2, not in eu-west-1: a failover would move a writer that is not impaired and ' +
        'could lose its latest writes, so nothing was started. Check with status that the traffic is on us-west-2; rebuild or wait for eu-west-1 ' +
        '(docs/operations.md)',
    });
    expect(calls).toEqual(['describe us-east-1 orders-us-east-1-region-impaired', 'rds us-east-1 orders']);
  });

  test('reads the writer from the next healthy Region when one Region\'s RDS cannot describe the global database, and starts there', async () => {
    const { deps, calls } = fakes({ 'us-west-2': 'OK', 'eu-west-1': 'OK' }, {}, {
      database: globalDatabase(SETTINGS.regions, 'us-east-1'), errors: { 'us-west-2': new Error('ThrottlingException: Rate exceeded') },
    });
    const decision = await decideFailover(SETTINGS, deps, 'ALARM');
    expect(decision).toMatchObject({ action: 'started', writerRegion: 'us-east-1', targetRegion: 'eu-west-1' });
    expect(decision.regionsChecked).toEqual([
      { region: 'us-west-2', state: 'OK, but RDS could not describe the global database (ThrottlingException: Rate exceeded)' },
      { region: 'eu-west-1', state: 'OK' },
    ]);
    expect(calls.filter((c) => c.startsWith('start'))).toHaveLength(1);
  });

  test('starts nothing while the writer is unclear: the global database missing, without a writer, or in the middle of a move', async () => {
    const cases: [GlobalClusterView | undefined, string][] = [
      [undefined, 'global database \'orders\' was not found from us-west-2 (detached or deleted?): nothing was started; decide by hand (status)'],
      [globalDatabase(SETTINGS.regions, undefined),
        'no member of global database \'orders\' is the writer, as us-west-2 describes it: nothing was started; decide by hand (status)'],
      [globalDatabase(SETTINGS.regions, 'us-east-1', {
        failoverState: { status: 'failing-over', fromClusterArn: clusterArn('us-east-1'), toClusterArn: clusterArn('eu-west-1') },
      }), `a failing-over of global database 'orders' is under way (from ${clusterArn('us-east-1')} to ${clusterArn('eu-west-1')}): nothing was ` +
        'started; follow it with status'],
    ];
    for (const [database, reason] of cases) {
      const { deps, calls } = fakes({ 'us-west-2': 'OK', 'eu-west-1': 'OK' }, {}, { database });
      expect(await decideFailover(SETTINGS, deps, 'ALARM')).toEqual({
        action: 'writer-unclear', impairedRegion: 'us-east-1', regionsChecked: [{ region: 'us-west-2', state: 'OK' }], reason,
      });
      expect(calls.some((c) => c.startsWith('start') || c.startsWith('executions'))).toBe(false);
    }
    // No Region's RDS answers: nothing is known, nothing starts.
    const { deps, calls } = fakes({ 'us-west-2': 'OK', 'eu-west-1': 'OK' }, {}, { database: new Error('connect ETIMEDOUT') });
    expect(await decideFailover(SETTINGS, deps, 'ALARM')).toMatchObject({ action: 'no-healthy-region' });
    expect(calls.some((c) => c.startsWith('start'))).toBe(false);
  });
});

describe('the automatic failover decision, on random deployments', () => {
  const ALL = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
  const answer = fc.oneof(
    fc.constantFrom<string | Error | undefined>('OK', 'OK', 'ALARM', 'INSUFFICIENT_DATA', undefined),
    fc.constant(new Error('connect ETIMEDOUT')),
  );
  const deployment = fc.integer({ min: 2, max: ALL.length }).chain((n) => fc.record({
    regions: fc.shuffledSubarray(ALL, { minLength: n, maxLength: n }),
    impaired: fc.nat(n - 1),
    writer: fc.option(fc.nat(n - 1), { freq: 5 }),
    underway: fc.boolean(),
    alarms: fc.array(answer, { minLength: n, maxLength: n }),
    rdsFails: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    ssmFails: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    recent: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
  }));

  test('a failover starts only away from an impaired writer, toward one healthy Region whose own RDS read that writer, once', async () => {
    await fc.assert(fc.asyncProperty(deployment, async (d) => {
      const impaired = d.regions[d.impaired];
      const writer = d.writer === null ? undefined : d.regions[d.writer];
      const settings: TriggerSettings = {
        ...SETTINGS,
        impairedRegion: impaired,
        regions: d.regions,
        impairedAlarmNames: Object.fromEntries(d.regions.map((r) => [r, `orders-${r}-region-impaired`])),
      };
      const database = globalDatabase(d.regions, writer, d.underway ? { failoverState: { status: 'switching-over' } } : {});
      const at = (r: string) => d.regions.indexOf(r);
      const { deps, calls } = fakes(Object.fromEntries(d.regions.map((r, i) => [r, d.alarms[i]])),
        Object.fromEntries(d.regions.filter((r) => d.recent[at(r)]).map((r) => [r, [NOW - 60_000]])), {
          database,
          errors: Object.fromEntries(d.regions.filter((r) => d.rdsFails[at(r)]).map((r) => [r, new Error('ThrottlingException')])),
        });
      const executions = deps.executionsStartedSince;
      deps.executionsStartedSince = async (region, doc, since) => {
        if (d.ssmFails[at(region)]) throw new Error('connect ETIMEDOUT');
        return executions(region, doc, since);
      };
      const decision = await decideFailover(settings, deps, 'ALARM');
      const starts = calls.filter((c) => c.startsWith('start '));
      expect(starts.length).toBeLessThanOrEqual(1);
      // And it does start when it should: an impaired writer, nothing under way or cooling down, a Region able to read and to start.
      const others = d.regions.filter((r) => r !== impaired);
      const able = (r: string) => d.alarms[at(r)] === 'OK' && !d.ssmFails[at(r)] && !d.rdsFails[at(r)];
      if (writer === impaired && !d.underway && others.some(able) && others.every((r) => !d.recent[at(r)])) expect(starts).toHaveLength(1);
      if (starts.length === 0) return;
      const target = starts[0].split(' ')[1];
      // The invariant: the writer was in the impaired Region, as a healthy Region's RDS read it, and no move was under way.
      expect(writer).toBe(impaired);
      expect(d.underway).toBe(false);
      expect(target).not.toBe(impaired);
      expect(d.alarms[at(target)]).toBe('OK');
      expect(d.ssmFails[at(target)] || d.recent[at(target)]).toBe(false);
      const read = calls.find((c) => c.startsWith('rds ') && !d.rdsFails[at(c.split(' ')[1])]);
      expect(read).toBeDefined();
      expect(d.alarms[at(read!.split(' ')[1])]).toBe('OK');
      expect(decision).toMatchObject({ action: 'started', targetRegion: target, writerRegion: impaired });
    }), { numRuns: 2_000 });
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
