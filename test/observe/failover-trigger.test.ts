import { decideFailover, settingsFromEnvironment, TriggerDependencies, TriggerSettings } from '../../src/observe/failover-trigger';

const SETTINGS: TriggerSettings = {
  impairedRegion: 'us-east-1',
  regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
  impairedAlarmNames: {
    'us-east-1': 'orders-us-east-1-region-impaired',
    'us-west-2': 'orders-us-west-2-region-impaired',
    'eu-west-1': 'orders-eu-west-1-region-impaired',
  },
  failoverDocumentName: 'orders-Failover',
  coolDownMs: 3_600_000,
  requireApproval: true,
  approvers: [],
};
const NOW = Date.UTC(2026, 10, 26, 2, 0, 0);

/** Alarm states per Region (an Error: the Region cannot be asked), and failovers already started. */
function fakes(states: Record<string, string | Error | undefined>, started: Record<string, number[]> = {}) {
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
    expect(decision).toMatchObject({ action: 'started', targetRegion: 'us-west-2', executionId: 'exec-1', regionsChecked: [{ region: 'us-west-2', state: 'OK' }] });
    expect(decision.reason).toBe('us-east-1 is impaired and us-west-2 is healthy: started orders-Failover there, waiting for an approver');
    expect(calls).toEqual([
      'describe us-west-2 orders-us-west-2-region-impaired',
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
});

describe('the trigger\'s settings', () => {
  const env = {
    AWS_REGION: 'us-east-1',
    REGIONS: JSON.stringify(SETTINGS.regions),
    IMPAIRED_ALARMS: JSON.stringify(SETTINGS.impairedAlarmNames),
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
