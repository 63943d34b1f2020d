import * as http from 'http';
import * as https from 'https';
import { awsRoutingDataPlane } from './aws-data-plane';
import { handleInitialStateEvent, InitialStateEvent } from './initial-state-handler';

/** The fields of a CloudFormation custom resource request this function answers. */
interface CloudFormationRequest extends InitialStateEvent {
  readonly ResponseURL: string;
  readonly RequestId: string;
}

// Created once per container, so its clients are reused across invocations.
const dataPlane = awsRoutingDataPlane();

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
