import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateDBClusterCommand, CreateGlobalClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import { MotoServer } from './moto-server';
import { awsCloudOperations } from '../../src/ssm/aws-cloud-operations';
import { FakeDataPlane } from '../arc/fake-data-plane';

// moto keeps global clusters in its us-east-1 backend only.
const REGION = 'us-east-1';

describe('awsCloudOperations against a local moto_server', () => {
  let moto: MotoServer;
  let rds: RDSClient;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' });
    moto = await MotoServer.start();
    rds = new RDSClient({ region: REGION, endpoint: moto.endpoint });
    await rds.send(new CreateGlobalClusterCommand({ GlobalClusterIdentifier: 'orders', Engine: 'aurora-postgresql', EngineVersion: '16.6', StorageEncrypted: true }));
    await rds.send(new CreateDBClusterCommand({
      DBClusterIdentifier: 'orders-us-east-1',
      Engine: 'aurora-postgresql',
      EngineVersion: '16.6',
      GlobalClusterIdentifier: 'orders',
      MasterUsername: 'dbadmin',
      MasterUserPassword: 'not-a-real-password-1',
    }));
  }, 60_000);

  afterAll(async () => {
    process.env = savedEnv;
    await moto?.stop();
  });

  const ops = () => awsCloudOperations({ region: REGION, endpoint: moto.endpoint, routing: new FakeDataPlane() });

  test('describes the global cluster: members, writer, status', async () => {
    const view = await ops().describeGlobalCluster('orders');
    expect(view).toMatchObject({ identifier: 'orders', status: 'available' });
    expect(view!.members).toEqual([
      { clusterArn: expect.stringMatching(/^arn:aws:rds:us-east-1:\d{12}:cluster:orders-us-east-1$/), isWriter: true, synchronizationStatus: undefined },
    ]);
    expect(view!.failoverState).toBeUndefined();
  });

  test('a missing global cluster is undefined, not an error', async () => {
    expect(await ops().describeGlobalCluster('nope')).toBeUndefined();
  });

  test('reads a Regional cluster\'s status by ARN; a missing one is undefined', async () => {
    const view = await ops().describeGlobalCluster('orders');
    expect(await ops().clusterStatus(view!.members[0].clusterArn)).toBe('available');
    expect(await ops().clusterStatus('arn:aws:rds:us-east-1:123456789012:cluster:missing')).toBeUndefined();
  });

  test('reads the latest AuroraGlobalDBRPOLag data point; none recent is undefined', async () => {
    const cloudwatch = new CloudWatchClient({ region: REGION, endpoint: moto.endpoint });
    const now = Date.now();
    await cloudwatch.send(new PutMetricDataCommand({
      Namespace: 'AWS/RDS',
      MetricData: [
        { MetricName: 'AuroraGlobalDBRPOLag', Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'orders-us-west-2' }], Timestamp: new Date(now - 180_000), Value: 4000, Unit: 'Milliseconds' },
        { MetricName: 'AuroraGlobalDBRPOLag', Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'orders-us-west-2' }], Timestamp: new Date(now - 30_000), Value: 750, Unit: 'Milliseconds' },
      ],
    }));
    expect(await ops().rpoLagMs('orders-us-west-2')).toBe(750);
    expect(await ops().rpoLagMs('orders-eu-west-1')).toBeUndefined();
  });

  test('detaches a member from the global cluster', async () => {
    const created = await rds.send(new CreateDBClusterCommand({
      DBClusterIdentifier: 'orders-detach',
      Engine: 'aurora-postgresql',
      EngineVersion: '16.6',
      MasterUsername: 'dbadmin',
      MasterUserPassword: 'not-a-real-password-1',
    }));
    await rds.send(new CreateGlobalClusterCommand({ GlobalClusterIdentifier: 'detach-me', SourceDBClusterIdentifier: created.DBCluster!.DBClusterArn }));
    const before = await ops().describeGlobalCluster('detach-me');
    expect(before!.members).toHaveLength(1);
    await ops().detachFromGlobalCluster('detach-me', before!.members[0].clusterArn);
    expect((await ops().describeGlobalCluster('detach-me'))!.members).toEqual([]);
  });
});
