import { FakeArcServer } from './fake-arc-server';
import { awsRoutingDataPlane } from '../../src/arc/aws-data-plane';
import { readStates } from '../../src/arc/routing-states';

const EAST = 'arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/east';

describe('the ARC data plane through the AWS SDK', () => {
  const savedEnv = { ...process.env };
  beforeAll(() => Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' }));
  afterAll(() => {
    process.env = savedEnv;
  });

  // An impaired endpoint may accept the connection and never answer. The SDK only warns
  // when its requestTimeout passes unless told to throw: without that, this read would
  // wait on the first endpoint until the caller's own time ran out.
  test('an endpoint that never answers is given up after its request timeout, and the next one answers', async () => {
    const arc = new FakeArcServer();
    const endpoints = await arc.start(['us-east-1', 'us-west-2'], [EAST]);
    arc.states.set(EAST, 'On');
    arc.hangOn('us-east-1');
    try {
      expect(await readStates(awsRoutingDataPlane(), endpoints, [EAST])).toEqual({ [EAST]: 'On' });
      // The hanging endpoint records nothing: it never reads the request.
      expect(arc.requests.map(({ region, operation }) => ({ region, operation }))).toEqual([{ region: 'us-west-2', operation: 'GetRoutingControlState' }]);
    } finally {
      await arc.stop();
    }
  }, 40_000);
});
