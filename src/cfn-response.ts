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
