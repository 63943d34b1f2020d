import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { DescribeAutomationExecutionsCommand, SSMClient, StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { TriggerDependencies } from './failover-trigger';
import { boundedRequests } from '../bounded-requests';
import { describeGlobalClusterWith } from '../ssm/aws-global-cluster';

/** Pages of recent failover runs read at most: far more than a cool-down of failovers fills. */
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
      const started: number[] = [];
      const seen = new Set<string>();
      let token: string | undefined;
      do {
        // Bounded: a listing that does not end is a listing that cannot be read.
        if (token !== undefined && seen.has(token)) {
          throw new Error(`DescribeAutomationExecutions in ${region} answered a page token twice: its listing does not end`);
        }
        if (seen.size >= MAX_PAGES) throw new Error(`DescribeAutomationExecutions in ${region} did not end after ${MAX_PAGES + 1} pages`);
        if (token !== undefined) seen.add(token);
        // Every page: an empty page may come with a token.
        const out = await client(ssm, region).send(new DescribeAutomationExecutionsCommand({
          Filters: [
            { Key: 'DocumentNamePrefix', Values: [documentName] },
            { Key: 'StartTimeAfter', Values: [new Date(since).toISOString().replace(/\.\d{3}Z$/, 'Z')] },
          ],
          NextToken: token,
        }));
        started.push(...(out.AutomationExecutionMetadataList ?? [])
          .filter((e) => e.DocumentName === documentName)
          .map((e) => e.ExecutionStartTime?.getTime() ?? since));
        token = out.NextToken;
      } while (token);
      return started;
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
