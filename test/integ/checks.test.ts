import {
  apiAnswerRegion, cliProblems, describePlacement, dryRunShouldWait, ExecutionSummary, Placement, placementProblems, regionOfArn,
  routedRegions, runbookAddedInstances, selfTestDocumentName, selfTestProblems, writerRegions,
} from './checks';
import type { RunbookRegion } from '../../src/ssm/cloud-operations';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const clusterArn = (region: string) => `arn:aws:rds:${region}:111111111111:cluster:integ-abc-${region}`;
const controlArn = (region: string) => `arn:aws:route53-recovery-control::111111111111:controlpanel/p1/routingcontrol/${region}`;
const REGIONS: RunbookRegion[] = [EAST, WEST].map((region) => ({
  region, clusterIdentifier: `integ-abc-${region}`, clusterArn: clusterArn(region), routingControlArn: controlArn(region),
}));

/** A settled deployment: `writer` holds the writer, `routed` the traffic. */
function placement(writer: string | undefined, routed: Record<string, 'On' | 'Off' | undefined>, extra: Partial<Placement> = {}): Placement {
  return {
    globalCluster: {
      identifier: 'integ-abc',
      status: 'available',
      members: REGIONS.map((r) => ({ clusterArn: r.clusterArn, isWriter: r.region === writer, synchronizationStatus: r.region === writer ? undefined : 'connected' })),
    },
    routingStates: Object.fromEntries(Object.entries(routed).filter(([, s]) => s !== undefined).map(([region, s]) => [controlArn(region), s!])),
    regions: REGIONS,
    ...extra,
  };
}

describe('regionOfArn', () => {
  test.each([
    [clusterArn(WEST), WEST],
    ['arn:aws:rds::111111111111:global-cluster:integ-abc', undefined],
    ['not an arn', undefined],
  ])('%s -> %s', (arn, region) => expect(regionOfArn(arn)).toBe(region));
});

describe('placementProblems', () => {
  test('none when the writer and the traffic are both in the expected Region', () => {
    expect(placementProblems(EAST, placement(EAST, { [EAST]: 'On', [WEST]: 'Off' }))).toEqual([]);
    expect(placementProblems(WEST, placement(WEST, { [EAST]: 'Off', [WEST]: 'On' }))).toEqual([]);
  });

  test('the writer in the other Region', () => {
    expect(placementProblems(WEST, placement(EAST, { [EAST]: 'Off', [WEST]: 'On' }))).toEqual([
      'expected the writer in us-west-2 only, found the writer in us-east-1',
    ]);
  });

  test('no writer at all, and two writers', () => {
    expect(placementProblems(EAST, placement(undefined, { [EAST]: 'On', [WEST]: 'Off' }))).toEqual([
      'expected the writer in us-east-1 only, found no writer',
    ]);
    const two = placement(EAST, { [EAST]: 'On', [WEST]: 'Off' });
    const both = { ...two, globalCluster: { ...two.globalCluster!, members: two.globalCluster!.members.map((m) => ({ ...m, isWriter: true })) } };
    expect(placementProblems(EAST, both)).toEqual(['expected the writer in us-east-1 only, found the writer in us-east-1 and us-west-2']);
  });

  test('traffic still on the old Region, or on both, or unreadable: one problem per control', () => {
    expect(placementProblems(WEST, placement(WEST, { [EAST]: 'On', [WEST]: 'Off' }))).toEqual([
      'expected the routing control of us-east-1 Off, found it On',
      'expected the routing control of us-west-2 On, found it Off',
    ]);
    expect(placementProblems(WEST, placement(WEST, { [EAST]: 'On', [WEST]: 'On' }))).toEqual([
      'expected the routing control of us-east-1 Off, found it On',
    ]);
    expect(placementProblems(EAST, placement(EAST, { [EAST]: 'On', [WEST]: undefined }))).toEqual([
      'expected the routing control of us-west-2 Off, found it unreadable',
    ]);
  });

  test('a switchover still under way is not settled, even with the writer already moved', () => {
    const moving = placement(WEST, { [EAST]: 'Off', [WEST]: 'On' });
    const view = { ...moving.globalCluster!, failoverState: { status: 'switching-over', fromClusterArn: clusterArn(EAST), toClusterArn: clusterArn(WEST) } };
    expect(placementProblems(WEST, { ...moving, globalCluster: view })).toEqual([
      `expected no operation under way on the global database, found a switching-over to ${clusterArn(WEST)}`,
    ]);
  });

  test('a Region whose cluster left the global database', () => {
    const p = placement(EAST, { [EAST]: 'On', [WEST]: 'Off' });
    const view = { ...p.globalCluster!, members: p.globalCluster!.members.filter((m) => m.clusterArn === clusterArn(EAST)) };
    expect(placementProblems(EAST, { ...p, globalCluster: view })).toEqual([
      "expected every Region's cluster in the global database, found us-west-2 missing",
    ]);
  });

  test('no global database: the writer problem, and the routing still checked', () => {
    expect(placementProblems(EAST, { ...placement(EAST, { [EAST]: 'Off', [WEST]: 'On' }), globalCluster: undefined })).toEqual([
      'expected the global database with its writer in us-east-1, found no global database',
      'expected the routing control of us-east-1 On, found it Off',
      'expected the routing control of us-west-2 Off, found it On',
    ]);
  });

  test('a Region the deployment does not have', () => {
    expect(placementProblems('eu-west-1', placement(EAST, { [EAST]: 'On', [WEST]: 'Off' }))).toEqual([
      'expected eu-west-1 to be a Region of the deployment, found only us-east-1, us-west-2',
    ]);
  });

  test('a writer outside the topology is named by its ARN\'s Region', () => {
    const p = placement(undefined, { [EAST]: 'On', [WEST]: 'Off' });
    const view = { ...p.globalCluster!, members: [...p.globalCluster!.members, { clusterArn: 'arn:aws:rds:eu-west-1:111111111111:cluster:other', isWriter: true }] };
    expect(writerRegions({ ...p, globalCluster: view })).toEqual(['eu-west-1']);
    const odd = { ...p.globalCluster!, members: [{ clusterArn: 'odd', isWriter: true }] };
    expect(writerRegions({ ...p, globalCluster: odd })).toEqual(['odd']);
  });
});

describe('describePlacement and routedRegions', () => {
  test('one line with the writer and each control', () => {
    const p = placement(EAST, { [EAST]: 'On', [WEST]: 'Off' });
    expect(describePlacement(p)).toBe('writer us-east-1; traffic us-east-1 On, us-west-2 Off');
    expect(routedRegions(p)).toEqual([EAST]);
  });

  test('an operation under way, no writer, no global database, an unreadable control', () => {
    const p = placement(undefined, { [EAST]: 'On', [WEST]: undefined });
    expect(describePlacement(p)).toBe('writer none; traffic us-east-1 On, us-west-2 unknown');
    const moving = { ...p, globalCluster: { ...p.globalCluster!, failoverState: { status: 'switching-over' } } };
    expect(describePlacement(moving)).toBe('writer none (switching-over in progress); traffic us-east-1 On, us-west-2 unknown');
    expect(describePlacement({ ...p, globalCluster: undefined })).toBe('writer global cluster not found; traffic us-east-1 On, us-west-2 unknown');
  });
});

describe('selfTestProblems', () => {
  const execution = (id: string, status: string, startTime?: number, failureMessage?: string): ExecutionSummary =>
    ({ executionId: id, documentName: selfTestDocumentName('integ-abc'), status, startTime, failureMessage });

  test('the latest execution of the document decides', () => {
    expect(selfTestProblems(EAST, 'integ-abc', [execution('old', 'Failed', 1), execution('new', 'Success', 2)])).toEqual([]);
    expect(selfTestProblems(EAST, 'integ-abc', [execution('new', 'Failed', 2, 'self-test failed at step Check'), execution('old', 'Success', 1)])).toEqual([
      'expected the latest integ-abc-SelfTest in us-east-1 (new) to have ended Success, found Failed: self-test failed at step Check',
    ]);
    expect(selfTestProblems(WEST, 'integ-abc', [execution('only', 'InProgress')])).toEqual([
      'expected the latest integ-abc-SelfTest in us-west-2 (only) to have ended Success, found InProgress',
    ]);
  });

  test('none at all, or only another deployment\'s (a prefix filter also matches integ-abcd-SelfTest)', () => {
    expect(selfTestProblems(EAST, 'integ-abc', [])).toEqual(['expected an execution of integ-abc-SelfTest in us-east-1 (the deployment starts one), found none']);
    expect(selfTestProblems(EAST, 'integ-abc', [{ ...execution('x', 'Success', 1), documentName: 'integ-abcd-SelfTest' }])).toHaveLength(1);
  });
});

describe('apiAnswerRegion', () => {
  test.each([
    ['{"region":"us-west-2"}', WEST],
    ['{"region":""}', undefined],
    ['{"message":"Forbidden"}', undefined],
    ['null', undefined],
    ['<html>502 Bad Gateway</html>', undefined],
  ])('%s -> %s', (body, region) => expect(apiAnswerRegion(body)).toBe(region));
});

describe('cliProblems and dryRunShouldWait', () => {
  test('exit 0 passes; every other status says what it means', () => {
    expect(cliProblems('switchover --to us-west-2', 0)).toEqual([]);
    expect(cliProblems('switchover --to us-west-2', 1)).toEqual(["expected 'switchover --to us-west-2' to exit 0 (succeeded), found 1 (failed)"]);
    expect(cliProblems('failback --to us-east-1', 3)).toEqual([
      "expected 'failback --to us-east-1' to exit 0 (succeeded), found 3 (refused by a pre-flight check, nothing changed)",
    ]);
    expect(cliProblems('status', 7)).toEqual(["expected 'status' to exit 0 (succeeded), found 7 (an unknown status)"]);
    expect(cliProblems('status', null)).toEqual(["expected 'status' to exit 0 (succeeded), found no exit status (killed by a signal)"]);
  });

  test('only a pre-flight refusal is worth waiting out', () => {
    expect([0, 1, 2, 3, null].map(dryRunShouldWait)).toEqual([false, false, false, true, false]);
  });
});

describe('runbookAddedInstances', () => {
  test('the instance a runbook adds to a headless cluster, and nothing the stack made', () => {
    expect(runbookAddedInstances('integ-abc-us-west-2', ['integ-abc-us-west-2-writer', 'integ-abc-us-west-2-instance1'])).toEqual(['integ-abc-us-west-2-writer']);
    expect(runbookAddedInstances('integ-abc-us-east-1', ['databaseinstance1abcd', 'databaseinstance2efgh'])).toEqual([]);
  });

  test('the identifier is the one the runbook gives it, for a long cluster name too', () => {
    const long = `integ-${'x'.repeat(50)}-us-west-2`;
    const [added] = runbookAddedInstances(long, [`${long.slice(0, 56)}-writer`, `${long}-writer`]);
    expect(added).toBe(`${long.slice(0, 56)}-writer`);
  });
});
