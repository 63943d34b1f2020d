/**
 * Which AWS errors pass on their own, and retrying those within a bounded time. A
 * runbook step never answers a throttling error, a timeout or a 5xx with something
 * irreversible: it retries, and when the error outlasts the budget it fails the step
 * (the run can be started again), naming the call and the error.
 */

/** How an error from an AWS call is to be treated. */
export type ErrorKind = 'transient' | 'definitive';

/** Error names (`error.name`, the AWS error code) that mean "try again shortly". */
const TRANSIENT_NAMES = new Set([
  // Throttling, as the services and the SDK name it.
  'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottled', 'RequestThrottledException',
  'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown', 'PriorRequestNotComplete', 'BandwidthLimitExceeded',
  'EndpointTemporarilyUnavailableException',
  // The service or the network did not answer in time, or failed on its side.
  'InternalFailure', 'InternalError', 'InternalServerError', 'InternalServerException', 'ServiceUnavailable',
  'ServiceUnavailableException', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError', 'NetworkingError',
]);

/** Node.js network error codes (`error.code`) of a call that never got an answer. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * Classifies an error from an AWS call. Transient: throttling, timeouts, network
 * errors and HTTP 5xx answers. Everything else (a refusal, a missing resource, an
 * invalid state, no permission) is definitive: trying again soon gives the same answer.
 */
export function errorKind(error: unknown): ErrorKind {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown } | undefined;
  if (!e || typeof e !== 'object') return 'definitive';
  if (e.name && TRANSIENT_NAMES.has(e.name)) return 'transient';
  if (e.code && TRANSIENT_CODES.has(e.code)) return 'transient';
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return 'transient';
  if (e.$retryable) return 'transient';
  return 'definitive';
}

/** A transient error that outlasted the retry budget: the call was never answered. */
export class RetriesExhausted extends Error {
  constructor(public readonly what: string, public readonly attempts: number, public readonly elapsedMs: number, public readonly last: Error) {
    super(`${what} did not succeed in ${attempts} attempts over ${Math.round(elapsedMs / 1000)} s (last: ${describeError(last)})`);
    this.name = 'RetriesExhausted';
  }
}

/** `Name: message`, or the message alone when the name adds nothing. */
export function describeError(error: unknown): string {
  const e = error as Error | undefined;
  if (!e || typeof e !== 'object') return String(error);
  return !e.name || e.name === 'Error' || e.message.startsWith(e.name) ? e.message : `${e.name}: ${e.message}`;
}

/** The clock a retry waits on: the runbook's cloud, so that tests control time. */
export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** How long transient errors are retried, in total, and the first pause between attempts (doubling, at most 8 s). */
export interface RetryBudget {
  readonly budgetMs: number;
  readonly firstDelayMs?: number;
}

/** The default: one minute of retries, which fits a step invocation. */
export const DEFAULT_RETRY_BUDGET: RetryBudget = { budgetMs: 60_000, firstDelayMs: 1_000 };

/**
 * Runs `call`; on a transient error waits and tries again until `budget` is spent, then
 * throws {@link RetriesExhausted}. A definitive error is thrown at once, unchanged.
 */
export async function withRetries<T>(
  what: string, clock: RetryClock, call: () => Promise<T>, budget: RetryBudget = DEFAULT_RETRY_BUDGET,
): Promise<T> {
  const start = clock.now();
  let delay = budget.firstDelayMs ?? 1_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (errorKind(e) !== 'transient') throw e;
      const elapsed = clock.now() - start;
      if (elapsed + delay > budget.budgetMs) throw new RetriesExhausted(what, attempt, elapsed, e as Error);
      await clock.sleep(delay);
      delay = Math.min(delay * 2, 8_000);
    }
  }
}
