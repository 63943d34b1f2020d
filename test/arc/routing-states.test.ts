import { ENDPOINTS, FakeDataPlane } from './fake-data-plane';
import { onAnyEndpoint, readStates, statesFor, updateStates } from '../../src/arc/routing-states';

const EAST = 'arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/east';
const WEST = 'arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/west';
const EU = 'arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/eu';

describe('statesFor', () => {
  test('turns the active controls On and every other Off', () => {
    expect(statesFor([EAST, WEST, EU], [WEST])).toEqual([
      { routingControlArn: EAST, state: 'Off' },
      { routingControlArn: WEST, state: 'On' },
      { routingControlArn: EU, state: 'Off' },
    ]);
  });
  test('refuses to turn every Region off, and unknown controls', () => {
    expect(() => statesFor([EAST, WEST], [])).toThrow('refusing to turn every routing control Off: at least one Region must receive traffic');
    expect(() => statesFor([EAST, WEST], [EU])).toThrow(`routing controls ${EU} are not among the topology's controls`);
  });
});

describe('rotating through the cluster endpoints', () => {
  test('uses the first endpoint that answers, starting where asked', async () => {
    const plane = new FakeDataPlane([EAST, WEST]).failOn('eu-west-1', 'ap-northeast-1');
    const lines: string[] = [];
    await updateStates(plane, ENDPOINTS, statesFor([EAST, WEST], [EAST]), 2, (l) => lines.push(l));
    expect(plane.calls.map((c) => c.endpoint)).toEqual(['eu-west-1', 'ap-northeast-1', 'ap-southeast-2']);
    expect(Object.fromEntries(plane.states)).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
    expect(lines[lines.length - 1]).toBe('UpdateRoutingControlStates: succeeded on ap-southeast-2');
  });

  test('wraps around past the last endpoint', async () => {
    const plane = new FakeDataPlane([EAST, WEST]).failOn('ap-southeast-2');
    await updateStates(plane, ENDPOINTS, statesFor([EAST, WEST], [WEST]), 4);
    expect(plane.calls.map((c) => c.endpoint)).toEqual(['ap-southeast-2', 'us-east-1']);
  });

  test('changes several controls in one call: no moment with both or neither Region on', async () => {
    const plane = new FakeDataPlane([EAST, WEST]);
    await updateStates(plane, ENDPOINTS, statesFor([EAST, WEST], [EAST]));
    await updateStates(plane, ENDPOINTS, statesFor([EAST, WEST], [WEST]));
    expect(plane.calls.filter((c) => c.action === 'update')).toHaveLength(2);
    expect(Object.fromEntries(plane.states)).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
  });

  test('fails with every endpoint\'s error when all five fail, and changes nothing', async () => {
    const plane = new FakeDataPlane([EAST, WEST]).failOn(...ENDPOINTS.map((e) => e.region));
    await expect(updateStates(plane, ENDPOINTS, statesFor([EAST, WEST], [EAST]))).rejects.toThrow(
      /^UpdateRoutingControlStates failed on all 5 ARC cluster endpoints: us-east-1 \(https:\/\/host-abc123\.route53-recovery-cluster\.us-east-1\.amazonaws\.com\/v1\): TimeoutError: connect ETIMEDOUT .*ap-southeast-2.*Check network access to the ARC data plane/,
    );
    expect(Object.fromEntries(plane.states)).toEqual({ [EAST]: 'Off', [WEST]: 'Off' });
  });

  test('refuses an empty endpoint list', async () => {
    await expect(onAnyEndpoint('X', [], async () => 1)).rejects.toThrow('X: the ARC cluster has no endpoint to call');
  });

  test('reads every control\'s state', async () => {
    const plane = new FakeDataPlane([EAST, WEST]).failOn('us-east-1');
    await updateStates(plane, ENDPOINTS, statesFor([EAST, WEST], [EAST]));
    expect(await readStates(plane, ENDPOINTS, [EAST, WEST])).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
  });
});
