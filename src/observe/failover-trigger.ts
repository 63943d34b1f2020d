/**
 * The opt-in automatic failover of ObservedWorkload: when a Region's "Region impaired"
 * composite alarm goes into ALARM and that Region holds the global database's writer,
 * start the failover runbook in a healthy Region.
 *
 * The decision is a plain function over {@link TriggerDependencies}, so it is tested
 * against fakes; `failover-trigger.lambda.ts` wires in the AWS SDK.
 */

import { createHash, randomUUID } from 'crypto';
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
  /** No failover is started while one started, in any Region, less than this long ago. */
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
  /** `StartAutomationExecution` with `clientToken` as its idempotency token, one attempt; answers the execution id. */
  startExecution(region: string, documentName: string, parameters: Record<string, string[]>, clientToken: string): Promise<string>;
  now(): number;
}

/** One invocation's own limits. */
export interface TriggerInvocation {
  /**
   * The idempotency token of the start (a UUID): the same for every retry of one alarm
   * event, so a retry after a start that SSM took but did not answer starts no second run.
   */
  readonly clientToken: string;
  /** No start is sent after this instant (epoch ms): the function must still be running when SSM answers. */
  readonly deadline: number;
}

/** What the trigger decided, logged as one JSON line. */
export interface TriggerDecision {
  readonly action: 'started' | 'cooling-down' | 'cool-down-unknown' | 'no-healthy-region' | 'writer-elsewhere' | 'writer-unclear' | 'start-failed'
  | 'out-of-time' | 'ignored';
  /**
   * Nothing started because something could not be read, was in flux, or may have
   * happened unseen: the function fails after logging the decision, so that Lambda
   * decides again (its retries, then the dead-letter queue and its alarm).
   */
  readonly retry: boolean;
  readonly impairedRegion: string;
  /** Where the writer is, as the target's RDS described the global database. */
  readonly writerRegion?: string;
  /** Where the failover was started (or, cooling down, where the recent one was). */
  readonly targetRegion?: string;
  readonly executionId?: string;
  /** What each other Region answered: its alarm, and what else could not be read there. */
  readonly regionsChecked: { region: string; state: string }[];
  /** The impaired Region's own alarm, when read again it was missing or could not be read (the event's state then stands). */
  readonly impairedAlarm?: string;
  /** The impaired Region's recent failovers, when they could not be read (not held against the failover). */
  readonly impairedRegionRuns?: string;
  readonly reason: string;
}

/** What every decision carries, filled in as the trigger reads it. */
type Known = { -readonly [K in keyof Pick<TriggerDecision, 'impairedRegion' | 'regionsChecked' | 'impairedAlarm' | 'impairedRegionRuns'>]:
  TriggerDecision[K] };

/** The alarm states of the composite alarm that mean "this Region is healthy". */
const HEALTHY = ['OK'];

/**
 * Decides and acts on one ALARM of the impaired Region's composite alarm. Nothing starts
 * unless every precondition was read and holds:
 *
 * 0. The impaired Region's alarm, read again: an event retried or delayed may find it
 *    cleared, and nothing starts (its CloudWatch may be down with it: then the event's
 *    state stands).
 * 1. The other Regions' own composite alarms: the healthy ones are those `OK`.
 * 2. The failovers started within the cool-down, in every Region: any one of them, and
 *    nothing starts (a flapping alarm would otherwise move the database back and forth);
 *    nor when the SSM of a Region other than the impaired one cannot be asked. The
 *    impaired Region's SSM may be down with it: it is not held against the failover,
 *    and the decision says so.
 * 3. The global database, read in the first healthy Region whose RDS answers
 *    (`DescribeGlobalClusters`, as the runbook will read it there; a Region whose RDS
 *    does not answer cannot be the target, and the next is asked): the writer must be
 *    in the impaired Region, with no switchover or failover scheduled or under way.
 *    Promoting a secondary while the writer is elsewhere would move a writer that is
 *    not impaired and could lose its latest writes; with three or more Regions, or
 *    after a failover once the old primary rejoined, an impaired Region often holds none.
 * 4. The failover runbook is started in that Region, once, with the invocation's
 *    idempotency token and before its deadline. A start that failed is not tried in
 *    another Region: it may have started a run all the same.
 *
 * A decision that started nothing because something could not be read (another
 * Region's alarm included) is marked `retry`. The runbook's pre-flight checks still apply to the run started.
 */
export async function decideFailover(settings: TriggerSettings, deps: TriggerDependencies, alarmState: string,
  invocation: TriggerInvocation): Promise<TriggerDecision> {
  const impairedRegion = settings.impairedRegion;
  const id = settings.globalClusterIdentifier;
  if (alarmState !== 'ALARM') {
    return { action: 'ignored', retry: false, impairedRegion, regionsChecked: [], reason: `the alarm went to ${alarmState}, not ALARM` };
  }
  const others = settings.regions.filter((r) => r !== impairedRegion);
  const message = (e: unknown) => (e as Error).message;
  const known: Known = {
    impairedRegion,
    regionsChecked: [],
  };

  // 0. The impaired Region's alarm now: a retried or delayed event may find it cleared. Its CloudWatch may be down with it.
  const ownAlarm = settings.impairedAlarmNames[impairedRegion];
  if (ownAlarm) {
    let now: string | undefined;
    try {
      now = await deps.alarmState(impairedRegion, ownAlarm);
      if (now === undefined) known.impairedAlarm = 'missing: the event\'s ALARM stands';
    } catch (e) {
      known.impairedAlarm = `unreadable (${message(e)}): the event's ALARM stands`;
    }
    if (now !== undefined && now !== 'ALARM') {
      return {
        action: 'ignored',
        retry: false,
        ...known,
        reason: `the alarm is ${now} now: nothing was started (an earlier attempt at this event may have started a run: status shows it)`,
      };
    }
  }

  // 1. Each other Region's own alarm, all at once: an impaired Region that hangs costs one timeout.
  const regionsChecked = known.regionsChecked = await Promise.all(others.map(async (region) => {
    const alarmName = settings.impairedAlarmNames[region];
    try {
      return { region, state: alarmName ? (await deps.alarmState(region, alarmName)) ?? 'missing' : 'not observed' };
    } catch (e) {
      return { region, state: `unreachable (${message(e)})` };
    }
  }));
  const healthy = regionsChecked.filter((c) => HEALTHY.includes(c.state)).map((c) => c.region);
  const note = (region: string, what: string) => {
    const checked = regionsChecked.find((c) => c.region === region);
    if (checked) checked.state = `${checked.state}, but ${what}`;
  };
  if (healthy.length === 0) {
    // A Region whose alarm could not be read may be healthy: decide again.
    const unreachable = regionsChecked.some((c) => c.state.startsWith('unreachable'));
    return {
      action: 'no-healthy-region',
      retry: unreachable,
      ...known,
      reason: 'no other Region is healthy: nothing was started; decide by hand',
    };
  }

  // 2. Failovers started within the cool-down, in every Region.
  const since = deps.now() - settings.coolDownMs;
  const runs = await Promise.all(settings.regions.map(async (region) => {
    try {
      return { region, started: await deps.executionsStartedSince(region, settings.failoverDocumentName, since) };
    } catch (e) {
      return { region, error: message(e) };
    }
  }));
  const recent = runs.filter((r) => (r.started ?? []).length > 0);
  if (recent.length > 0) {
    const [latest] = recent.map((r) => ({ region: r.region, at: Math.max(...r.started!) })).sort((a, b) => b.at - a.at);
    return {
      action: 'cooling-down',
      retry: false,
      ...known,
      targetRegion: latest.region,
      reason: `a failover to ${latest.region} started at ${new Date(latest.at).toISOString()}, within the ` +
        `${Math.round(settings.coolDownMs / 60_000)}-minute cool-down: nothing was started`,
    };
  }
  const unread = runs.filter((r) => r.error !== undefined && r.region !== impairedRegion);
  unread.forEach((r) => note(r.region, `SSM unreachable (${r.error})`));
  const impairedRuns = runs.find((r) => r.region === impairedRegion && r.error !== undefined);
  if (impairedRuns) known.impairedRegionRuns = `not read, SSM unreachable (${impairedRuns.error}): not held against the failover`;
  if (unread.length > 0) {
    return {
      action: 'cool-down-unknown',
      retry: true,
      ...known,
      reason: `the failovers started within the cool-down could not be read in ${unread.map((r) => r.region).join(', ')}: nothing ` +
        'was started',
    };
  }

  // 3. The writer, as the target's RDS describes the global database.
  for (const region of healthy) {
    let view: GlobalClusterView | undefined;
    try {
      view = await deps.describeGlobalCluster(region, id);
    } catch (e) {
      // The runbook reads the global database there too: it could not run in this Region.
      note(region, `RDS could not describe the global database (${message(e)})`);
      continue;
    }
    const writer = writerOf(settings, view, region);
    if ('unclear' in writer) {
      return { action: 'writer-unclear', retry: true, ...known, reason: writer.unclear };
    }
    const writerRegion = writer.region;
    if (writerRegion !== impairedRegion) {
      return {
        action: 'writer-elsewhere',
        retry: false,
        ...known,
        writerRegion,
        reason: `the writer of global database '${id}' is in ${writerRegion}, not in ${impairedRegion}: a failover would move a ` +
          'writer that is not impaired and could lose its latest writes, so nothing was started. Check with status that the traffic ' +
          `is on ${writerRegion}; rebuild or wait for ${impairedRegion} (docs/operations.md)`,
      };
    }

    // 4. One start, in this Region, while the function will still be running when SSM answers.
    const about = { ...known, writerRegion, targetRegion: region };
    if (deps.now() > invocation.deadline) {
      return {
        action: 'out-of-time',
        retry: true,
        ...about,
        reason: `the reads took too long to start ${settings.failoverDocumentName} in ${region} before the function's timeout: nothing was started`,
      };
    }
    const parameters: Record<string, string[]> = {
      TargetRegion: [region],
      AllowDataLoss: ['true'],
      RequireApproval: [String(settings.requireApproval)],
      ...(settings.approvers.length > 0 ? { Approvers: [...settings.approvers] } : {}),
    };
    try {
      const executionId = await deps.startExecution(region, settings.failoverDocumentName, parameters, invocation.clientToken);
      return {
        action: 'started',
        retry: false,
        ...about,
        executionId,
        reason: `${impairedRegion} is impaired and holds the writer, and ${region} is healthy: started ${settings.failoverDocumentName} there` +
          (settings.requireApproval ? ', waiting for an approver' : ''),
      };
    } catch (e) {
      return {
        action: 'start-failed',
        retry: true,
        ...about,
        reason: `starting ${settings.failoverDocumentName} in ${region} failed (${message(e)}): a run may have started all the same, so no ` +
          'other Region was tried; a retry sends the same idempotency token',
      };
    }
  }
  return {
    action: 'writer-unclear',
    retry: true,
    ...known,
    reason: `no healthy Region's RDS could describe global database '${id}': without knowing where the writer is, nothing was started; ` +
      'decide by hand (status)',
  };
}

/** The writer's Region in `view` (read from `from`), or why it is not clear enough to act on. */
function writerOf(settings: TriggerSettings, view: GlobalClusterView | undefined, from: string): { region: string } | { unclear: string } {
  const id = settings.globalClusterIdentifier;
  if (!view) {
    return { unclear: `global database '${id}' was not found from ${from} (detached or deleted?): nothing was started; decide by hand (status)` };
  }
  // Present only while a switchover or failover is scheduled or under way (docs/aws-assumptions.md, A4), whatever its status.
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The start's idempotency token (SSM asks for a UUID): the alarm event's id when it is
 * one, else a UUID-shaped digest of it, the same for every retry of the event; random
 * without an id.
 */
export function clientTokenOf(eventId: string | undefined): string {
  if (!eventId) return randomUUID();
  if (UUID.test(eventId)) return eventId.toLowerCase();
  const h = createHash('sha256').update(eventId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
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
