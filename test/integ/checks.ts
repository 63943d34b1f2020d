/**
 * What the integration run decides pass or fail on, as plain functions over what AWS
 * answered: where the writer is, which Regions the routing controls send traffic to, how
 * the deployment's self-test ended, which Region the API answered from. Each returns the
 * problems it found, every one saying what was expected and what was found; none calls
 * AWS, so each is unit-tested (checks.test.ts).
 */
import type { RoutingControlState } from '../../src/arc/routing-states';
import type { GlobalClusterView, RunbookRegion } from '../../src/ssm/cloud-operations';
import { addedInstanceIdentifier } from '../../src/ssm/runbook-steps';

/** What was read of the deployment at one moment. */
export interface Placement {
  /** The global database, as `DescribeGlobalClusters` answered; undefined when it was not found. */
  readonly globalCluster?: GlobalClusterView;
  /** Each routing control's state, by ARN, as the ARC data plane answered. */
  readonly routingStates: Record<string, RoutingControlState>;
  /** The deployment's Regions: each one's cluster and routing control (the published topology). */
  readonly regions: readonly RunbookRegion[];
}

/** The Region of an ARN (`arn:aws:rds:us-west-2:111111111111:cluster:orders-us-west-2`); undefined when it has none. */
export function regionOfArn(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region ? region : undefined;
}

/** The Regions whose cluster is the writer of the global database. */
export function writerRegions(placement: Placement): string[] {
  return (placement.globalCluster?.members ?? [])
    .filter((m) => m.isWriter)
    .map((m) => placement.regions.find((r) => r.clusterArn === m.clusterArn)?.region ?? regionOfArn(m.clusterArn) ?? m.clusterArn);
}

/** The Regions whose routing control is On. */
export function routedRegions(placement: Placement): string[] {
  return placement.regions.filter((r) => placement.routingStates[r.routingControlArn] === 'On').map((r) => r.region);
}

/** One line for the log: `writer us-east-1; traffic us-east-1 On, us-west-2 Off`. */
export function describePlacement(placement: Placement): string {
  const writers = placement.globalCluster ? writerRegions(placement).join(', ') || 'none' : 'global cluster not found';
  const operation = placement.globalCluster?.failoverState ? ` (${placement.globalCluster.failoverState.status} in progress)` : '';
  const routing = placement.regions.map((r) => `${r.region} ${placement.routingStates[r.routingControlArn] ?? 'unknown'}`).join(', ');
  return `writer ${writers}${operation}; traffic ${routing}`;
}

/**
 * Problems with the deployment being settled in `expected`: the global database's only
 * writer is that Region's cluster, no switchover or failover is still under way, every
 * Region's cluster is still a member, and the routing controls are On for `expected`
 * and Off for every other Region.
 */
export function placementProblems(expected: string, placement: Placement): string[] {
  const problems: string[] = [];
  if (!placement.regions.some((r) => r.region === expected)) {
    return [`expected ${expected} to be a Region of the deployment, found only ${placement.regions.map((r) => r.region).join(', ')}`];
  }
  const view = placement.globalCluster;
  if (!view) {
    problems.push(`expected the global database with its writer in ${expected}, found no global database`);
  } else {
    const writers = writerRegions(placement);
    if (writers.length !== 1 || writers[0] !== expected) {
      problems.push(`expected the writer in ${expected} only, found ${writers.length === 0 ? 'no writer' : `the writer in ${writers.join(' and ')}`}`);
    }
    if (view.failoverState) {
      problems.push(`expected no operation under way on the global database, found a ${view.failoverState.status} to ${view.failoverState.toClusterArn ?? 'unknown'}`);
    }
    const missing = placement.regions.filter((r) => !view.members.some((m) => m.clusterArn === r.clusterArn)).map((r) => r.region);
    if (missing.length > 0) problems.push(`expected every Region's cluster in the global database, found ${missing.join(', ')} missing`);
  }
  for (const region of placement.regions) {
    const want: RoutingControlState = region.region === expected ? 'On' : 'Off';
    const found = placement.routingStates[region.routingControlArn];
    if (found !== want) problems.push(`expected the routing control of ${region.region} ${want}, found it ${found ?? 'unreadable'}`);
  }
  return problems;
}

/** An automation execution, as `DescribeAutomationExecutions` lists it. */
export interface ExecutionSummary {
  readonly executionId: string;
  readonly documentName: string;
  readonly status: string;
  readonly startTime?: number;
  readonly failureMessage?: string;
}

/** The self-test document of deployment `name`. */
export function selfTestDocumentName(name: string): string {
  return `${name}-SelfTest`;
}

/**
 * Problems with the self-test of `region`: the deployment ran it (its custom resource
 * starts it and fails the deployment unless it succeeds), so its latest execution must
 * be there and have ended `Success`.
 */
export function selfTestProblems(region: string, name: string, executions: readonly ExecutionSummary[]): string[] {
  const documentName = selfTestDocumentName(name);
  const own = executions.filter((e) => e.documentName === documentName);
  if (own.length === 0) return [`expected an execution of ${documentName} in ${region} (the deployment starts one), found none`];
  const latest = [...own].sort((a, b) => (b.startTime ?? 0) - (a.startTime ?? 0))[0];
  if (latest.status === 'Success') return [];
  return [`expected the latest ${documentName} in ${region} (${latest.executionId}) to have ended Success, found ${latest.status}` +
    `${latest.failureMessage ? `: ${latest.failureMessage}` : ''}`];
}

/** The Region in the example API's answer (`{"region":"us-west-2"}`); undefined when the body is not that. */
export function apiAnswerRegion(body: string): string | undefined {
  try {
    const region = (JSON.parse(body) as { region?: unknown } | null)?.region;
    return typeof region === 'string' && region !== '' ? region : undefined;
  } catch {
    return undefined;
  }
}

/** What the command-line tool's exit status means (its `--help` lists them). */
export const CLI_EXIT: Record<number, string> = { 0: 'succeeded', 1: 'failed', 2: 'usage error', 3: 'refused by a pre-flight check, nothing changed' };

/** Problems with a command of the tool ending `code` (null: killed by a signal), where `0` was expected. */
export function cliProblems(command: string, code: number | null): string[] {
  if (code === 0) return [];
  const meaning = code === null ? 'killed by a signal' : CLI_EXIT[code] ?? 'an unknown status';
  return [`expected '${command}' to exit 0 (succeeded), found ${code ?? 'no exit status'} (${meaning})`];
}

/** Whether a dry run's status means "not yet" (a pre-flight refusal: lag not measured yet, not in sync yet) rather than a failure. */
export function dryRunShouldWait(code: number | null): boolean {
  return code === 3;
}

/**
 * The instances of `clusterIdentifier` a runbook added to it (a headless cluster gets
 * one before it becomes writer). Its stack does not know them, so `cdk destroy` cannot
 * delete the cluster until they are deleted.
 */
export function runbookAddedInstances(clusterIdentifier: string, instanceIdentifiers: readonly string[]): string[] {
  const added = addedInstanceIdentifier(clusterIdentifier);
  return instanceIdentifiers.filter((id) => id.toLowerCase() === added.toLowerCase());
}
