import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { DescribeAutomationExecutionsCommand, SSMClient, StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { TriggerDependencies } from './failover-trigger';
import { boundedRequests } from '../bounded-requests';
import { describeGlobalClusterWith } from '../ssm/aws-global-cluster';

/** The automatic failover's calls through the AWS SDK: CloudWatch, RDS and SSM in each Region. */
export function awsTriggerDependencies(regions: readonly string[], endpoint?: string): TriggerDependencies {
  const clientConfig = (region: string) => ({
    region,
    maxAttempts: 2,
    requestHandler: boundedRequests(3_000, 10_000),
    ...(endpoint ? { endpoint } : {}),
  });
  const cloudwatch = new Map(regions.map((r) => [r, new CloudWatchClient(clientConfig(r))]));
  const rds = new Map(regions.map((r) => [r, new RDSClient(clientConfig(r))]));
  const ssm = new Map(regions.map((r) => [r, new SSMClient(clientConfig(r))]));
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
      const out = await client(ssm, region).send(new DescribeAutomationExecutionsCommand({
        Filters: [
          { Key: 'DocumentNamePrefix', Values: [documentName] },
          { Key: 'StartTimeAfter', Values: [new Date(since).toISOString().replace(/\.\d{3}Z$/, 'Z')] },
        ],
      }));
      return (out.AutomationExecutionMetadataList ?? [])
        .filter((e) => e.DocumentName === documentName)
        .map((e) => e.ExecutionStartTime?.getTime() ?? since);
    },
    async describeGlobalCluster(region, identifier) {
      return describeGlobalClusterWith(client(rds, region), identifier);
    },
    async startExecution(region, documentName, parameters) {
      const out = await client(ssm, region).send(new StartAutomationExecutionCommand({ DocumentName: documentName, Parameters: parameters }));
      if (!out.AutomationExecutionId) throw new Error(`StartAutomationExecution of ${documentName} in ${region} answered no execution id`);
      return out.AutomationExecutionId;
    },
    now: () => Date.now(),
  };
}
