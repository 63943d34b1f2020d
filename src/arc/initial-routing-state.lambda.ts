import * as http from 'http';
import * as https from 'https';
import {
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { handleInitialStateEvent, InitialStateEvent } from './initial-state-handler';
import { ClusterEndpoint, RoutingDataPlane } from './routing-states';

/** The fields of a CloudFormation custom resource request this function answers. */
interface CloudFormationRequest extends InitialStateEvent {
  readonly ResponseURL: string;
  readonly RequestId: string;
}

// One client per endpoint, kept across invocations.
const clients = new Map<string, Route53RecoveryClusterClient>();
function client(endpoint: ClusterEndpoint): Route53RecoveryClusterClient {
  let c = clients.get(endpoint.endpoint);
  if (!c) {
    // Bounded timeouts: an unreachable endpoint must fail fast so the next one is tried
    // well within the function's timeout (5 endpoints x 2 attempts x 8 s < 120 s).
    c = new Route53RecoveryClusterClient({
      endpoint: endpoint.endpoint,
      region: endpoint.region,
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000 },
    });
    clients.set(endpoint.endpoint, c);
  }
  return c;
}

const dataPlane: RoutingDataPlane = {
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

/**
 * CloudFormation custom resource: sets the initial routing control states on create,
 * never on update or delete. Always answers CloudFormation, so a failure fails the
 * deployment with its reason instead of leaving the stack waiting.
 */
export async function handler(event: CloudFormationRequest): Promise<void> {
  const log = (line: string) => console.log(line);
  let body: Record<string, unknown>;
  try {
    const result = await handleInitialStateEvent(event, dataPlane, log);
    body = { Status: 'SUCCESS', PhysicalResourceId: result.physicalResourceId, Data: result.data };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    console.error(`${event.RequestType} failed: ${reason}`);
    body = {
      Status: 'FAILED',
      Reason: reason.slice(0, 3500),
      // A failed create has no resource yet; keep the id stable otherwise.
      PhysicalResourceId: event.PhysicalResourceId ?? `${event.LogicalResourceId}-initial-routing-state`,
    };
  }
  await respond(event.ResponseURL, {
    ...body,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
}

/** PUTs the response document to the pre-signed URL CloudFormation gave. */
export function respond(url: string, document: Record<string, unknown>): Promise<void> {
  const payload = JSON.stringify(document);
  return new Promise((resolve, reject) => {
    // CloudFormation's URL is https; plain http serves local tests.
    const request = (url.startsWith('http:') ? http : https).request(url, {
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(payload) },
    }, (response) => {
      response.resume();
      response.on('end', () => {
        if ((response.statusCode ?? 0) >= 300) {
          reject(new Error(`CloudFormation response rejected with HTTP ${response.statusCode}`));
        } else {
          resolve();
        }
      });
    });
    request.on('error', reject);
    request.end(payload);
  });
}
