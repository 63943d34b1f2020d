/**
 * The opt-in automatic failover of ObservedWorkload: when a Region's "Region impaired"
 * composite alarm goes into ALARM and that Region holds the global database's writer,
 * start the failover runbook in a healthy Region.
 *
 * The decision is a plain function over {@link TriggerDependencies}, so it is tested
 * against fakes; `failover-trigger.lambda.ts` wires in the AWS SDK.
 */

import type { GlobalClusterView } from '../ssm/cloud-operations';

/** How the trigger is configured (the function's environment). */
export interface TriggerSettings {
  /** The Region whose composite alarm fired: the Region the function runs in. */
  readonly impairedRegion: string;
  /** Every Region of the workload, in order of preference as a target. */
  readonly regions: readonly string[];
  /** Name of each Region's "Region impaired" composite alarm. */
  readonly impairedAlarmNames: Readonly<Record<string, string>>;
  /** The global database the failover runbook acts on. */
  readonly globalClusterIdentifier: string;
  /** The failover document, the same name in every Region. */
  readonly failoverDocumentName: string;
  /** No new failover is started while one started less than this long ago. */
  readonly coolDownMs: number;
  /** Whether the run waits for an approver after its pre-flight checks. */
  readonly requireApproval: boolean;
  /** Who may approve; empty for the document's default. */
  readonly approvers: readonly string[];
}

/** What the trigger asks of AWS, each call in the Region named. */
export interface TriggerDependencies {
  /** State of a composite alarm (`OK`, `ALARM`, `INSUFFICIENT_DATA`); undefined when it does not exist. */
  alarmState(region: string, alarmName: string): Promise<string | undefined>;
  /** Start times (epoch ms) of executions of `documentName` in `region` started after `since`. */
  executionsStartedSince(region: string, documentName: string, since: number): Promise<number[]>;
  /** `DescribeGlobalClusters` of `identifier`, asked of RDS in `region`; undefined when it does not exist. */
  describeGlobalCluster(region: string, identifier: string): Promise<GlobalClusterView | undefined>;
  /** `StartAutomationExecution`; answers the execution id. */
  startExecution(region: string, documentName: string, parameters: Record<string, string[]>): Promise<string>;
  now(): number;
}

/** What the trigger decided, logged as one JSON line. */
export interface TriggerDecision {
  readonly action: 'started' | 'cooling-down' | 'no-healthy-region' | 'writer-elsewhere' | 'writer-unclear' | 'ignored';
  readonly impairedRegion: string;
  /** Where the writer is, as the first healthy Region's RDS described the global database. */
  readonly writerRegion?: string;
  readonly targetRegion?: string;
  readonly executionId?: string;
  /** Why each other Region was or was not chosen. */
  readonly regionsChecked: { region: string; state: string }[];
  readonly reason: string;
}

/** The alarm states of the composite alarm that mean "this Region is healthy". */
const HEALTHY = ['OK'];

/**
 * Decides and acts on one ALARM of the impaired Region's composite alarm. It goes through
 * the other Regions in order and takes the first whose own composite alarm is OK (a
 * Region that cannot be asked is skipped). Before anything starts, it reads the global
 * database from that Region's RDS, as the runbook would there, and starts nothing unless
 * the writer is in the impaired Region: promoting a secondary while the writer is
 * elsewhere would move a writer that is not impaired and could lose its latest writes
 * (with three or more Regions, or after a failover, an impaired Region often holds no
 * writer). Nothing starts either while the global database cannot be read, has no
 * writer, or has a switchover or failover under way. It then starts the failover runbook
 * there, unless a failover was started there within the cool-down. The runbook's
 * pre-flight checks still apply.
 */
export async function decideFailover(settings: TriggerSettings, deps: TriggerDependencies, alarmState: string): Promise<TriggerDecision> {
  const impairedRegion = settings.impairedRegion;
  if (alarmState !== 'ALARM') {
    return { action: 'ignored', impairedRegion, regionsChecked: [], reason: `the alarm went to ${alarmState}, not ALARM` };
  }
  const regionsChecked: { region: string; state: string }[] = [];
  let writerRegion: string | undefined;
  for (const region of settings.regions.filter((r) => r !== impairedRegion)) {
    const alarmName = settings.impairedAlarmNames[region];
    let state: string;
    try {
      state = alarmName ? (await deps.alarmState(region, alarmName)) ?? 'missing' : 'not observed';
    } catch (e) {
      state = `unreachable (${(e as Error).message})`;
    }
    regionsChecked.push({ region, state });
    if (!HEALTHY.includes(state)) continue;

    if (writerRegion === undefined) {
      let view: GlobalClusterView | undefined;
      try {
        view = await deps.describeGlobalCluster(region, settings.globalClusterIdentifier);
      } catch (e) {
        // The runbook would read the global database there too: it could not run.
        const why = (e as Error).message;
        regionsChecked[regionsChecked.length - 1] = { region, state: `${state}, but RDS could not describe the global database (${why})` };
        continue;
      }
      const writer = writerOf(settings, view, region);
      if ('unclear' in writer) return { action: 'writer-unclear', impairedRegion, regionsChecked, reason: writer.unclear };
      writerRegion = writer.region;
      if (writerRegion !== impairedRegion) {
        return {
          action: 'writer-elsewhere',
          impairedRegion,
          writerRegion,
          regionsChecked,
          reason: `the writer of global database '${settings.globalClusterIdentifier}' is in ${writerRegion}, not in ${impairedRegion}: ` +
            'a failover would move a writer that is not impaired and could lose its latest writes, so nothing was started. Check with ' +
            `status that the traffic is on ${writerRegion}; rebuild or wait for ${impairedRegion} (docs/operations.md)`,
        };
      }
    }

    const since = deps.now() - settings.coolDownMs;
    let recent: number[];
    try {
      recent = await deps.executionsStartedSince(region, settings.failoverDocumentName, since);
    } catch (e) {
      // Its SSM cannot be asked: a failover could not be started there either.
      regionsChecked[regionsChecked.length - 1] = { region, state: `${state}, but SSM unreachable (${(e as Error).message})` };
      continue;
    }
    if (recent.length > 0) {
      return {
        action: 'cooling-down',
        impairedRegion,
        writerRegion,
        targetRegion: region,
        regionsChecked,
        reason: `a failover to ${region} started at ${new Date(Math.max(...recent)).toISOString()}, within the ` +
          `${Math.round(settings.coolDownMs / 60_000)}-minute cool-down`,
      };
    }
    const parameters: Record<string, string[]> = {
      TargetRegion: [region],
      AllowDataLoss: ['true'],
      RequireApproval: [String(settings.requireApproval)],
      ...(settings.approvers.length > 0 ? { Approvers: [...settings.approvers] } : {}),
    };
    let executionId: string;
    try {
      executionId = await deps.startExecution(region, settings.failoverDocumentName, parameters);
    } catch (e) {
      regionsChecked[regionsChecked.length - 1] = { region, state: `${state}, but the start failed (${(e as Error).message})` };
      continue;
    }
    return {
      action: 'started',
      impairedRegion,
      writerRegion,
      targetRegion: region,
      executionId,
      regionsChecked,
      reason: `${impairedRegion} is impaired and holds the writer, and ${region} is healthy: started ${settings.failoverDocumentName} there` +
        (settings.requireApproval ? ', waiting for an approver' : ''),
    };
  }
  return {
    action: 'no-healthy-region',
    impairedRegion,
    ...(writerRegion ? { writerRegion } : {}),
    regionsChecked,
    reason: 'no other Region is healthy and able to start the failover: nothing was started; decide by hand',
  };
}

/** The writer's Region in `view` (read from `from`), or why it is not clear enough to act on. */
function writerOf(settings: TriggerSettings, view: GlobalClusterView | undefined, from: string): { region: string } | { unclear: string } {
  const id = settings.globalClusterIdentifier;
  if (!view) {
    return { unclear: `global database '${id}' was not found from ${from} (detached or deleted?): nothing was started; decide by hand (status)` };
  }
  const f = view.failoverState;
  if (f) {
    return {
      unclear: `a ${f.status} of global database '${id}' is under way (from ${f.fromClusterArn ?? 'unknown'} to ${f.toClusterArn ?? 'unknown'}): ` +
      'nothing was started; follow it with status',
    };
  }
  const writer = view.members.find((m) => m.isWriter);
  // arn:<partition>:rds:<region>:<account>:cluster:<name>
  const region = writer?.clusterArn.split(':')[3];
  if (!region) {
    return { unclear: `no member of global database '${id}' is the writer, as ${from} describes it: nothing was started; decide by hand (status)` };
  }
  return { region };
}

/** Reads the settings from the function's environment, naming what is missing. */
export function settingsFromEnvironment(env: Record<string, string | undefined>): TriggerSettings {
  const required = (key: string) => {
    const value = env[key];
    if (!value) throw new Error(`the environment variable ${key} is missing: redeploy the ObservedWorkload stack of this Region`);
    return value;
  };
  const json = <T>(key: string): T => {
    try {
      return JSON.parse(required(key)) as T;
    } catch (e) {
      throw new Error(`the environment variable ${key} is not JSON (${(e as Error).message}): redeploy the ObservedWorkload stack of this Region`);
    }
  };
  return {
    impairedRegion: required('AWS_REGION'),
    regions: json<string[]>('REGIONS'),
    impairedAlarmNames: json<Record<string, string>>('IMPAIRED_ALARMS'),
    globalClusterIdentifier: required('GLOBAL_CLUSTER'),
    failoverDocumentName: required('FAILOVER_DOCUMENT'),
    coolDownMs: Number(required('COOL_DOWN_SECONDS')) * 1000,
    requireApproval: required('REQUIRE_APPROVAL') === 'true',
    approvers: json<string[]>('APPROVERS'),
  };
}
