import * as http from 'http';
import * as https from 'https';

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

/**
 * The body of a FAILED answer for `error`, logged: the reason cut to what CloudFormation
 * shows, and the resource's id kept (a failed create has none yet: `<logical id>-<suffix>`).
 */
export function failedResponse(
  event: { RequestType: string; PhysicalResourceId?: string; LogicalResourceId: string }, error: unknown, idSuffix: string,
): Record<string, unknown> {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`${event.RequestType} failed: ${reason}`);
  return {
    Status: 'FAILED',
    Reason: reason.slice(0, 3500),
    PhysicalResourceId: event.PhysicalResourceId ?? `${event.LogicalResourceId}-${idSuffix}`,
  };
}
