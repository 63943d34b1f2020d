import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateKeyCommand, DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateDBClusterCommand, CreateGlobalClusterCommand, DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
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
    await rds.send(new CreateGlobalClusterCommand({ GlobalClusterIdentifier: 'orders', Engine: 'aurora-postgresql', EngineVersion: '16.13', StorageEncrypted: true }));
    await rds.send(new CreateDBClusterCommand({
      DBClusterIdentifier: 'orders-us-east-1',
      Engine: 'aurora-postgresql',
      EngineVersion: '16.13',
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

  test('reads a Regional cluster by ARN, with its instances; a missing one is undefined', async () => {
    const view = await ops().describeGlobalCluster('orders');
    const arn = view!.members[0].clusterArn;
    expect(await ops().describeCluster(arn)).toEqual({ status: 'available', kmsKeyId: expect.any(String), globalClusterIdentifier: 'orders', instances: [] });
    expect(await ops().describeCluster('arn:aws:rds:us-east-1:123456789012:cluster:missing')).toBeUndefined();
    // The writer instance a runbook gives a headless cluster.
    await ops().addInstance(arn, 'orders-us-east-1-writer', 'db.r6g.large');
    expect(await ops().describeCluster(arn)).toMatchObject({ instances: [{ identifier: 'orders-us-east-1-writer', status: 'available' }] });
  });

  test('reads a KMS key\'s state: enabled, disabled, missing', async () => {
    const kms = new KMSClient({ region: REGION, endpoint: moto.endpoint });
    const created = (await kms.send(new CreateKeyCommand({ Description: 'orders' }))).KeyMetadata!;
    const key = created.Arn!;
    expect(await ops().keyState(key)).toBe('Enabled');
    await kms.send(new DisableKeyCommand({ KeyId: created.KeyId }));
    expect(await ops().keyState(key)).toBe('Disabled');
    expect(await ops().keyState('arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  test('reads the latest AuroraGlobalDBRPOLag data point, however old within the look-back; none is undefined', async () => {
    const cloudwatch = new CloudWatchClient({ region: REGION, endpoint: moto.endpoint });
    const now = Date.now();
    const point = (cluster: string, agoMs: number, value: number) => ({
      MetricName: 'AuroraGlobalDBRPOLag', Dimensions: [{ Name: 'DBClusterIdentifier', Value: cluster }], Timestamp: new Date(now - agoMs), Value: value, Unit: 'Milliseconds' as const,
    });
    await cloudwatch.send(new PutMetricDataCommand({
      Namespace: 'AWS/RDS',
      MetricData: [point('orders-us-west-2', 180_000, 4000), point('orders-us-west-2', 30_000, 750), point('orders-eu-west-1', 3 * 3600_000, 9000)],
    }));
    const latest = await ops().lastRpoLag('orders-us-west-2', 24 * 3600_000);
    expect(latest?.valueMs).toBe(750);
    expect(Math.abs(latest!.at - (now - 30_000))).toBeLessThan(60_000);
    // A secondary whose primary went dark three hours ago: its last data point is still found.
    expect((await ops().lastRpoLag('orders-eu-west-1', 24 * 3600_000))?.valueMs).toBe(9000);
    expect(await ops().lastRpoLag('orders-eu-west-1', 3600_000)).toBeUndefined();
    expect(await ops().lastRpoLag('orders-ap-south-1', 24 * 3600_000)).toBeUndefined();
  });

  test('the rebuild creates a secondary with global write forwarding when its spec has it, and without when not', async () => {
    const spec = (id: string, globalWriteForwarding?: boolean) => ({
      region: REGION,
      clusterIdentifier: id,
      engineVersion: '16.13',
      port: 5432,
      subnetGroupName: 'default',
      securityGroupIds: [],
      parameterGroupName: 'default.aurora-postgresql16',
      kmsKeyId: 'alias/aws/rds',
      backupRetentionDays: 7,
      deletionProtection: false,
      instances: [],
      ...(globalWriteForwarding === undefined ? {} : { globalWriteForwarding }),
    });
    await ops().createSecondaryCluster('orders', spec('orders-forwarding', true));
    await ops().createSecondaryCluster('orders', spec('orders-plain'));
    const requested = async (id: string) =>
      (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters![0].GlobalWriteForwardingRequested;
    expect(await requested('orders-forwarding')).toBe(true);
    expect(await requested('orders-plain')).toBe(false);
  });

  test('detaches a member from the global cluster', async () => {
    const created = await rds.send(new CreateDBClusterCommand({
      DBClusterIdentifier: 'orders-detach',
      Engine: 'aurora-postgresql',
      EngineVersion: '16.13',
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
