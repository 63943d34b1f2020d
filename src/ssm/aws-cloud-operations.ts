import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  CreateGlobalClusterCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DeleteGlobalClusterCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  FailoverGlobalClusterCommand,
  ModifyDBClusterCommand,
  ModifyGlobalClusterCommand,
  RDSClient,
  RemoveFromGlobalClusterCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { runningExecutionsOf } from './aws-executions';
import { describeGlobalClusterWith } from './aws-global-cluster';
import { CloudOperations, ClusterView, GlobalClusterView, InstanceSpec, ClusterSpec } from './cloud-operations';
import { awsRoutingDataPlane } from '../arc/aws-data-plane';
import { RoutingDataPlane } from '../arc/routing-states';
import { boundedRequests } from '../bounded-requests';

/** Where the runbook runs and how it reaches AWS. */
export interface AwsCloudOperationsConfig {
  /** The Region the runbook runs in: the Region being activated. */
  readonly region: string;
  /** A different endpoint for RDS, CloudWatch, KMS, Secrets Manager and SSM (tests against a local moto_server). */
  readonly endpoint?: string;
  /** The ARC data plane to use. Default: the AWS SDK client. */
  readonly routing?: RoutingDataPlane;
}

/**
 * {@link CloudOperations} through the AWS SDK. Every call that changes something is made
 * in `config.region` (the Region being activated) or on the ARC data plane; the only
 * calls to other Regions read the runbook executions under way there, with short bounds.
 */
export function awsCloudOperations(config: AwsCloudOperationsConfig): CloudOperations {
  const clientConfig = {
    region: config.region,
    requestHandler: boundedRequests(5_000, 20_000),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
  };
  const rds = new RDSClient(clientConfig);
  // RDS of another Region, for the rebuild (a stale member is removed, a global database
  // created, in the Region of the cluster concerned).
  const rdsClients = new Map<string, RDSClient>([[config.region, rds]]);
  const rdsIn = (region: string) => {
    if (!rdsClients.has(region)) rdsClients.set(region, new RDSClient({ ...clientConfig, region }));
    return rdsClients.get(region)!;
  };
  const regionOf = (arn: string) => arn.split(':')[3] || config.region;
  const idOf = (arn: string) => arn.split(':').pop()!;
  const ignoring = async (names: string[], call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (e) {
      if (!names.includes((e as Error).name)) throw e;
    }
  };
  const cloudwatch = new CloudWatchClient(clientConfig);
  const secrets = new SecretsManagerClient(clientConfig);
  const kms = new KMSClient(clientConfig);
  // SSM of every Region, for the runs under way there: one quick attempt, an impaired Region must not hold a step up.
  const ssm = new Map<string, SSMClient>();
  const ssmIn = (region: string) => {
    if (!ssm.has(region)) {
      ssm.set(region, new SSMClient({
        region,
        maxAttempts: 1,
        requestHandler: boundedRequests(2_000, 5_000),
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      }));
    }
    return ssm.get(region)!;
  };
  return {
    routing: config.routing ?? awsRoutingDataPlane(),

    async describeGlobalCluster(identifier): Promise<GlobalClusterView | undefined> {
      return describeGlobalClusterWith(rds, identifier);
    },

    async switchoverGlobalCluster(identifier, targetClusterArn) {
      await rds.send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: identifier, TargetDbClusterIdentifier: targetClusterArn }));
    },

    async failoverGlobalCluster(identifier, targetClusterArn) {
      await rds.send(new FailoverGlobalClusterCommand({
        GlobalClusterIdentifier: identifier,
        TargetDbClusterIdentifier: targetClusterArn,
        AllowDataLoss: true,
      }));
    },

    async detachFromGlobalCluster(identifier, clusterArn) {
      await rds.send(new RemoveFromGlobalClusterCommand({ GlobalClusterIdentifier: identifier, DbClusterIdentifier: clusterArn }));
    },

    async describeCluster(clusterArn): Promise<ClusterView | undefined> {
      const rdsThere = rdsIn(regionOf(clusterArn));
      let cluster;
      try {
        cluster = (await rdsThere.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterArn }))).DBClusters?.[0];
      } catch (e) {
        if ((e as Error).name === 'DBClusterNotFoundFault') return undefined;
        throw e;
      }
      if (!cluster) return undefined;
      const ids = (cluster.DBClusterMembers ?? []).map((m) => m.DBInstanceIdentifier).filter((id): id is string => !!id);
      // The filter takes a cluster identifier or ARN (RDS API reference, DescribeDBInstances).
      const instances = ids.length === 0 ? [] : (await rdsThere.send(new DescribeDBInstancesCommand({
        Filters: [{ Name: 'db-cluster-id', Values: [cluster.DBClusterIdentifier ?? clusterArn] }],
      }))).DBInstances ?? [];
      return {
        status: cluster.Status ?? 'unknown',
        kmsKeyId: cluster.KmsKeyId,
        ...(cluster.GlobalClusterIdentifier ? { globalClusterIdentifier: cluster.GlobalClusterIdentifier } : {}),
        instances: ids.map((id) => ({ identifier: id, status: instances.find((i) => i.DBInstanceIdentifier === id)?.DBInstanceStatus ?? 'unknown' })),
      };
    },

    async keyState(keyId) {
      try {
        return (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState;
      } catch (e) {
        if ((e as Error).name === 'NotFoundException') return undefined;
        throw e;
      }
    },

    async addInstance(clusterArn, instanceIdentifier, instanceClass) {
      await rds.send(new CreateDBInstanceCommand({
        DBInstanceIdentifier: instanceIdentifier,
        DBClusterIdentifier: idOf(clusterArn),
        DBInstanceClass: instanceClass,
        Engine: 'aurora-postgresql',
        PromotionTier: 0,
      }));
    },

    async removeFromGlobalCluster(identifier, clusterArn) {
      const input = { GlobalClusterIdentifier: identifier, DbClusterIdentifier: clusterArn };
      await rdsIn(regionOf(clusterArn)).send(new RemoveFromGlobalClusterCommand(input));
    },

    async deleteGlobalCluster(identifier) {
      await rds.send(new ModifyGlobalClusterCommand({ GlobalClusterIdentifier: identifier, DeletionProtection: false }));
      await rds.send(new DeleteGlobalClusterCommand({ GlobalClusterIdentifier: identifier }));
    },

    async createGlobalCluster(identifier, sourceClusterArn) {
      await rdsIn(regionOf(sourceClusterArn)).send(new CreateGlobalClusterCommand({
        GlobalClusterIdentifier: identifier,
        SourceDBClusterIdentifier: sourceClusterArn,
        DeletionProtection: true,
      }));
    },

    async deleteInstance(clusterArn, instanceIdentifier) {
      await ignoring(
        ['DBInstanceNotFoundFault'],
        () => rdsIn(regionOf(clusterArn)).send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: instanceIdentifier })),
      );
    },

    async deleteCluster(clusterArn, finalSnapshotIdentifier) {
      const client = rdsIn(regionOf(clusterArn));
      await client.send(new ModifyDBClusterCommand({ DBClusterIdentifier: idOf(clusterArn), DeletionProtection: false, ApplyImmediately: true }));
      await client.send(new DeleteDBClusterCommand({ DBClusterIdentifier: idOf(clusterArn), FinalDBSnapshotIdentifier: finalSnapshotIdentifier }));
    },

    async createSecondaryCluster(identifier, spec: ClusterSpec) {
      // A secondary names no master user, password or database: it inherits them.
      await rdsIn(spec.region).send(new CreateDBClusterCommand({
        DBClusterIdentifier: spec.clusterIdentifier,
        GlobalClusterIdentifier: identifier,
        Engine: 'aurora-postgresql',
        EngineVersion: spec.engineVersion,
        Port: spec.port,
        DBSubnetGroupName: spec.subnetGroupName,
        VpcSecurityGroupIds: spec.securityGroupIds,
        DBClusterParameterGroupName: spec.parameterGroupName,
        StorageEncrypted: true,
        KmsKeyId: spec.kmsKeyId,
        EnableIAMDatabaseAuthentication: true,
        EnableCloudwatchLogsExports: ['postgresql'],
        DeletionProtection: spec.deletionProtection,
        BackupRetentionPeriod: spec.backupRetentionDays,
        CopyTagsToSnapshot: true,
        PreferredMaintenanceWindow: spec.preferredMaintenanceWindow,
        EnableGlobalWriteForwarding: spec.globalWriteForwarding === true ? true : undefined,
        ServerlessV2ScalingConfiguration: spec.serverlessV2Scaling
          ? { MinCapacity: spec.serverlessV2Scaling.minCapacity, MaxCapacity: spec.serverlessV2Scaling.maxCapacity }
          : undefined,
      }));
    },

    async createInstance(spec: ClusterSpec, instance: InstanceSpec) {
      const insights = instance.performanceInsightsKmsKeyId !== undefined;
      await rdsIn(spec.region).send(new CreateDBInstanceCommand({
        DBInstanceIdentifier: instance.identifier,
        DBClusterIdentifier: spec.clusterIdentifier,
        DBInstanceClass: instance.instanceClass,
        Engine: 'aurora-postgresql',
        PromotionTier: instance.promotionTier,
        PubliclyAccessible: false,
        AutoMinorVersionUpgrade: true,
        EnablePerformanceInsights: insights,
        ...(insights ? { PerformanceInsightsKMSKeyId: instance.performanceInsightsKmsKeyId, PerformanceInsightsRetentionPeriod: 7 } : {}),
        ...(instance.monitoringRoleArn
          ? { MonitoringInterval: instance.monitoringIntervalSeconds, MonitoringRoleArn: instance.monitoringRoleArn }
          : {}),
      }));
    },

    async lastRpoLag(clusterIdentifier, lookbackMs) {
      const end = new Date();
      // Newest first, one data point: the last measurement, however long ago it was taken.
      const out = await cloudwatch.send(new GetMetricDataCommand({
        MetricDataQueries: [{
          Id: 'lag',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/RDS',
              MetricName: 'AuroraGlobalDBRPOLag',
              Dimensions: [{ Name: 'DBClusterIdentifier', Value: clusterIdentifier }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        }],
        StartTime: new Date(end.getTime() - lookbackMs),
        EndTime: end,
        ScanBy: 'TimestampDescending',
        MaxDatapoints: 1,
      }));
      const result = out.MetricDataResults?.find((r) => r.Id === 'lag');
      const points = (result?.Timestamps ?? []).map((t, i) => ({ at: t.getTime(), valueMs: result!.Values?.[i] }))
        .filter((p): p is { at: number; valueMs: number } => p.valueMs !== undefined)
        .sort((a, b) => b.at - a.at);
      return points[0];
    },

    async secretAvailable(secretName) {
      try {
        const out = await secrets.send(new DescribeSecretCommand({ SecretId: secretName }));
        return out.DeletedDate === undefined;
      } catch (e) {
        if ((e as Error).name === 'ResourceNotFoundException') return false;
        throw e;
      }
    },

    runningExecutions: (region, documentNames) => runningExecutionsOf(ssmIn(region), region, documentNames, Date.now()),

    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
