import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { SSMClient, StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { TriggerDependencies } from './failover-trigger';
import { boundedRequests } from '../bounded-requests';
import { listExecutions } from '../ssm/aws-executions';
import { describeGlobalClusterWith } from '../ssm/aws-global-cluster';

/** Pages of recent failover runs read after the first at most: far more than a cool-down of failovers fills. */
const MAX_PAGES = 20;

/** The automatic failover's calls through the AWS SDK: CloudWatch, RDS and SSM in each Region. */
export function awsTriggerDependencies(regions: readonly string[], endpoint?: string): TriggerDependencies {
  const clientConfig = (region: string, maxAttempts = 2) => ({
    region,
    maxAttempts,
    requestHandler: boundedRequests(3_000, 10_000),
    ...(endpoint ? { endpoint } : {}),
  });
  const cloudwatch = new Map(regions.map((r) => [r, new CloudWatchClient(clientConfig(r))]));
  const rds = new Map(regions.map((r) => [r, new RDSClient(clientConfig(r))]));
  const ssm = new Map(regions.map((r) => [r, new SSMClient(clientConfig(r))]));
  // The start, one attempt: a retry is the function's own, with the same idempotency token.
  const ssmStart = new Map(regions.map((r) => [r, new SSMClient(clientConfig(r, 1))]));
  const client = <T>(clients: Map<string, T>, region: string): T => {
    const c = clients.get(region);
    if (!c) throw new Error(`${region} is not one of the workload's Regions (${regions.join(', ')})`);
    return c;
  };
  return {
    async alarmState(region, alarmName) {
      const out = await client(cloudwatch, region).send(new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['CompositeAlarm'] }));
      return out.CompositeAlarms?.[0]?.StateValue;
    },
    async executionsStartedSince(region, documentName, since) {
      // Every page, bounded: an empty page may come with a token, and a listing that does not end cannot be read.
      const listing = await listExecutions(client(ssm, region), [documentName], since, { since, maxPages: MAX_PAGES });
      return listing.map((e) => e.ExecutionStartTime?.getTime() ?? since);
    },
    async describeGlobalCluster(region, identifier) {
      return describeGlobalClusterWith(client(rds, region), identifier);
    },
    async startExecution(region, documentName, parameters, clientToken) {
      const out = await client(ssmStart, region).send(new StartAutomationExecutionCommand({
        DocumentName: documentName,
        Parameters: parameters,
        ClientToken: clientToken,
      }));
      if (!out.AutomationExecutionId) throw new Error(`StartAutomationExecution of ${documentName} in ${region} answered no execution id`);
      return out.AutomationExecutionId;
    },
    now: () => Date.now(),
  };
}
