import {
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { ClusterEndpoint, RoutingDataPlane } from './routing-states';
import { boundedRequests } from '../bounded-requests';

// One client per endpoint, kept for the life of the process (across Lambda invocations).
const clients = new Map<string, Route53RecoveryClusterClient>();

/**
 * The ARC cluster data plane through `@aws-sdk/client-route53-recovery-cluster`. Once
 * `signal` is aborted, calls in flight are cancelled and new ones fail at once, so a
 * caller out of time can stop every endpoint attempt.
 */
export function awsRoutingDataPlane(signal?: AbortSignal): RoutingDataPlane {
  const client = (endpoint: ClusterEndpoint): Route53RecoveryClusterClient => {
    signal?.throwIfAborted();
    let c = clients.get(endpoint.endpoint);
    if (!c) {
      // One short attempt per endpoint: a hung endpoint must fail fast so the next one is
      // tried (ARC's guidance is to rotate through the endpoints rather than retry one),
      // and the caller remembers which endpoint answered (routing-states.ts).
      c = new Route53RecoveryClusterClient({
        endpoint: endpoint.endpoint,
        region: endpoint.region,
        maxAttempts: 1,
        requestHandler: boundedRequests(2_000, 3_000),
      });
      clients.set(endpoint.endpoint, c);
    }
    return c;
  };
  return {
    async updateRoutingControlStates(endpoint, entries) {
      await client(endpoint).send(new UpdateRoutingControlStatesCommand({
        UpdateRoutingControlStateEntries: entries.map((e) => ({ RoutingControlArn: e.routingControlArn, RoutingControlState: e.state })),
      }), { abortSignal: signal });
    },
    async getRoutingControlState(endpoint, routingControlArn) {
      const out = await client(endpoint).send(new GetRoutingControlStateCommand({ RoutingControlArn: routingControlArn }), { abortSignal: signal });
      if (out.RoutingControlState !== 'On' && out.RoutingControlState !== 'Off') {
        throw new Error(`unexpected state ${String(out.RoutingControlState)} for ${routingControlArn}`);
      }
      return out.RoutingControlState;
    },
  };
}
