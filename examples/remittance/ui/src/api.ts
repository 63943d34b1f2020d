/**
 * What the UI talks to: its config.json (written per Region by the stack that serves it),
 * Cognito's sign-in API (InitiateAuth, RespondToAuthChallenge: JSON over HTTPS, no SDK),
 * and the remittance API behind the same CloudFront origin.
 */
import type { Execution, OperationsState, Remittance } from '../../api/model';

export type { Execution, OperationsState, Remittance };


export interface AppConfig {
  /** The Region whose bucket served this page. */
  readonly region: string;
  /** Every Region of the application, the home (initial primary) Region first. */
  readonly regions: string[];
  readonly cognito: { readonly region: string; readonly endpoint: string; readonly clientId: string };
  /** Members of this Cognito group may run the runbooks. */
  readonly operatorsGroup: string;
  /** Set by the local run: its stand-ins replace Cognito and the runbooks. */
  readonly local?: boolean;
  /** Set by the local run with active/active routing. */
  readonly activeActive?: boolean;
}

export async function loadConfig(): Promise<AppConfig> {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json could not be loaded (HTTP ${res.status}): redeploy the Region's stack`);
  return (await res.json()) as AppConfig;
}

export interface Session {
  readonly idToken: string;
  readonly email: string;
  readonly groups: string[];
  readonly expiresAt: number;
}

const SESSION_KEY = 'remittance.session';

/**
 * The session survives a reload of the tab (a run being followed is picked up again),
 * not the tab itself: sessionStorage, never localStorage. An expired one is dropped.
 */
export function savedSession(): Session | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
    return saved && saved.expiresAt > Date.now() + 60_000 ? saved : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
}

/** The outcome of a sign-in step: a session, or Cognito asking for a new password. */
export type SignInResult = { session: Session } | { newPasswordSession: string };

async function cognito(config: AppConfig, target: string, body: object): Promise<Record<string, unknown>> {
  const res = await fetch(config.cognito.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${target}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new Error(String(json.message ?? json.__type ?? `sign-in failed (HTTP ${res.status})`));
  return json;
}

function sessionOf(result: Record<string, unknown>): SignInResult {
  const auth = result.AuthenticationResult as { IdToken?: string; ExpiresIn?: number } | undefined;
  if (result.ChallengeName === 'NEW_PASSWORD_REQUIRED') return { newPasswordSession: String(result.Session) };
  if (!auth?.IdToken) throw new Error(`sign-in needs a step this page does not support (${String(result.ChallengeName ?? 'no token')})`);
  const claims = JSON.parse(atob(auth.IdToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
  return {
    session: {
      idToken: auth.IdToken,
      email: String(claims.email ?? claims['cognito:username'] ?? ''),
      groups: (claims['cognito:groups'] as string[] | undefined) ?? [],
      expiresAt: Date.now() + (auth.ExpiresIn ?? 3600) * 1000,
    },
  };
}

export async function signIn(config: AppConfig, email: string, password: string): Promise<SignInResult> {
  return sessionOf(await cognito(config, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH', ClientId: config.cognito.clientId, AuthParameters: { USERNAME: email, PASSWORD: password },
  }));
}

export async function setNewPassword(config: AppConfig, email: string, session: string, newPassword: string): Promise<SignInResult> {
  return sessionOf(await cognito(config, 'RespondToAuthChallenge', {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    ClientId: config.cognito.clientId,
    Session: session,
    ChallengeResponses: { USERNAME: email, NEW_PASSWORD: newPassword },
  }));
}

/** An API answer: its JSON body, and the Region that served it. */
export interface Answer<T> {
  readonly body: T;
  readonly servedBy?: string;
}

export class ApiError extends Error {
  constructor(message: string, public readonly status: number, public readonly servedBy?: string) {
    super(message);
  }
}

/** One API request as the page shows it: what was asked, the answer's status, and the Region that served it. */
export interface RequestRecord {
  readonly at: Date;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly servedBy?: string;
}

const watchers = new Set<(r: RequestRecord) => void>();

/** Calls `watcher` after every API answer; returns the function that stops it. */
export function watchRequests(watcher: (r: RequestRecord) => void): () => void {
  watchers.add(watcher);
  return () => watchers.delete(watcher);
}

/**
 * Calls the API behind `prefix` (`/api`, or `/regions/<region>/api` for one Region) with
 * the session's token. A `quiet` call (the panel's polling) is not listed in the recent
 * requests. A network failure or a reply that is not JSON becomes an ApiError too.
 */
export async function call<T>(
  session: Session, prefix: string, path: string, init: { method?: string; body?: object; quiet?: boolean; timeoutMs?: number } = {},
): Promise<Answer<T>> {
  let res: Response;
  const timeoutMs = init.timeoutMs ?? 15_000;
  try {
    res = await fetch(`${prefix}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: session.idToken, ...(init.body ? { 'content-type': 'application/json' } : {}) },
      body: init.body ? JSON.stringify(init.body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const late = (e as Error).name === 'TimeoutError';
    throw new ApiError(late ? `the API did not answer within ${timeoutMs / 1000} s` : `the API could not be reached (${(e as Error).message})`, 0);
  }
  const body = (await res.json().catch(() => ({ error: `HTTP ${res.status} with no JSON body` }))) as T & { error?: string; message?: string; servedBy?: string };
  const servedBy = res.headers.get('x-served-by') ?? body.servedBy;
  const record: RequestRecord = { at: new Date(), method: init.method ?? 'GET', path: `${prefix}${path}`, status: res.status, servedBy };
  if (!init.quiet) watchers.forEach((w) => w(record));
  if (!res.ok) throw new ApiError(body.error ?? body.message ?? `HTTP ${res.status}`, res.status, servedBy);
  return { body, servedBy };
}
