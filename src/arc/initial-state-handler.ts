import { ClusterEndpoint, readStates, RoutingDataPlane, statesFor, updateStates } from './routing-states';

/** The properties the construct passes to the initial-state custom resource. */
export interface InitialStateProperties {
  /** Data-plane endpoints of the ARC cluster (`ClusterEndpoints` of the cluster). */
  readonly ClusterEndpoints: { Endpoint: string; Region: string }[];
  /** Every Region's routing control, in Region order. */
  readonly RoutingControlArns: string[];
  /** The control to turn On at creation (the first Region's); every other one is set Off. Active/passive. */
  readonly InitiallyOnArn?: string;
  /** The controls to turn On at creation (every Region's); every other one is set Off. Active/active. */
  readonly InitiallyOnArns?: string[];
}

/** The subset of a CloudFormation custom resource event the handler reads. */
export interface InitialStateEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly LogicalResourceId: string;
  readonly StackId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: InitialStateProperties & { ServiceToken?: string };
}

/** What to answer CloudFormation. */
export interface InitialStateResult {
  readonly physicalResourceId: string;
  readonly data: Record<string, string>;
}

/**
 * Sets the initial routing states when the resource is created, and never touches them
 * afterwards: an update (a redeploy, perhaps in the middle of a failover) or a delete
 * must not move traffic. Creation turns the controls it names On (the first Region's for
 * active/passive, every Region's for active/active) and every other control Off in one
 * `UpdateRoutingControlStates` call, on the first cluster endpoint that answers, then
 * reads the states back to confirm them.
 */
export async function handleInitialStateEvent(
  event: InitialStateEvent,
  dataPlane: RoutingDataPlane,
  log: (line: string) => void = () => {},
): Promise<InitialStateResult> {
  const props = event.ResourceProperties;
  if (event.RequestType !== 'Create') {
    log(`${event.RequestType}: routing control states are left as they are (they are set on create only)`);
    return { physicalResourceId: event.PhysicalResourceId ?? `${event.LogicalResourceId}-initial-routing-state`, data: {} };
  }

  const endpoints = parseEndpoints(props.ClusterEndpoints);
  const arns = props.RoutingControlArns;
  if (!Array.isArray(arns) || arns.length < 2 || arns.some((a) => typeof a !== 'string' || !a)) {
    throw new Error(`RoutingControlArns must list at least 2 routing control ARNs, got ${JSON.stringify(arns)}`);
  }
  const on = props.InitiallyOnArns ?? (props.InitiallyOnArn === undefined ? [] : [props.InitiallyOnArn]);
  if (!Array.isArray(on) || on.length === 0 || on.some((a) => !arns.includes(a))) {
    throw new Error(`InitiallyOnArn or InitiallyOnArns must name at least one of RoutingControlArns, got ${JSON.stringify(on)}`);
  }
  const entries = statesFor(arns, on);
  // Spread callers over the endpoints: start at one chosen by the stack's id.
  const start = hash(event.StackId) % endpoints.length;
  await updateStates(dataPlane, endpoints, entries, start, log);
  const states = await readStates(dataPlane, endpoints, arns, start, log);
  const wrong = entries.filter((e) => states[e.routingControlArn] !== e.state);
  if (wrong.length > 0) {
    throw new Error(
      `routing states did not take effect: ${wrong.map((w) => `${w.routingControlArn} is ${states[w.routingControlArn]}, expected ` +
        `${w.state}`).join('; ')}`,
    );
  }
  log(`Create: ${entries.map((e) => `${e.routingControlArn}=${e.state}`).join(', ')}`);
  return {
    physicalResourceId: `${event.LogicalResourceId}-initial-routing-state`,
    data: props.InitiallyOnArns === undefined ? { InitiallyOnArn: on[0] } : { InitiallyOnArns: on.join(',') },
  };
}

function parseEndpoints(raw: unknown): ClusterEndpoint[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new Error(`ClusterEndpoints must list the ARC cluster's endpoints, got ${JSON.stringify(raw)}`);
  }
  return raw.map((e, i) => {
    const { Endpoint: endpoint, Region: region } = (e ?? {}) as { Endpoint?: unknown; Region?: unknown };
    if (typeof endpoint !== 'string' || typeof region !== 'string' || !endpoint || !region) {
      throw new Error(`ClusterEndpoints[${i}] needs Endpoint and Region strings, got ${JSON.stringify(e)}`);
    }
    return { endpoint, region };
  });
}

function hash(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) % 2_147_483_647;
  return h;
}
