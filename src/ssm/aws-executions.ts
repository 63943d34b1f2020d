import { AutomationExecutionMetadata, DescribeAutomationExecutionsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { EndedExecution, RunningExecution } from './cloud-operations';

/**
 * How far back runs are looked for: longer than any run lasts (an approval waits at most
 * 7 days, a wait step at most 5 hours).
 */
const LOOKBACK_MS = 8 * 24 * 3600_000;

/** How much of the listing a caller reads. */
export interface ListingBound {
  /** Executions started after this instant (epoch ms). Default: 8 days before `now`. */
  readonly since?: number;
  /**
   * Pages read at most after the first; a listing that goes on, or answers a page token
   * twice, is an error (a listing that does not end cannot be read). Default: every page.
   */
  readonly maxPages?: number;
}

/**
 * Every execution of `documentNames` in the Region of `ssm` started in the last 8 days
 * (or since `bound.since`), every page read: the API reference documents no order for
 * the listing, so callers sort what they need themselves (docs/aws-assumptions.md, S18).
 */
export async function listExecutions(
  ssm: SSMClient, documentNames: readonly string[], now: number, bound: ListingBound = {},
): Promise<AutomationExecutionMetadata[]> {
  const prefix = commonPrefix(documentNames);
  const since = bound.since ?? now - LOOKBACK_MS;
  const found: AutomationExecutionMetadata[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    if (bound.maxPages !== undefined && token !== undefined) {
      if (seen.has(token)) {
        throw new Error(`DescribeAutomationExecutions in ${await ssm.config.region()} answered a page token twice: its listing does not end`);
      }
      if (seen.size >= bound.maxPages) {
        throw new Error(`DescribeAutomationExecutions in ${await ssm.config.region()} did not end after ${bound.maxPages + 1} pages`);
      }
      seen.add(token);
    }
    const out = await ssm.send(new DescribeAutomationExecutionsCommand({
      Filters: [
        ...(prefix ? [{ Key: 'DocumentNamePrefix' as const, Values: [prefix] }] : []),
        { Key: 'StartTimeAfter', Values: [new Date(since).toISOString().replace(/\.\d{3}Z$/, 'Z')] },
      ],
      MaxResults: 50,
      NextToken: token,
    }));
    found.push(...(out.AutomationExecutionMetadataList ?? []).filter((e) => e.DocumentName && documentNames.includes(e.DocumentName)));
    token = out.NextToken;
  } while (token);
  return found;
}

/**
 * The executions of `documentNames` in the Region of `ssm` that have not ended. A run has
 * not ended while it has no `ExecutionEndTime` (the SSM API reference: the end time "isn't
 * populated if the execution is still in progress"), whatever its status.
 */
export async function runningExecutionsOf(
  ssm: SSMClient, region: string, documentNames: readonly string[], now: number,
): Promise<RunningExecution[]> {
  return runningIn(await listExecutions(ssm, documentNames, now), region);
}

/** The executions of a listing that have not ended. */
export function runningIn(listing: AutomationExecutionMetadata[], region: string): RunningExecution[] {
  return listing
    .filter((e) => e.ExecutionEndTime === undefined)
    .map((e) => ({ ...summaryOf(e, region), currentStep: e.CurrentStepName || undefined }));
}

/**
 * The last `limit` executions of `documentNames` in the Region of `ssm` that ended in the
 * last 8 days, the one that ended last first (sorted here by `ExecutionEndTime`).
 */
export async function endedExecutionsOf(
  ssm: SSMClient, region: string, documentNames: readonly string[], now: number, limit: number,
): Promise<EndedExecution[]> {
  return endedIn(await listExecutions(ssm, documentNames, now), region, limit);
}

/** The last `limit` executions of a listing that ended, the one that ended last first. */
export function endedIn(listing: AutomationExecutionMetadata[], region: string, limit: number): EndedExecution[] {
  return listing
    .filter((e) => e.ExecutionEndTime !== undefined)
    .map((e) => ({ ...summaryOf(e, region), endTime: e.ExecutionEndTime!.getTime() }))
    .sort((a, b) => b.endTime - a.endTime)
    .slice(0, limit);
}

/** What a running and an ended execution share. */
function summaryOf(e: AutomationExecutionMetadata, region: string) {
  return {
    executionId: e.AutomationExecutionId ?? '',
    documentName: e.DocumentName!,
    region,
    status: e.AutomationExecutionStatus ?? 'unknown',
    startTime: e.ExecutionStartTime?.getTime() ?? 0,
  };
}

function commonPrefix(names: readonly string[]): string {
  if (names.length === 0) return '';
  let prefix = names[0];
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
