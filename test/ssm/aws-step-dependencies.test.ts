import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { MotoServer } from './moto-server';
import { awsReadinessPublisher, awsStepDependencies } from '../../src/ssm/aws-step-dependencies';
import { parseReadiness, publishReadiness, ReadinessEvaluation } from '../../src/ssm/readiness';
import { FakeDataPlane } from '../arc/fake-data-plane';

const REGION = 'us-west-2';
const AURORA = '/cdk-cross-region-failover/orders/aurora';
const ROUTING = '/cdk-cross-region-failover/orders/routing';

const auroraDoc = {
  version: 1,
  globalClusterIdentifier: 'orders',
  globalClusterArn: 'arn:aws:rds::111111111111:global-cluster:orders',
  secretName: 'orders-aurora-master',
  port: 5432,
  regions: ['us-east-1', 'us-west-2'].map((r, i) => ({
    region: r, clusterIdentifier: `orders-${r}`, clusterArn: `arn:aws:rds:${r}:111111111111:cluster:orders-${r}`, initialPrimary: i === 0,
  })),
};
const routingDoc = {
  version: 1,
  name: 'orders',
  domainName: 'api.example.com',
  clusterArn: 'arn:aws:route53-recovery-control::111111111111:cluster/c1',
  controlPanelArn: 'arn:aws:route53-recovery-control::111111111111:controlpanel/p1',
  clusterEndpoints: [{ Endpoint: 'https://e1.route53-recovery-cluster.us-west-2.amazonaws.com/v1', Region: 'us-west-2' }],
  regions: ['us-east-1', 'us-west-2'].map((r, i) => ({
    region: r, routingControlArn: `arn:aws:route53-recovery-control::111111111111:controlpanel/p1/routingcontrol/${r}`, healthCheckId: `hc-${r}`, initiallyActive: i === 0,
  })),
};

describe('the step function\'s AWS dependencies against a local moto_server', () => {
  let moto: MotoServer;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' });
    moto = await MotoServer.start();
  }, 60_000);

  afterAll(async () => {
    process.env = savedEnv;
    await moto?.stop();
  });

  const deps = () => awsStepDependencies({
    region: REGION, auroraParameterName: AURORA, routingParameterName: ROUTING, endpoint: moto.endpoint, routing: new FakeDataPlane(),
  });

  test('a missing parameter names the stack to deploy', async () => {
    await expect(deps().loadTopology()).rejects.toThrow(
      /SSM parameter \/cdk-cross-region-failover\/orders\/(aurora|routing) does not exist in us-west-2: deploy the (database|routing) stack of this Region first\./,
    );
  });

  test('reads the topology the stacks publish in this Region', async () => {
    const ssm = new SSMClient({ region: REGION, endpoint: moto.endpoint });
    await ssm.send(new PutParameterCommand({ Name: AURORA, Type: 'String', Value: JSON.stringify(auroraDoc), Overwrite: true }));
    await ssm.send(new PutParameterCommand({ Name: ROUTING, Type: 'String', Value: JSON.stringify(routingDoc), Overwrite: true }));
    const topology = await deps().loadTopology();
    expect(topology).toEqual({
      globalClusterIdentifier: 'orders',
      secretName: 'orders-aurora-master',
      clusterEndpoints: [{ endpoint: 'https://e1.route53-recovery-cluster.us-west-2.amazonaws.com/v1', region: 'us-west-2' }],
      regions: ['us-east-1', 'us-west-2'].map((r) => ({
        region: r,
        clusterIdentifier: `orders-${r}`,
        clusterArn: `arn:aws:rds:${r}:111111111111:cluster:orders-${r}`,
        routingControlArn: `arn:aws:route53-recovery-control::111111111111:controlpanel/p1/routingcontrol/${r}`,
      })),
    });
  });

  test('one request per step invocation reads both topology parameters (there were two)', async () => {
    const send = jest.spyOn(SSMClient.prototype, 'send');
    try {
      await deps().loadTopology();
      expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual(['GetParametersCommand']);
      expect((send.mock.calls[0][0] as GetParametersCommand).input.Names).toEqual([AURORA, ROUTING]);
    } finally {
      send.mockRestore();
    }
  });

  test('a damaged parameter is refused with the fix', async () => {
    const ssm = new SSMClient({ region: REGION, endpoint: moto.endpoint });
    await ssm.send(new PutParameterCommand({ Name: ROUTING, Type: 'String', Value: '{"version":1}', Overwrite: true }));
    await expect(deps().loadTopology()).rejects.toThrow(/SSM parameter \/cdk-cross-region-failover\/orders\/routing does not hold a valid routing topology: .*Redeploy the routing stack/);
    await ssm.send(new PutParameterCommand({ Name: ROUTING, Type: 'String', Value: JSON.stringify(routingDoc), Overwrite: true }));
  });

  test('the secret replica check: present, absent, scheduled for deletion', async () => {
    const secrets = new SecretsManagerClient({ region: REGION, endpoint: moto.endpoint });
    const cloud = deps().cloud;
    expect(await cloud.secretAvailable('orders-aurora-master')).toBe(false);
    await secrets.send(new CreateSecretCommand({ Name: 'orders-aurora-master', SecretString: '{"username":"dbadmin"}' }));
    expect(await cloud.secretAvailable('orders-aurora-master')).toBe(true);
    await secrets.send(new DeleteSecretCommand({ SecretId: 'orders-aurora-master', RecoveryWindowInDays: 7 }));
    expect(await cloud.secretAvailable('orders-aurora-master')).toBe(false);
  });

  test('a readiness evaluation published through the SDK: the metric with its dimensions, and the parameter overwritten', async () => {
    const evaluation: ReadinessEvaluation = {
      name: 'orders',
      region: REGION,
      evaluatedAt: new Date(Date.now() - 60_000).toISOString(),
      ready: false,
      runbooks: [
        { runbook: 'switchover', ready: false, outcome: 'refused', reason: 'us-west-2 lags 45000 ms behind the writer' },
        { runbook: 'failover', ready: true, outcome: 'passed', reason: 'ok' },
        { runbook: 'failback', ready: false, outcome: 'refused', reason: 'lags' },
        { runbook: 'rebuild', ready: true, outcome: 'nothing-to-do', reason: 'connected' },
      ],
    };
    const publisher = awsReadinessPublisher(REGION, moto.endpoint);
    await publishReadiness(evaluation, publisher);
    await publishReadiness({ ...evaluation, ready: true, evaluatedAt: new Date().toISOString() }, publisher);

    const cloudwatch = new CloudWatchClient({ region: REGION, endpoint: moto.endpoint });
    const listed = await cloudwatch.send(new ListMetricsCommand({ Namespace: 'CdkCrossRegionFailover', MetricName: 'RunbookReady' }));
    const dimensions = (listed.Metrics ?? []).map((m) => Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, d.Value])));
    // One metric per runbook and one for all of them (moto lists a metric once per put).
    expect([...new Set(dimensions.map((d) => JSON.stringify(d)))].map((d) => JSON.parse(d)).sort((a, b) => a.Runbook.localeCompare(b.Runbook)))
      .toEqual(['all', 'failback', 'failover', 'rebuild', 'switchover'].map((runbook) => ({ Deployment: 'orders', Region: REGION, Runbook: runbook })));
    const stats = await cloudwatch.send(new GetMetricStatisticsCommand({
      Namespace: 'CdkCrossRegionFailover',
      MetricName: 'RunbookReady',
      Statistics: ['Minimum', 'SampleCount'],
      Period: 3600,
      Dimensions: [{ Name: 'Deployment', Value: 'orders' }, { Name: 'Region', Value: REGION }, { Name: 'Runbook', Value: 'all' }],
      StartTime: new Date(Date.now() - 3600_000),
      EndTime: new Date(Date.now() + 60_000),
    }));
    const sum = (stats.Datapoints ?? []).reduce((a, d) => ({ min: Math.min(a.min, d.Minimum!), n: a.n + d.SampleCount! }), { min: 1, n: 0 });
    expect(sum).toEqual({ min: 0, n: 2 });

    const ssm = new SSMClient({ region: REGION, endpoint: moto.endpoint });
    const out = await ssm.send(new GetParametersCommand({ Names: ['/cdk-cross-region-failover/orders/readiness'] }));
    expect(parseReadiness(out.Parameters?.[0]?.Value)?.ready).toBe(true);
  });
});

