import Alert from '@cloudscape-design/components/alert';
import Badge from '@cloudscape-design/components/badge';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import { FormEvent, useEffect, useState } from 'react';
import { AppConfig, Session, loadConfig, saveSession, savedSession, setNewPassword, signIn } from './api';
import { Operations, RehearsalControls } from './operations';
import { RecentRequests, RemittanceList } from './remittances';

/** Which Region answered the API last: the page's badge. `unreachable` when the routed API did not answer. */
export type Serving = { readonly region?: string; readonly unreachable?: boolean };

export function App() {
  const [config, setConfig] = useState<AppConfig>();
  const [error, setError] = useState<string>();
  const [session, setSessionState] = useState<Session | undefined>(savedSession);
  const [serving, setServing] = useState<Serving>({});

  useEffect(() => {
    loadConfig().then(setConfig, (e: Error) => setError(e.message));
  }, []);

  const setSession = (s: Session | undefined) => {
    saveSession(s);
    setSessionState(s);
    if (!s) setServing({});
  };

  if (error) return <main><Alert type="error" header="The page could not start">{error}</Alert></main>;
  if (!config) return <main><Spinner /> Loading…</main>;
  const operator = session !== undefined && session.groups.includes(config.operatorsGroup);
  return (
    <>
      <header className="top">
        <h1>Remittances</h1>
        <span className="serving" data-testid="served-by">
          {serving.unreachable ? <Badge color="red">API unreachable</Badge>
            : serving.region ? <>API served by <Badge color="blue">{serving.region}</Badge></> : null}
        </span>
        {session && (
          <span className="user">
            <span className="email">{session.email}</span>
            <button className="signout" onClick={() => setSession(undefined)}>Sign out</button>
          </span>
        )}
      </header>
      <main>
        <SpaceBetween size="l">
          {config.local && (
            <Alert type="info" header="Local rehearsal">
              Each Region is a PostgreSQL server on this machine, replicating from the writer; the API, the runbooks, their checks and
              refusals are the real ones. Stand-ins: sign-in, a Region's "Region impaired" alarm (in ALARM while the Region is impaired),
              and the readiness schedule (every 15 seconds).
              {config.activeActive && ' Active/active: every Region serves and reads from its own server. PostgreSQL has no write forwarding: ' +
                'a Region without the writer has its writes refused as read-only by its server, and sends them on to the writer.'}
            </Alert>
          )}
          {!session && <SignIn config={config} onSignedIn={setSession} />}
          {operator && <Operations config={config} session={session} onServing={setServing} />}
          {operator && config.local && <RehearsalControls session={session} />}
          {session && <RemittanceList session={session} onServing={setServing} />}
          {session && <RecentRequests />}
        </SpaceBetween>
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
    <form onSubmit={submit}>
      <Form
        header={<Header variant="h2">{challenge ? 'Choose a new password' : 'Sign in'}</Header>}
        actions={<Button variant="primary" formAction="submit" loading={busy}>{challenge ? 'Set password' : 'Sign in'}</Button>}
        errorText={error && <span role="alert">{error}</span>}
      >
        <Container>
          <SpaceBetween size="m">
            <FormField label="E-mail">
              <Input name="email" type="email" autoComplete="username" value={email} disabled={!!challenge} onChange={(e) => setEmail(e.detail.value)} />
            </FormField>
            <FormField label={challenge ? 'New password' : 'Password'} constraintText={challenge ? '12 or more characters: upper and lower case, a digit, a symbol' : undefined}>
              <Input
                name="password" type="password" autoComplete={challenge ? 'new-password' : 'current-password'} value={password}
                onChange={(e) => setPassword(e.detail.value)}
              />
            </FormField>
          </SpaceBetween>
        </Container>
      </Form>
    </form>
  );
}
