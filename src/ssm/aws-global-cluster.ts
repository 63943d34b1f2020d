import { DescribeGlobalClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { GlobalClusterView } from './cloud-operations';

/**
 * `DescribeGlobalClusters` of one global database through `rds` (any Region's RDS
 * describes it, members and writer included), in the shape the runbooks and the
 * automatic failover read; undefined when it does not exist. Its own module, so a bundle
 * that reads the global database carries the RDS client and nothing else of the runbooks'.
 */
export async function describeGlobalClusterWith(rds: RDSClient, identifier: string): Promise<GlobalClusterView | undefined> {
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
}
