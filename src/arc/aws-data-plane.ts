import {
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { ClusterEndpoint, RoutingDataPlane } from './routing-states';

/**
 * The ARC cluster data plane through `@aws-sdk/client-route53-recovery-cluster`, one
 * client per endpoint, kept for the life of the process.
 */
export function awsRoutingDataPlane(): RoutingDataPlane {
  const clients = new Map<string, Route53RecoveryClusterClient>();
  const client = (endpoint: ClusterEndpoint): Route53RecoveryClusterClient => {
    let c = clients.get(endpoint.endpoint);
    if (!c) {
      // Bounded timeouts: an unreachable endpoint must fail fast so the next one is tried
      // (5 endpoints x 2 attempts x 8 s stays under a 120 s Lambda timeout).
      c = new Route53RecoveryClusterClient({
        endpoint: endpoint.endpoint,
        region: endpoint.region,
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000 },
      });
      clients.set(endpoint.endpoint, c);
    }
    return c;
  };
  return {
    async updateRoutingControlStates(endpoint, entries) {
      await client(endpoint).send(new UpdateRoutingControlStatesCommand({
        UpdateRoutingControlStateEntries: entries.map((e) => ({ RoutingControlArn: e.routingControlArn, RoutingControlState: e.state })),
      }));
    },
    async getRoutingControlState(endpoint, routingControlArn) {
      const out = await client(endpoint).send(new GetRoutingControlStateCommand({ RoutingControlArn: routingControlArn }));
      if (out.RoutingControlState !== 'On' && out.RoutingControlState !== 'Off') {
        throw new Error(`unexpected state ${String(out.RoutingControlState)} for ${routingControlArn}`);
      }
      return out.RoutingControlState;
    },
  };
}
