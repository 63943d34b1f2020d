/**
 * Request bounds for every AWS SDK client of this library. An impaired Region or ARC
 * endpoint may accept a connection and never answer. The SDK's `requestTimeout` alone
 * only logs a warning when it passes; with `throwOnRequestTimeout` the call fails, so a
 * runbook moves on to the next endpoint, a step is retried, and the command line reports
 * the Region instead of hanging.
 * @internal
 */
export function boundedRequests(connectionTimeoutMs: number, requestTimeoutMs: number) {
  return { connectionTimeout: connectionTimeoutMs, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true };
}
