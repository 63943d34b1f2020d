/**
 * Routing-control state changes over the ARC cluster data plane, rotating through the
 * cluster's Regional endpoints. Plain functions over a small client interface so they
 * can be tested against a fake data plane; the Lambda handlers and the runbooks wire in
 * `@aws-sdk/client-route53-recovery-cluster`.
 */

/** One of the (five) Regional data-plane endpoints of an ARC cluster. */
export interface ClusterEndpoint {
  /** The endpoint URL, e.g. `https://abcd1234.route53-recovery-cluster.us-west-2.amazonaws.com/v1`. */
  readonly endpoint: string;
  /** The Region to sign requests for. */
  readonly region: string;
}

/** `On` or `Off`, as the ARC data plane spells them. */
export type RoutingControlState = 'On' | 'Off';

/** A desired state for one routing control. */
export interface RoutingControlStateEntry {
  readonly routingControlArn: string;
  readonly state: RoutingControlState;
}

/** The two data-plane calls the library needs, against one endpoint. */
export interface RoutingDataPlane {
  /** Sets the states in one transaction (`UpdateRoutingControlStates`). */
  updateRoutingControlStates(endpoint: ClusterEndpoint, entries: RoutingControlStateEntry[]): Promise<void>;
  /** Reads one control's state (`GetRoutingControlState`). */
  getRoutingControlState(endpoint: ClusterEndpoint, routingControlArn: string): Promise<RoutingControlState>;
}

/** Thrown when every endpoint failed; lists each endpoint's error. */
export class AllEndpointsFailedError extends Error {
  constructor(public readonly action: string, public readonly failures: { endpoint: ClusterEndpoint; error: string }[]) {
    super(
      `${action} failed on all ${failures.length} ARC cluster endpoints: ` +
        failures.map((f) => `${f.endpoint.region} (${f.endpoint.endpoint}): ${f.error}`).join('; ') +
        '. Check network access to the ARC data plane and the caller\'s route53-recovery-cluster permissions.',
    );
    this.name = 'AllEndpointsFailedError';
  }
}

/**
 * The endpoint that last answered, per data plane: the next call starts there, so an
 * endpoint that hangs costs its timeout once per process, not once per call.
 */
const lastAnswered = new WeakMap<object, string>();

/** Where a call starts: the given index, else the endpoint `dataPlane` last got an answer from, else the first. */
function startIndex(endpoints: readonly ClusterEndpoint[], start: number | undefined, dataPlane: object | undefined): number {
  if (start !== undefined) return start;
  const remembered = dataPlane ? lastAnswered.get(dataPlane) : undefined;
  const index = endpoints.findIndex((e) => e.endpoint === remembered);
  return index >= 0 ? index : 0;
}

/**
 * Runs `call` against each endpoint in turn, starting at `start` (default: the endpoint
 * `dataPlane` last got an answer from), until one succeeds. ARC asks callers to retry on
 * another endpoint when one fails: any single Region's endpoint may be the one that is
 * impaired.
 */
export async function onAnyEndpoint<T>(
  action: string,
  endpoints: readonly ClusterEndpoint[],
  call: (endpoint: ClusterEndpoint) => Promise<T>,
  start?: number,
  log: (line: string) => void = () => {},
  dataPlane?: object,
): Promise<T> {
  if (endpoints.length === 0) {
    throw new Error(`${action}: the ARC cluster has no endpoint to call; is the cluster deployed (status DEPLOYED)?`);
  }
  const first = startIndex(endpoints, start, dataPlane);
  const failures: { endpoint: ClusterEndpoint; error: string }[] = [];
  for (let i = 0; i < endpoints.length; i++) {
    const endpoint = endpoints[(first + i) % endpoints.length];
    try {
      const result = await call(endpoint);
      if (dataPlane) lastAnswered.set(dataPlane, endpoint.endpoint);
      log(`${action}: succeeded on ${endpoint.region}`);
      return result;
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      log(`${action}: ${endpoint.region} failed (${error}); trying the next endpoint`);
      failures.push({ endpoint, error });
    }
  }
  throw new AllEndpointsFailedError(action, failures);
}

/**
 * The states that route traffic to exactly `activeArns`: those On, every other control
 * of `allArns` Off. Refuses an empty active set (every Region off).
 */
export function statesFor(allArns: readonly string[], activeArns: readonly string[]): RoutingControlStateEntry[] {
  const unknown = activeArns.filter((a) => !allArns.includes(a));
  if (unknown.length > 0) {
    throw new Error(`routing controls ${unknown.join(', ')} are not among the topology's controls (${allArns.join(', ')})`);
  }
  if (activeArns.length === 0) {
    throw new Error('refusing to turn every routing control Off: at least one Region must receive traffic');
  }
  return allArns.map((routingControlArn) => ({
    routingControlArn,
    state: activeArns.includes(routingControlArn) ? 'On' : 'Off',
  }));
}

/**
 * Sets `entries` in one `UpdateRoutingControlStates` call on the first endpoint that
 * answers. One call makes the change atomic: no moment where both or neither Region is on.
 */
export async function updateStates(
  dataPlane: RoutingDataPlane,
  endpoints: readonly ClusterEndpoint[],
  entries: RoutingControlStateEntry[],
  start?: number,
  log?: (line: string) => void,
): Promise<void> {
  await onAnyEndpoint('UpdateRoutingControlStates', endpoints, (ep) => dataPlane.updateRoutingControlStates(ep, entries), start, log, dataPlane);
}

/**
 * Reads the states of `arns`, all from one endpoint at once (the first that answers every
 * read), so that a hung endpoint costs one timeout, not one per control.
 */
export async function readStates(
  dataPlane: RoutingDataPlane,
  endpoints: readonly ClusterEndpoint[],
  arns: readonly string[],
  start?: number,
  log?: (line: string) => void,
): Promise<Record<string, RoutingControlState>> {
  return onAnyEndpoint('GetRoutingControlState', endpoints, async (ep) => {
    const states = await Promise.all(arns.map((arn) => dataPlane.getRoutingControlState(ep, arn)));
    return Object.fromEntries(arns.map((arn, i) => [arn, states[i]])) as Record<string, RoutingControlState>;
  }, start, log, dataPlane);
}
