import { DescribeAutomationExecutionsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { RunningExecution } from './cloud-operations';

/**
 * How far back runs are looked for: longer than any run lasts (an approval waits at most
 * 7 days, a wait step at most 5 hours).
 */
const LOOKBACK_MS = 8 * 24 * 3600_000;

/**
 * The executions of `documentNames` in the Region of `ssm` that have not ended. A run has
 * not ended while it has no `ExecutionEndTime` (the SSM API reference: the end time "isn't
 * populated if the execution is still in progress"), whatever its status.
 */
export async function runningExecutionsOf(
  ssm: SSMClient, region: string, documentNames: readonly string[], now: number,
): Promise<RunningExecution[]> {
  const prefix = commonPrefix(documentNames);
  const found: RunningExecution[] = [];
  let token: string | undefined;
  do {
    const out = await ssm.send(new DescribeAutomationExecutionsCommand({
      Filters: [
        ...(prefix ? [{ Key: 'DocumentNamePrefix' as const, Values: [prefix] }] : []),
        { Key: 'StartTimeAfter', Values: [new Date(now - LOOKBACK_MS).toISOString().replace(/\.\d{3}Z$/, 'Z')] },
      ],
      MaxResults: 50,
      NextToken: token,
    }));
    for (const e of out.AutomationExecutionMetadataList ?? []) {
      if (!e.DocumentName || !documentNames.includes(e.DocumentName) || e.ExecutionEndTime !== undefined) continue;
      found.push({
        executionId: e.AutomationExecutionId ?? '',
        documentName: e.DocumentName,
        region,
        status: e.AutomationExecutionStatus ?? 'unknown',
        startTime: e.ExecutionStartTime?.getTime() ?? 0,
        currentStep: e.CurrentStepName || undefined,
      });
    }
    token = out.NextToken;
  } while (token);
  return found;
}

function commonPrefix(names: readonly string[]): string {
  if (names.length === 0) return '';
  let prefix = names[0];
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
