/**
 * The operations panel: every Region's live state (read every 3 seconds through the
 * routed API, or through each Region's own API when the routed one does not answer), the
 * replication lag over time, the runbooks that make sense now with a confirmation saying
 * what each will do, and the run being followed, which survives a reload of the page.
 */
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Cards from '@cloudscape-design/components/cards';
import Checkbox from '@cloudscape-design/components/checkbox';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import LineChart from '@cloudscape-design/components/line-chart';
import Link from '@cloudscape-design/components/link';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator, { StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import Toggle from '@cloudscape-design/components/toggle';
import { ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { duration, PlannedAction, planActions, runTitle } from './actions';
import { ApiError, AppConfig, Execution, OperationsState, Session, call } from './api';
import type { Serving } from './App';
import type { RegionStatus } from '../../api/model';

const ENDED = ['Success', 'Failed', 'Cancelled', 'TimedOut', 'CompletedWithSuccess', 'CompletedWithFailure', 'Rejected', 'Exited'];
const RUN_KEY = 'remittance.followed-run';
const STATE_POLL_MS = 3_000;
const LAG_WINDOW_MS = 15 * 60_000;

/** The run the page follows: kept in localStorage, so a reload picks it up again. */
interface Followed {
  readonly region: string;
  readonly executionId: string;
}

function storedRun(): Followed | undefined {
  try {
    return JSON.parse(localStorage.getItem(RUN_KEY) ?? 'null') ?? undefined;
  } catch {
    return undefined;
  }
}

function ago(ms: number): string {
  return `${duration(Math.max(0, ms))} ago`;
}

/** The state is stale, and no runbook is offered, once it has not been read for this long. */
const STALE_MS = 10_000;

export function Operations(props: { config: AppConfig; session: Session; onServing: (s: Serving) => void }) {
  const { config, session, onServing } = props;
  const [state, setState] = useState<OperationsState>();
  const [readOkAt, setReadOkAt] = useState(0);
  const [stateNote, setStateNote] = useState<string>();
  const [stateError, setStateError] = useState<string>();
  const [insist, setInsist] = useState(false);
  const [confirming, setConfirming] = useState<PlannedAction>();
  const [followed, setFollowed] = useState<Followed | undefined>(storedRun);
  // The followed run has not ended yet (as far as the page knows): nothing else is offered meanwhile.
  const [runActive, setRunActive] = useState(() => storedRun() !== undefined);
  const runEnded = useCallback(() => setRunActive(false), []);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string>();
  const lag = useRef(new Map<string, { x: Date; y: number }[]>());
  // Cleared when the panel goes (sign-out): a read still in flight then changes nothing.
  const alive = useRef(true);
  useEffect(() => () => {
    alive.current = false;
  }, []);

  // The state, through the routed API; when it does not answer, through each Region's own API in turn.
  // The badge says "unreachable" only when no API answered at all (an API that answers an error names its Region).
  const readState = useCallback(async () => {
    const serving = (s: Serving) => {
      if (alive.current) onServing(s);
    };
    try {
      const answer = await call<{ state: OperationsState }>(session, '/api', '/operations/state', { quiet: true });
      serving({ region: answer.servedBy });
      setStateNote(undefined);
      return answer.body.state;
    } catch (e) {
      const routedError = e as ApiError;
      if (routedError.status === 401) throw new Error('your sign-in has expired (401): sign out and sign in again');
      serving(routedError.servedBy ? { region: routedError.servedBy } : { unreachable: true });
      for (const region of config.regions) {
        try {
          const answer = await call<{ state: OperationsState }>(session, `/regions/${region}/api`, '/operations/state', { quiet: true, timeoutMs: 8_000 });
          setStateNote(`The routed API did not give the state (${routedError.message}): read through ${region}'s own API.`);
          return answer.body.state;
        } catch {
          // The next Region.
        }
      }
      throw new Error(`no Region's API gave the state: ${routedError.message}`);
    }
  }, [config.regions, session, onServing]);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await readState();
        if (stopped) return;
        for (const r of next.regions) {
          if (r.rpoLagMs === undefined || r.rpoLagAt === undefined) continue;
          const points = lag.current.get(r.region) ?? [];
          if (points[points.length - 1]?.x.getTime() !== r.rpoLagAt) points.push({ x: new Date(r.rpoLagAt), y: r.rpoLagMs });
          lag.current.set(r.region, points.filter((p) => p.x.getTime() > next.readAt - LAG_WINDOW_MS));
        }
        setState(next);
        setReadOkAt(Date.now());
        setStateError(undefined);
      } catch (e) {
        if (!stopped) setStateError((e as Error).message);
      }
      if (!stopped) timer = setTimeout(() => void poll(), STATE_POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [readState]);

  const follow = (run: Followed | undefined) => {
    if (run) localStorage.setItem(RUN_KEY, JSON.stringify(run));
    else localStorage.removeItem(RUN_KEY);
    setFollowed(run);
    setRunActive(run !== undefined);
  };

  // A runbook starts in the Region that is to take over (or, for an evacuation, to stay), through that Region's own API.
  const start = async (action: PlannedAction) => {
    setStartError(undefined);
    setStarting(true);
    try {
      const { body } = await call<{ executionId: string }>(session, `/regions/${action.region}/api`, '/operations', {
        method: 'POST',
        body: {
          runbook: action.runbook,
          ...(action.loseWrites ? { allowDataLoss: true } : {}),
          ...(action.target ? { targetRegion: action.target } : {}),
        },
      });
      follow({ region: action.region, executionId: body.executionId });
    } catch (e) {
      setStartError(`${action.label} could not start: ${(e as Error).message}`);
    } finally {
      setStarting(false);
    }
  };

  const now = Date.now();
  const stale = state !== undefined && now - readOkAt > STALE_MS;
  const plan = state ? planActions(state, { insist, now }) : undefined;
  // Nothing can be started from a stale view, while a start is on its way, or while the followed run has not ended.
  const held = stale ? 'the state shown is not current' : starting ? 'a runbook is starting' : runActive ? 'the run below has not ended' : undefined;
  const live = (a: PlannedAction) => plan?.actions
    .find((x) => x.runbook === a.runbook && x.region === a.region && x.target === a.target && !!x.finishes === !!a.finishes);
  return (
    <Container
      data-testid="operations"
      header={(
        <Header
          variant="h2"
          description={state ? `Read from ${state.readFrom} at ${new Date(state.readAt).toLocaleTimeString()}; the home Region is ${state.home}.` : 'Reading every Region…'}
          actions={<Toggle checked={insist} onChange={(e) => setInsist(e.detail.checked)}>Offer a failover anyway</Toggle>}
        >
          Operations
        </Header>
      )}
    >
      <SpaceBetween size="l">
        {stateError && <Alert type="error" header="The state could not be read">{stateError}</Alert>}
        {stale && (
          <Alert type="warning" data-testid="stale" header={`The state shown was read ${ago(now - readOkAt)}`}>
            It could not be read since: no runbook is offered until it is.
          </Alert>
        )}
        {stateNote && <Alert type="warning">{stateNote}</Alert>}
        {state && (
          <SpaceBetween size="xs">
            <Box variant="h3">Regions{state.globalDatabase.status ? ` (global database ${state.globalDatabase.status})` : ''}</Box>
            <RegionCards state={state} now={now} />
          </SpaceBetween>
        )}
        {state && <LagChart regions={state.regions} points={lag.current} readAt={state.readAt} />}
        {plan && (
          <SpaceBetween size="s">
            {plan.guidance.map((g) => <Alert key={g.text} type={g.type} data-testid="guidance">{g.text}</Alert>)}
            {plan.running.filter((r) => r.executionId !== followed?.executionId).map((r) => (
              <Button key={r.executionId} onClick={() => follow({ region: r.region, executionId: r.executionId })}>
                Follow the {runTitle(r)}
              </Button>
            ))}
            <SpaceBetween direction="horizontal" size="xs" data-testid="actions">
              {plan.actions.map((a) => (
                <span key={`${a.runbook}-${a.region}-${a.target ?? ''}`} title={a.disabledReason ?? held}>
                  <Button
                    variant={a.loseWrites ? 'normal' : 'primary'}
                    iconName={a.loseWrites ? 'status-warning' : undefined}
                    disabled={a.disabledReason !== undefined || held !== undefined}
                    onClick={() => setConfirming(a)}
                  >
                    {a.label}
                  </Button>
                </span>
              ))}
            </SpaceBetween>
            {held && plan.actions.length > 0 && <Box color="text-status-inactive" fontSize="body-s">Not now: {held}.</Box>}
            {plan.actions.filter((a) => a.disabledReason).map((a) => (
              <Box key={`why-${a.runbook}-${a.region}-${a.target ?? ''}`} color="text-status-inactive" fontSize="body-s">{a.label}: {a.disabledReason}.</Box>
            ))}
          </SpaceBetween>
        )}
        {startError && <Alert type="error" data-testid="start-error">{startError}</Alert>}
        {confirming && (
          <Confirm
            action={live(confirming) ?? confirming}
            blocked={!live(confirming) ? 'the state changed since you opened this: it is no longer offered' : live(confirming)!.disabledReason ?? held}
            onCancel={() => setConfirming(undefined)}
            onConfirm={(action) => {
              setConfirming(undefined);
              void start(action);
            }}
          />
        )}
        {followed && (
          <Run
            key={followed.executionId} session={session} run={followed} local={config.local === true}
            onEnded={runEnded} onDismiss={() => follow(undefined)}
          />
        )}
      </SpaceBetween>
    </Container>
  );
}

/**
 * The confirmation of a runbook: what will happen, from the live state (it follows the
 * state while it is open, and refuses to start what is no longer offered); a failover
 * also asks the operator to accept losing writes (unticked every time).
 */
function Confirm(props: { action: PlannedAction; blocked?: string; onCancel: () => void; onConfirm: (action: PlannedAction) => void }) {
  const { action, blocked } = props;
  const [accepted, setAccepted] = useState(false);
  return (
    <Modal
      visible
      data-testid="confirm"
      onDismiss={props.onCancel}
      header={action.confirmTitle}
      footer={(
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={props.onCancel}>Cancel</Button>
            <Button variant="primary" disabled={blocked !== undefined || (action.loseWrites && !accepted)} onClick={() => props.onConfirm(action)}>
              Start the {action.runbook === 'evacuate' ? 'evacuation' : action.runbook}
            </Button>
          </SpaceBetween>
        </Box>
      )}
    >
      <SpaceBetween size="m">
        {blocked && <Alert type="warning">Not now: {blocked}.</Alert>}
        <Box>{action.confirm}</Box>
        {action.loseWrites && (
          <Checkbox checked={accepted} onChange={(e) => setAccepted(e.detail.checked)}>
            I accept that the writes not yet replicated are lost
          </Checkbox>
        )}
      </SpaceBetween>
    </Modal>
  );
}

function roleCell(r: RegionStatus): ReactNode {
  if (r.role === 'writer') return <StatusIndicator type="success">Writer</StatusIndicator>;
  if (r.role === 'secondary') {
    return r.synchronizationStatus === 'connected'
      ? <StatusIndicator type="info">Secondary, replicating</StatusIndicator>
      : <StatusIndicator type="pending">Secondary, {r.synchronizationStatus ?? 'status unknown'}</StatusIndicator>;
  }
  if (r.role === 'not a member') return <StatusIndicator type="warning">Detached</StatusIndicator>;
  return <StatusIndicator type="not-started">Unknown</StatusIndicator>;
}

function alarmsCell(r: RegionStatus): ReactNode {
  if (r.alarmsError) return <StatusIndicator type="not-started">{`Unknown: ${r.alarmsError}`}</StatusIndicator>;
  if (r.alarms === undefined) return '–';
  if (r.impaired) return <StatusIndicator type="error">{`Impaired: ${r.alarms.filter((a) => a.state === 'ALARM').map((a) => a.name).join(', ')}`}</StatusIndicator>;
  if (r.alarms.length > 0) return <StatusIndicator type="warning">{r.alarms.map((a) => `${a.name} ${a.state}`).join(', ')}</StatusIndicator>;
  return <StatusIndicator type="success">{`OK (${r.alarmsOk ?? 0})`}</StatusIndicator>;
}

function readinessCell(r: RegionStatus, now: number): ReactNode {
  if (r.readinessError) return <StatusIndicator type="not-started">Unknown</StatusIndicator>;
  if (!r.readiness) return <StatusIndicator type="stopped">Not evaluated yet</StatusIndicator>;
  const age = ago(now - Date.parse(r.readiness.evaluatedAt));
  const notReady = r.readiness.runbooks.filter((x) => !x.ready);
  if (notReady.length === 0) return <StatusIndicator type="success">{`Ready (${age})`}</StatusIndicator>;
  return <StatusIndicator type="warning">{`Not ready (${age}): ${notReady.map((x) => `${x.runbook}: ${x.reason}`).join('; ')}`}</StatusIndicator>;
}

/** One card per Region: side by side on a wide screen, one above the other on a phone. */
function RegionCards(props: { state: OperationsState; now: number }) {
  const { state, now } = props;
  const lagCell = (r: RegionStatus) => {
    if (r.role !== 'secondary') return '–';
    if (r.rpoLagError) return `Unavailable: ${r.rpoLagError}`;
    return r.rpoLagMs === undefined ? 'No recent data' : `${duration(r.rpoLagMs)} (${ago(now - (r.rpoLagAt ?? state.readAt))})`;
  };
  const lastRun = (r: RegionStatus) => {
    if (r.runsError) return `Unknown: ${r.runsError}`;
    const running = r.running?.[0];
    if (running) return <StatusIndicator type="in-progress">{`${running.runbook} under way${running.currentStep ? `, ${running.currentStep}` : ''}`}</StatusIndicator>;
    const last = r.lastRuns?.[0];
    if (!last) return 'None in 8 days';
    const type: StatusIndicatorProps.Type = last.status === 'Success' ? 'success' : 'error';
    return <StatusIndicator type={type}>{`${last.runbook} ${last.status} (${ago(now - (last.endedAt ?? state.readAt))})`}</StatusIndicator>;
  };
  const traffic = (r: RegionStatus) => (r.traffic === 'On' ? <StatusIndicator type="success">On: receives the traffic</StatusIndicator>
    : r.traffic === 'Off' ? <StatusIndicator type="stopped">Off</StatusIndicator> : <StatusIndicator type="not-started">Unknown</StatusIndicator>);
  return (
    <Cards
      data-testid="regions"
      items={state.regions}
      trackBy="region"
      cardsPerRow={[
        { cards: 1 },
        { minWidth: 640, cards: Math.min(2, state.regions.length) },
        { minWidth: 960, cards: Math.min(3, state.regions.length) },
      ]}
      cardDefinition={{
        header: (r) => <span data-testid={`region-${r.region}`}>{r.region}{r.region === state.home ? ' (home)' : ''}</span>,
        sections: [
          { id: 'role', header: 'Database', content: roleCell },
          { id: 'traffic', header: 'Traffic', content: traffic },
          { id: 'lag', header: 'Replication lag', content: lagCell },
          { id: 'alarms', header: 'Alarms', content: alarmsCell },
          { id: 'ready', header: 'Runbooks ready', content: (r) => readinessCell(r, now) },
          { id: 'last', header: 'Last run', content: lastRun },
        ],
      }}
    />
  );
}

function LagChart(props: { regions: RegionStatus[]; points: Map<string, { x: Date; y: number }[]>; readAt: number }) {
  const series = props.regions.filter((r) => r.role === 'secondary').map((r) => ({
    title: `${r.region} lag`, type: 'line' as const, data: props.points.get(r.region) ?? [], valueFormatter: (y: number) => duration(y),
  }));
  const max = Math.max(1_000, ...series.flatMap((s) => s.data.map((p) => p.y)));
  // From the first point (at most 15 minutes back, at least 2), to the last read.
  const first = Math.min(props.readAt - 120_000, ...series.flatMap((s) => s.data.map((p) => p.x.getTime())));
  return (
    <div data-testid="lag-chart">
      <LineChart
        series={series}
        xDomain={[new Date(Math.max(first, props.readAt - LAG_WINDOW_MS)), new Date(props.readAt)]}
        yDomain={[0, max * 1.1]}
        xScaleType="time"
        xTitle="Time"
        yTitle="Replication lag (ms)"
        height={140}
        hideFilter
        i18nStrings={{ xTickFormatter: (d) => d.toLocaleTimeString(), yTickFormatter: (y) => duration(y) }}
        ariaLabel="Replication lag of each secondary over the last 15 minutes"
        empty={<Box textAlign="center" color="inherit">No secondary replicates</Box>}
        noMatch={<Box textAlign="center" color="inherit">No data</Box>}
      />
    </div>
  );
}

/** The followed run, every 2 seconds until it ends, read from the Region that runs it: steps with durations, the outcome, the report. */
function Run(props: { session: Session; run: Followed; local: boolean; onEnded: () => void; onDismiss: () => void }) {
  const { session, run, onEnded } = props;
  const [execution, setExecution] = useState<Execution>();
  const [error, setError] = useState<string>();
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const { body } = await call<{ execution: Execution }>(session, `/regions/${run.region}/api`, `/operations/${run.executionId}`);
        if (stopped) return;
        setExecution(body.execution);
        setError(undefined);
        setNow(Date.now());
        if (ENDED.includes(body.execution.status)) {
          onEnded();
          return;
        }
      } catch (e) {
        if (stopped) return;
        setError(`The run could not be read from ${run.region}: ${(e as Error).message}`);
        // Not there, or not for this user: reading it again will not change that.
        if ([403, 404].includes((e as ApiError).status)) {
          onEnded();
          return;
        }
      }
      timer = setTimeout(() => void poll(), 2_000);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [session, run, onEnded]);

  const ended = execution !== undefined && ENDED.includes(execution.status);
  const title = runTitle({ runbook: execution?.runbook ?? 'run', region: run.region, target: execution?.targetRegion });
  const status: StatusIndicatorProps.Type = !execution ? 'loading' : !ended ? 'in-progress'
    : execution.outcome === 'succeeded' ? 'success' : execution.outcome === 'refused' ? 'warning' : 'error';
  return (
    <Container
      data-testid="execution"
      header={(
        <Header
          variant="h3"
          actions={<Button onClick={props.onDismiss}>{ended ? 'Dismiss' : 'Stop following'}</Button>}
          description={`Execution ${run.executionId} in ${run.region}${execution?.startedAt ? `, started ${new Date(execution.startedAt).toLocaleTimeString()}` : ''}`}
        >
          <span data-testid="execution-title">{title}: </span><StatusIndicator type={status}>{execution?.status ?? 'reading'}</StatusIndicator>
        </Header>
      )}
    >
      <SpaceBetween size="m">
        {error && <Alert type="error">{error}</Alert>}
        {execution?.outcome === 'refused' && (
          <Alert type="warning" header="Refused: nothing was changed" data-testid="refused">{execution.reason}</Alert>
        )}
        {execution?.outcome === 'failed' && <Alert type="error" header="Failed" data-testid="failed">{execution.reason ?? execution.failureMessage}</Alert>}
        {execution && (
          <Table
            data-testid="steps"
            variant="embedded"
            wrapLines
            items={execution.steps}
            trackBy="name"
            columnDefinitions={[
              {
                id: 'step',
                header: 'Step',
                // The detail under the step, not in a column of its own: a narrow screen keeps it readable.
                cell: (s) => (
                  <>
                    <span data-testid="step">{`${s.name}: ${s.status}`}</span>
                    {s.message && <Box color="text-body-secondary" fontSize="body-s">{s.message}</Box>}
                  </>
                ),
              },
              {
                id: 'took',
                header: 'Took',
                cell: (s) => (s.durationMs !== undefined ? duration(s.durationMs) : s.startedAt !== undefined && s.status === 'InProgress' ? `${duration(now - s.startedAt)} so far` : ''),
              },
            ]}
          />
        )}
        {execution?.report && (
          <div data-testid="report">
            <Box variant="h4">Report</Box>
            <Box variant="code"><pre className="report">{execution.report}</pre></Box>
          </div>
        )}
        {execution?.consoleUrl && !props.local && <Link external href={execution.consoleUrl}>Open the execution in the Systems Manager console</Link>}
      </SpaceBetween>
    </Container>
  );
}

/** One Region of the local rehearsal, as `/local/regions` answers it. */
interface LocalRegion {
  readonly region: string;
  readonly impaired: boolean;
}

/** The local rehearsal's Impair / Restore control per Region (not part of a deployment). */
export function RehearsalControls(props: { session: Session }) {
  const { session } = props;
  const [regions, setRegions] = useState<LocalRegion[]>();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();

  // Not an API call: kept out of the recent requests, which show what the API answered.
  const load = useCallback(async (method = 'GET', path = '/regions') => {
    try {
      const res = await fetch(`/local${path}`, { method, headers: { authorization: session.idToken } });
      const body = (await res.json()) as { regions?: LocalRegion[]; error?: string };
      if (!res.ok || !body.regions) throw new Error(body.error ?? `HTTP ${res.status}`);
      setRegions(body.regions);
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [session]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 2_000);
    return () => clearInterval(timer);
  }, [load]);

  const act = async (region: string, action: 'impair' | 'restore') => {
    setBusy(region);
    await load('POST', `/regions/${region}/${action}`);
    setBusy(undefined);
  };

  return (
    <Container
      data-testid="rehearsal"
      header={<Header variant="h2" description="Impair stops a Region's server and cuts its API; Restore brings it back, rejoined as a secondary">Rehearsal</Header>}
    >
      <SpaceBetween size="s">
        {error && <Alert type="error">{error}</Alert>}
        <SpaceBetween direction="horizontal" size="xs">
          {(regions ?? []).map((r) => (r.impaired
            ? <Button key={r.region} disabled={busy !== undefined} loading={busy === r.region} onClick={() => void act(r.region, 'restore')}>Restore {r.region}</Button>
            : <Button key={r.region} disabled={busy !== undefined} loading={busy === r.region} onClick={() => void act(r.region, 'impair')}>Impair {r.region}</Button>))}
        </SpaceBetween>
      </SpaceBetween>
    </Container>
  );
}
