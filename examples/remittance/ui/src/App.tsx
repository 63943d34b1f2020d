import { FormEvent, useCallback, useEffect, useState } from 'react';
import { ApiError, AppConfig, Execution, Remittance, RequestRecord, Session, call, loadConfig, setNewPassword, signIn, watchRequests } from './api';

export function App() {
  const [config, setConfig] = useState<AppConfig>();
  const [error, setError] = useState<string>();
  const [session, setSession] = useState<Session>();
  const [servedBy, setServedBy] = useState<string>();

  useEffect(() => {
    loadConfig().then(setConfig, (e: Error) => setError(e.message));
  }, []);

  if (error) return <main><p className="error">{error}</p></main>;
  if (!config) return <main><p>Loading…</p></main>;
  return (
    <>
      <header>
        <h1>Remittances</h1>
        {servedBy && <span data-testid="served-by">API served by <span className="badge">{servedBy}</span></span>}
        {session && (
          <span>
            {session.email} <button className="secondary" onClick={() => setSession(undefined)}>Sign out</button>
          </span>
        )}
      </header>
      <main>
        {config.local && (
          <p className="notice">Local rehearsal: each Region is a PostgreSQL server on this machine, replicating from the writer; the API, the runbooks and their refusals are real; sign-in is a local stand-in.</p>
        )}
        {!session && <SignIn config={config} onSignedIn={setSession} />}
        {session && <RemittanceList session={session} onServedBy={setServedBy} />}
        {session && session.groups.includes(config.operatorsGroup) && <Operations config={config} session={session} servedBy={servedBy} />}
        {session && config.local && session.groups.includes(config.operatorsGroup) && <LocalRegions session={session} />}
        {session && <RecentRequests />}
      </main>
    </>
  );
}

function SignIn(props: { config: AppConfig; onSignedIn: (s: Session) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = challenge ? await setNewPassword(props.config, email, challenge, password) : await signIn(props.config, email, password);
      if ('session' in result) {
        props.onSignedIn(result.session);
      } else {
        setChallenge(result.newPasswordSession);
        setPassword('');
      }
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h2>{challenge ? 'Choose a new password' : 'Sign in'}</h2>
      <form className="grid" onSubmit={submit}>
        <label>E-mail<input name="email" type="email" autoComplete="username" value={email} disabled={!!challenge} onChange={(e) => setEmail(e.target.value)} required /></label>
        <label>{challenge ? 'New password (12+ characters, upper, lower, digit, symbol)' : 'Password'}
          <input name="password" type="password" autoComplete={challenge ? 'new-password' : 'current-password'} value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        <button type="submit" disabled={busy}>{challenge ? 'Set password' : 'Sign in'}</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}

/** The last requests, newest first, each with the Region that served it. */
function RecentRequests() {
  const [records, setRecords] = useState<RequestRecord[]>([]);
  useEffect(() => watchRequests((r) => setRecords((rs) => [r, ...rs].slice(0, 10))), []);
  return (
    <section>
      <h2>Recent requests</h2>
      <table data-testid="requests">
        <thead><tr><th>Time</th><th>Request</th><th>Status</th><th>Served by</th></tr></thead>
        <tbody>
          {records.map((r, i) => (
            <tr key={`${r.at.getTime()}-${i}`} data-testid="request-row">
              <td>{r.at.toLocaleTimeString()}</td><td>{r.method} {r.path}</td><td>{r.status}</td><td>{r.servedBy ?? '(no answer from the API)'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

const EMPTY = { sender: '', recipient: '', amount: '', currency: 'EUR', note: '' };

function RemittanceList(props: { session: Session; onServedBy: (r: string) => void }) {
  const { session, onServedBy } = props;
  const [items, setItems] = useState<Remittance[]>([]);
  const [form, setForm] = useState(EMPTY);
  const [editing, setEditing] = useState<Remittance>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const run = useCallback(async function runCall<T>(work: () => Promise<{ servedBy?: string; body: T }>): Promise<T | undefined> {
    setError(undefined);
    try {
      const answer = await work();
      if (answer.servedBy) onServedBy(answer.servedBy);
      return answer.body;
    } catch (e) {
      if (e instanceof ApiError && e.servedBy) onServedBy(e.servedBy);
      setError((e as Error).message);
      return undefined;
    }
  }, [onServedBy]);

  const refresh = useCallback(async () => {
    const body = await run(() => call<{ remittances: Remittance[] }>(session, '/api', '/remittances'));
    if (body) setItems(body.remittances);
  }, [run, session]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const payload = { ...form, note: form.note === '' ? null : form.note };
    const body = editing
      ? await run(() => call(session, '/api', `/remittances/${editing.id}`, { method: 'PUT', body: { ...payload, version: editing.version } }))
      : await run(() => call(session, '/api', '/remittances', { method: 'POST', body: payload }));
    setBusy(false);
    if (body) {
      setForm(EMPTY);
      setEditing(undefined);
      await refresh();
    }
  };

  const remove = async (r: Remittance) => {
    if (await run(() => call(session, '/api', `/remittances/${r.id}`, { method: 'DELETE' }))) await refresh();
  };

  const edit = (r: Remittance) => {
    setEditing(r);
    setForm({ sender: r.sender, recipient: r.recipient, amount: r.amount, currency: r.currency, note: r.note ?? '' });
  };

  const field = (key: keyof typeof EMPTY, label: string, extra: object = {}) => (
    <label>{label}<input name={key} value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })} {...extra} /></label>
  );

  return (
    <>
      <section>
        <h2>{editing ? `Edit remittance ${editing.id.slice(0, 8)}` : 'New remittance'}</h2>
        <form className="grid" onSubmit={submit} data-testid="remittance-form">
          {field('sender', 'Sender', { required: true, maxLength: 100 })}
          {field('recipient', 'Recipient', { required: true, maxLength: 100 })}
          {field('amount', 'Amount', { required: true, inputMode: 'decimal', placeholder: '125.50' })}
          {field('currency', 'Currency', { required: true, maxLength: 3, placeholder: 'EUR' })}
          {field('note', 'Note', { maxLength: 500 })}
          <button type="submit" disabled={busy}>{editing ? 'Save' : 'Send'}</button>
          {editing && <button type="button" className="secondary" onClick={() => { setEditing(undefined); setForm(EMPTY); }}>Cancel</button>}
        </form>
        {error && <p className="error" role="alert">{error}</p>}
      </section>
      <section>
        <h2>Your remittances <button className="secondary" onClick={() => void refresh()}>Refresh</button></h2>
        <table data-testid="remittances">
          <thead><tr><th>Sender</th><th>Recipient</th><th>Amount</th><th>Note</th><th>Created in</th><th>Updated</th><th /></tr></thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id} data-testid="remittance-row">
                <td>{r.sender}</td><td>{r.recipient}</td><td className="amount">{r.amount} {r.currency}</td><td>{r.note}</td>
                <td>{r.createdIn}</td><td>{new Date(r.updatedAt).toLocaleString()}</td>
                <td>
                  <button className="secondary" onClick={() => edit(r)}>Edit</button>{' '}
                  <button className="danger" onClick={() => void remove(r)}>Delete</button>
                </td>
              </tr>
            ))}
            {items.length === 0 && <tr><td colSpan={7}>No remittances yet.</td></tr>}
          </tbody>
        </table>
      </section>
    </>
  );
}

const ENDED = ['Success', 'Failed', 'Cancelled', 'TimedOut', 'CompletedWithSuccess', 'CompletedWithFailure', 'Rejected'];

function Operations(props: { config: AppConfig; session: Session; servedBy?: string }) {
  const { config, session, servedBy } = props;
  const home = config.regions[0];
  const [execution, setExecution] = useState<{ region: string; runbook: string; view?: Execution }>();
  const [acceptLoss, setAcceptLoss] = useState(false);
  const [error, setError] = useState<string>();

  // Follows the execution in the Region that runs it, every 2 seconds until it ends.
  useEffect(() => {
    if (!execution?.view || ENDED.includes(execution.view.status)) return undefined;
    const timer = setTimeout(async () => {
      try {
        const { body } = await call<{ execution: Execution }>(session, `/regions/${execution.region}/api`, `/operations/${execution.view!.executionId}`);
        setExecution({ ...execution, view: body.execution });
      } catch (e) {
        setError((e as Error).message);
      }
    }, 2000);
    return () => clearTimeout(timer);
  }, [execution, session]);

  // A runbook starts in the Region that is to take over, through that Region's own API.
  const start = async (runbook: 'switchover' | 'failover' | 'failback', region: string) => {
    setError(undefined);
    try {
      const { body } = await call<{ executionId: string; documentName: string }>(session, `/regions/${region}/api`, '/operations', {
        method: 'POST', body: { runbook, ...(runbook === 'failover' ? { allowDataLoss: true } : {}) },
      });
      setExecution({ region, runbook, view: { executionId: body.executionId, documentName: body.documentName, status: 'Pending', steps: [] } });
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const running = execution?.view !== undefined && !ENDED.includes(execution.view.status);
  const others = config.regions.filter((r) => r !== servedBy);
  return (
    <section data-testid="operations">
      <h2>Operations</h2>
      <p>The API is served by <strong>{servedBy ?? 'an unknown Region (load the list first)'}</strong>; the home Region is {home}.</p>
      <div style={{ display: 'flex', gap: '0.5rem', flexWrap: 'wrap', alignItems: 'center' }}>
        {others.map((r) => <button key={`s-${r}`} className="secondary" disabled={running} onClick={() => void start('switchover', r)}>Switch over to {r}</button>)}
        {others.map((r) => (
          <button key={`f-${r}`} className="danger" disabled={running || !acceptLoss} onClick={() => void start('failover', r)}>Fail over to {r}</button>
        ))}
        <label style={{ flexDirection: 'row', alignItems: 'center' }}>
          <input type="checkbox" checked={acceptLoss} onChange={(e) => setAcceptLoss(e.target.checked)} /> a failover may lose the last writes
        </label>
        {servedBy !== undefined && servedBy !== home && (
          <button disabled={running} onClick={() => void start('failback', home)}>Fail back to {home}</button>
        )}
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {execution?.view && (
        <div data-testid="execution">
          <p>
            {execution.runbook} in {execution.region}: <span className={execution.view.status}>{execution.view.status}</span>
          </p>
          {execution.view.outcome === 'refused' && (
            <p className="refused" role="status" data-testid="refused">Refused, nothing was changed: {execution.view.reason}</p>
          )}
          {execution.view.outcome === 'failed' && <p className="error" role="alert">Failed: {execution.view.reason ?? execution.view.failureMessage}</p>}
          <ol className="steps">
            {execution.view.steps.map((s) => (
              <li key={s.name} className={s.status}>{s.name}: {s.status}{s.message ? ` (${s.message})` : ''}</li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}

/** One Region of the local rehearsal, as `/local/regions` answers. */
interface LocalRegion {
  readonly region: string;
  readonly impaired: boolean;
  readonly writer: boolean;
  readonly detached: boolean;
  readonly routed: boolean;
  readonly streaming: boolean;
  readonly lagMs?: number;
}

/** The local rehearsal's Regions, refreshed every 2 seconds, each with its Impair / Restore control. */
function LocalRegions(props: { session: Session }) {
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
    const timer = setInterval(() => void load(), 2000);
    return () => clearInterval(timer);
  }, [load]);

  const act = async (region: string, action: 'impair' | 'restore') => {
    setBusy(region);
    await load('POST', `/regions/${region}/${action}`);
    setBusy(undefined);
  };

  const role = (r: LocalRegion) => {
    if (r.impaired) return 'impaired';
    if (r.detached) return 'detached, stand-alone writer';
    if (r.writer) return 'writer';
    return r.streaming ? `secondary${r.lagMs !== undefined ? `, lag ${r.lagMs} ms` : ''}` : 'secondary, not streaming';
  };

  return (
    <section data-testid="local-regions">
      <h2>Regions (local rehearsal)</h2>
      {error && <p className="error" role="alert">{error}</p>}
      <table>
        <thead><tr><th>Region</th><th>Database</th><th>Routing</th><th /></tr></thead>
        <tbody>
          {(regions ?? []).map((r) => (
            <tr key={r.region} data-testid="local-region">
              <td>{r.region}</td>
              <td>{role(r)}</td>
              <td>{r.routed ? 'On' : 'Off'}</td>
              <td>
                {r.impaired
                  ? <button className="secondary" disabled={busy !== undefined} onClick={() => void act(r.region, 'restore')}>Restore {r.region}</button>
                  : <button className="danger" disabled={busy !== undefined} onClick={() => void act(r.region, 'impair')}>Impair {r.region}</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
