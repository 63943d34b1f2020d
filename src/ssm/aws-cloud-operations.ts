import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  RemoveFromGlobalClusterCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CloudOperations, GlobalClusterView } from './cloud-operations';
import { awsRoutingDataPlane } from '../arc/aws-data-plane';
import { RoutingDataPlane } from '../arc/routing-states';
import { boundedRequests } from '../bounded-requests';

/** Where the runbook runs and how it reaches AWS. */
export interface AwsCloudOperationsConfig {
  /** The Region the runbook runs in: the Region being activated. */
  readonly region: string;
  /** A different endpoint for RDS, CloudWatch and Secrets Manager (tests against a local moto_server). */
  readonly endpoint?: string;
  /** The ARC data plane to use. Default: the AWS SDK client. */
  readonly routing?: RoutingDataPlane;
}

/**
 * {@link CloudOperations} through the AWS SDK, every call in `config.region` (the Region
 * being activated) or on the ARC data plane: nothing calls the Region being left.
 */
export function awsCloudOperations(config: AwsCloudOperationsConfig): CloudOperations {
  const clientConfig = {
    region: config.region,
    requestHandler: boundedRequests(5_000, 20_000),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
  };
  const rds = new RDSClient(clientConfig);
  const cloudwatch = new CloudWatchClient(clientConfig);
  const secrets = new SecretsManagerClient(clientConfig);
  return {
    routing: config.routing ?? awsRoutingDataPlane(),

    async describeGlobalCluster(identifier): Promise<GlobalClusterView | undefined> {
      let out;
      try {
        out = await rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: identifier }));
      } catch (e) {
        if ((e as Error).name === 'GlobalClusterNotFoundFault') return undefined;
        throw e;
      }
      const g = out.GlobalClusters?.find((c) => c.GlobalClusterIdentifier === identifier);
      if (!g) return undefined;
      return {
        identifier: g.GlobalClusterIdentifier ?? identifier,
        status: g.Status ?? 'unknown',
        members: (g.GlobalClusterMembers ?? []).map((m) => ({
          clusterArn: m.DBClusterArn ?? '',
          isWriter: m.IsWriter === true,
          synchronizationStatus: m.SynchronizationStatus,
        })),
        failoverState: g.FailoverState?.Status
          ? {
            status: g.FailoverState.Status,
            fromClusterArn: g.FailoverState.FromDbClusterArn,
            toClusterArn: g.FailoverState.ToDbClusterArn,
            isDataLossAllowed: g.FailoverState.IsDataLossAllowed,
          }
          : undefined,
      };
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

    async clusterStatus(clusterArn) {
      try {
        const out = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterArn }));
        return out.DBClusters?.[0]?.Status;
      } catch (e) {
        if ((e as Error).name === 'DBClusterNotFoundFault') return undefined;
        throw e;
      }
    },

    async rpoLagMs(clusterIdentifier) {
      const end = new Date();
      const out = await cloudwatch.send(new GetMetricStatisticsCommand({
        Namespace: 'AWS/RDS',
        MetricName: 'AuroraGlobalDBRPOLag',
        Dimensions: [{ Name: 'DBClusterIdentifier', Value: clusterIdentifier }],
        StartTime: new Date(end.getTime() - 5 * 60_000),
        EndTime: end,
        Period: 60,
        Statistics: ['Maximum'],
      }));
      const latest = (out.Datapoints ?? [])
        .filter((d) => d.Timestamp !== undefined && d.Maximum !== undefined)
        .sort((a, b) => b.Timestamp!.getTime() - a.Timestamp!.getTime())[0];
      return latest?.Maximum;
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

    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
