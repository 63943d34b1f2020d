/**
 * Which runbooks the operations panel offers, from the live state of every Region, and
 * what each one will do, in the words of its confirmation. No DOM here: the rules are
 * tested on their own (test/remittance/actions.test.ts).
 *
 * - Nothing is offered while a run is under way: every runbook refuses then.
 * - Switch over to a secondary that replicates (`connected`), is not impaired and whose
 *   last readiness evaluation does not refuse a switchover, while the writer's Region is
 *   known to be healthy (a switchover needs both).
 * - Fail over, to a Region that is not impaired, when the writer's Region is impaired,
 *   when the writer or its Region's health cannot be read (with a warning saying so), or
 *   when the operator insists. It is never held back by a readiness evaluation, which can
 *   be half an hour old: the confirmation quotes it instead, with the writes that may be lost.
 * - Fail back to the home Region only after a failover moved the writer away from it
 *   (among the last runs listed), once the home Region has rejoined and replicates, while
 *   the writer's Region is healthy; it then replaces the switchover to the home Region, so
 *   one button leads there.
 * - An interrupted run (writer and traffic in different Regions): the same runbook to the
 *   writer's Region again, which finishes it.
 * - With active/active routing, every Region may serve, and two more runbooks:
 *   - take a Region out of service (evacuate), while another Region serves: run from a
 *     Region that stays in service and is healthy, the writer's when it can (a Region
 *     without the writer goes Off at once), a replicating secondary otherwise (the
 *     writer's Region: the writer is switched over to it first, so both need to be
 *     healthy; an impaired writer's Region is a failover's);
 *   - put a Region back into service (restore), run in that Region: one that is Off,
 *     not impaired, and the writer or a replicating secondary.
 */
import type { OperationsState, RegionStatus, RunSummary } from '../../api/model';

export type Runbook = 'switchover' | 'failover' | 'failback' | 'evacuate' | 'restore';

/** The runbooks that move the writer and the traffic to the Region they run in (an evacuation or a restore does not). */
const MOVES = ['switchover', 'failover', 'failback'];

/** A button of the panel, and its confirmation. */
export interface PlannedAction {
  readonly runbook: Runbook;
  /** The Region it makes writer or puts back into service; the run starts there, through that Region's API. For an evacuation, the Region that stays. */
  readonly region: string;
  /** An evacuation's target: the Region it takes out of service. */
  readonly target?: string;
  readonly label: string;
  /** Red, and a confirmation that asks the operator to accept losing writes. */
  readonly loseWrites: boolean;
  readonly confirmTitle: string;
  /** What will happen, in order. */
  readonly confirm: string;
  /** Why it cannot be pressed now; undefined when it can. */
  readonly disabledReason?: string;
  /** It runs an interrupted runbook again, to the Region already writer, to move the traffic there. */
  readonly finishes?: boolean;
}

/** A line of guidance above the buttons. */
export interface Guidance {
  readonly type: 'info' | 'warning' | 'error';
  readonly text: string;
}

export interface Plan {
  readonly actions: PlannedAction[];
  readonly guidance: Guidance[];
  /** The runs under way, in any Region. */
  readonly running: RunSummary[];
  /** The writer's Region; undefined when there is none or the global database could not be read. */
  readonly writer?: string;
  /** The Regions whose routing control is On. */
  readonly serving: string[];
}

/**
 * A run in words, from the Region it runs in and, when known, the Region it acts on:
 * "switchover to us-west-2", "restore of us-east-1", "evacuation of us-east-1 from
 * us-west-2" ("evacuation run from us-west-2" while its target is not known).
 */
export function runTitle(run: { runbook: string; region: string; target?: string }): string {
  if (run.runbook === 'evacuate') return run.target ? `evacuation of ${run.target} from ${run.region}` : `evacuation run from ${run.region}`;
  return run.runbook === 'restore' ? `restore of ${run.target ?? run.region}` : `${run.runbook} to ${run.target ?? run.region}`;
}

/** "800 ms", "12.3 s", "4 min". */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

function refusal(region: RegionStatus, runbook: Runbook): string | undefined {
  const r = region.readiness?.runbooks.find((x) => x.runbook === runbook);
  return r && !r.ready && r.outcome === 'refused' ? r.reason : undefined;
}

/** A switchover or failback to `r`: no committed write lost, and writes pause while the writer moves. */
function planned(runbook: 'switchover' | 'failback' | 'restore', r: RegionStatus, label: string, does: string, disabledReason: string | undefined): PlannedAction {
  return {
    runbook,
    region: r.region,
    label,
    loseWrites: false,
    confirmTitle: `${label}?`,
    confirm: runbook === 'restore' ? does : `${does} Writes pause for about a minute while the writer moves.`,
    disabledReason,
  };
}

/** What a runbook does to the routing, in each mode. */
function routingOf(runbook: 'switchover' | 'failback' | 'failover', to: string, from: string, activeActive: boolean | undefined): string {
  if (!activeActive) return `turns ${to}'s routing control On and ${from}'s Off`;
  return runbook === 'failover'
    ? `turns ${to}'s routing control On and every other Region's Off, until each is put back into service`
    : `turns ${to}'s routing control On; the other Regions stay as they are`;
}

/** A failover to `r` from `from`: what it will do, the lag, and what the last readiness evaluation said of it. */
function failover(r: RegionStatus, from: string, lag: string, activeActive?: boolean): PlannedAction {
  const readiness = r.readiness?.runbooks.find((x) => x.runbook === 'failover');
  return {
    runbook: 'failover',
    region: r.region,
    label: `Fail over to ${r.region}`,
    loseWrites: true,
    confirmTitle: `Fail over to ${r.region}, accepting lost writes?`,
    confirm: `The failover runbook makes ${r.region} the writer with what it has replicated, without waiting for ${from}. ` +
      `Writes committed in ${from} and not yet replicated are lost: the last replication lag of ${r.region} was ${lag}. ` +
      `Then it ${routingOf('failover', r.region, from, activeActive)}. ${from} rejoins as a secondary when it recovers; fail back then.` +
      (readiness && !readiness.ready ? ` At its last readiness evaluation (${r.readiness!.evaluatedAt}), a failover to ${r.region} would have been refused: ` +
        `${readiness.reason}. The runbook checks again before it moves anything.` : ''),
  };
}

/** The panel's buttons and guidance for `state`; `insist` offers a failover while the writer's Region looks healthy. */
export function planActions(state: OperationsState, options: { insist?: boolean; now?: number } = {}): Plan {
  const now = options.now ?? state.readAt;
  const running = state.regions.flatMap((r) => r.running ?? []);
  const writer = state.regions.find((r) => r.role === 'writer');
  const serving = state.regions.filter((r) => r.traffic === 'On').map((r) => r.region);
  const guidance: Guidance[] = state.problems.map((text) => ({ type: 'error' as const, text }));
  const plan = (actions: PlannedAction[]): Plan => ({ actions, guidance, running, writer: writer?.region, serving });

  if (running.length > 0) {
    for (const run of running) {
      guidance.push({
        type: 'info',
        text: `${/^[aeiou]/.test(runTitle(run)) ? 'An' : 'A'} ${runTitle(run)} is under way${run.currentStep ? ` (step ${run.currentStep})` : ''}: every runbook refuses until it ends.`,
      });
    }
    return plan([]);
  }
  if (state.interrupted && writer) {
    guidance.push({
      type: 'warning',
      text: `The writer (${writer.region}) is not the Region receiving traffic (${serving.join(', ')}): a run was interrupted. ` +
        `Run the same runbook to ${writer.region} again to finish it.`,
    });
  }
  // The writer's Region: impaired, healthy, or unknown (no writer read, or its "Region impaired" alarm unread).
  const writerHealth = writer === undefined || writer.impaired === undefined ? 'unknown' : writer.impaired ? 'impaired' : 'healthy';
  const writerImpaired = writerHealth !== 'healthy';
  if (writer && writerHealth === 'unknown') {
    guidance.push({
      type: 'warning',
      text: `The health of the writer's Region (${writer.region}) could not be read${writer.alarmsError ? ` (${writer.alarmsError})` : ''}: ` +
        'a failover is offered; check the Region (its dashboard, AWS Health) before using it.',
    });
  }
  if (state.regions.every((r) => r.role === 'unknown')) {
    guidance.push({
      type: 'error',
      text: `The global database could not be read from ${state.readFrom}: the panel cannot tell the writer. ` +
        '"Offer a failover anyway" offers a failover to each Region not receiving traffic; the runbook reads the database again before it moves anything.',
    });
  }
  const lastMove = state.regions.flatMap((r) => r.lastRuns ?? [])
    .filter((r) => r.status === 'Success' && MOVES.includes(r.runbook))
    .sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))[0];
  const afterFailover = lastMove?.runbook === 'failover' && writer !== undefined && writer.region !== state.home;

  const actions: PlannedAction[] = [];
  if (state.interrupted && writer && !writer.impaired) {
    const last = (writer.lastRuns ?? []).find((x) => MOVES.includes(x.runbook));
    if (last) {
      const runbook = last.runbook as Runbook;
      actions.push({
        runbook,
        region: writer.region,
        label: `Finish the ${runbook} to ${writer.region}`,
        loseWrites: runbook === 'failover',
        finishes: true,
        confirmTitle: `Run the ${runbook} to ${writer.region} again?`,
        confirm: `${writer.region} is the writer but the traffic goes to ${serving.join(', ') || 'no Region'}: the last ${runbook} to ${writer.region} ` +
          `stopped between moving the writer and moving the traffic. Run again, it finds ${writer.region} already writer, moves nothing in the ` +
          `database, and turns ${writer.region}'s routing control On and the others Off.`,
      });
    }
  }
  for (const r of state.regions) {
    if (r.region === writer?.region) continue;
    // With no writer to read (its Region down), the Region receiving the traffic is the one that held it.
    const from = writer?.region ?? serving.find((x) => x !== r.region) ?? 'the old writer';
    // The global database could not be read: only a failover, only when asked, to a Region not receiving traffic.
    if (r.role === 'unknown' && !writer && options.insist && !r.impaired && r.traffic !== 'On') {
      actions.push(failover(r, from, 'not read'));
      continue;
    }
    if (r.role === 'not a member') {
      guidance.push({
        type: 'warning',
        text: `${r.region} is not a member of the global database (detached): no runbook can make it writer. Rebuild it as a secondary with ` +
          'the Rebuild runbook (the command line or the Systems Manager console) before a failback.',
      });
      continue;
    }
    if (r.role !== 'secondary') continue;
    const inSync = r.synchronizationStatus === 'connected';
    const notInSync = `${r.region} does not replicate yet (${r.synchronizationStatus ?? 'status unknown'})`;
    const lag = r.rpoLagMs !== undefined ? `${duration(r.rpoLagMs)}, measured ${duration(Math.max(0, now - (r.rpoLagAt ?? now)))} ago` : 'not measured';

    if (afterFailover && r.region === state.home) {
      actions.push(planned('failback', r, `Fail back to ${r.region}`,
        `The failback runbook waits until ${r.region} has caught up with ${from}, switches the writer back to ${r.region} ` +
          `(a switchover: no committed write is lost), then ${routingOf('failback', r.region, from, state.activeActive)}.`,
        r.impaired ? `${r.region} is impaired`
          : !inSync ? `${notInSync}: it rejoins after the failover, then catches up`
            : writerImpaired ? `the writer's Region (${from}) is ${writerHealth}: a failback needs both Regions healthy` : refusal(r, 'failback')));
    } else if (writer && !writerImpaired) {
      actions.push(planned('switchover', r, `Switch over to ${r.region}`,
        `The switchover runbook waits until ${r.region} has every committed write (replication lag ${lag}), makes ${r.region} ` +
          `the writer (no committed write is lost), then ${routingOf('switchover', r.region, from, state.activeActive)}.`,
        r.impaired ? `${r.region} is impaired` : !inSync ? notInSync : refusal(r, 'switchover')));
    }
    // An impaired Region is no failover target: not offered at all.
    if ((writerImpaired || options.insist) && !r.impaired) actions.push(failover(r, from, lag, state.activeActive));
  }
  if (state.activeActive) actions.push(...evacuations(state, writer, writerHealth), ...restores(state, writer));
  if (writer && writerHealth === 'healthy' && !options.insist) {
    guidance.push({
      type: 'info',
      text: `The writer's Region (${writer.region}) is healthy: a failover is offered only when it is impaired. "Offer a failover anyway" shows it.`,
    });
  }
  if (writerImpaired && !actions.some((a) => a.disabledReason === undefined)) {
    guidance.push({
      type: 'error',
      text: writer ? `The writer's Region (${writer.region}) is impaired and no other Region can take over now.`
        : 'The writer could not be read, and no other Region can take over now.',
    });
  }
  return plan(actions);
}

/**
 * Active/active: taking each Region in service out, run from a healthy Region that stays
 * in service: the writer's when the Region taken out does not hold it, else a replicating
 * secondary, which the run makes writer first (the home Region first among them).
 */
function evacuations(state: OperationsState, writer: RegionStatus | undefined, writerHealth: 'healthy' | 'impaired' | 'unknown'): PlannedAction[] {
  const serving = state.regions.filter((r) => r.traffic === 'On');
  if (serving.length < 2) return [];
  const byHome = (a: RegionStatus, b: RegionStatus) => Number(b.region === state.home) - Number(a.region === state.home);
  return serving.map((r): PlannedAction => {
    const holdsWriter = r.region === writer?.region;
    const others = serving.filter((x) => x.region !== r.region && x.impaired === false).sort(byHome);
    const from = holdsWriter
      ? others.find((x) => x.role === 'secondary' && x.synchronizationStatus === 'connected')
      : (others.find((x) => x.region === writer?.region) ?? others.find((x) => x.role === 'secondary'));
    const label = `Take ${r.region} out of service`;
    const remaining = serving.filter((x) => x.region !== r.region).map((x) => x.region);
    const stays = `${remaining.join(', ')} ${remaining.length === 1 ? 'keeps' : 'keep'} serving`;
    const disabledReason = holdsWriter && writerHealth !== 'healthy'
      ? `${r.region} holds the writer and is ${writerHealth}: the evacuation switches the writer over first, which needs it healthy; fail over instead`
      : !from ? `no other Region in service is healthy${holdsWriter ? ' and replicating' : ''} to run it from` : undefined;
    return {
      runbook: 'evacuate',
      region: from?.region ?? (others[0] ?? serving.find((x) => x.region !== r.region)!).region,
      target: r.region,
      label,
      loseWrites: false,
      confirmTitle: `${label}?`,
      confirm: holdsWriter
        ? `${r.region} holds the writer. The evacuation runbook, run from ${from?.region ?? 'another Region'}, first switches the writer over to ` +
          `${from?.region ?? 'it'} (no committed write is lost; writes pause for about a minute), then turns ${r.region}'s routing control Off. ` +
          `${stays}. Put ${r.region} back into service once it is healthy.`
        : `The evacuation runbook, run from ${from?.region ?? 'another Region'}, turns ${r.region}'s routing control Off; ${stays}, ` +
          `and the writer stays in ${writer?.region ?? 'its Region'}. ${r.region}'s copy keeps replicating: put it back into service once it is healthy.`,
      disabledReason,
    };
  });
}

/** Active/active: putting each Region out of service back, run in that Region. */
function restores(state: OperationsState, writer: RegionStatus | undefined): PlannedAction[] {
  return state.regions.filter((r) => r.traffic === 'Off' && (r.role === 'writer' || r.role === 'secondary')).map((r) => {
    const inSync = r.role === 'writer' || r.synchronizationStatus === 'connected';
    return planned('restore', r, `Put ${r.region} back into service`,
      `The restore runbook checks that ${r.region} ${r.role === 'writer' ? 'holds the writer' : `replicates from ${writer?.region ?? 'the writer'} and has caught up`}, ` +
        `then turns ${r.region}'s routing control On; the other Regions stay as they are.`,
      r.impaired !== false ? `${r.region} is ${r.impaired ? 'impaired' : 'of unknown health (its alarm could not be read)'}`
        : !inSync ? `${r.region} does not replicate yet (${r.synchronizationStatus ?? 'status unknown'})` : refusal(r, 'restore'));
  });
}
