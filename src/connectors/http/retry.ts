import pRetry from 'p-retry';
import { HubError, RateLimitedError } from '../../core/errors.js';

export interface InCallRetryOptions {
  /** Safe to send again after an unknown outcome (5xx, lost connection); only such calls are retried. */
  idempotent: boolean;
  /** Retries after the first attempt (default 2). */
  retries?: number;
  /** First backoff, doubled each time with jitter (default 250 ms). */
  minRetryDelayMs?: number;
  /** Retry errors outside the taxonomy (a bug or an unforeseen failure) as well (default false). */
  retryUnknown?: boolean;
  /** Called for each failed attempt that will be retried (for stats and debug logs). */
  onRetry?: (error: unknown, attemptNumber: number) => void;
}

/**
 * Runs one API call with short in-call retries of retryable failures, backing off exponentially
 * with jitter. A RateLimitedError is never retried here: it goes back to the queue, which waits
 * its `retryAfterMs` without holding a worker; a permanent failure is final at once.
 */
export function retryInCall<T>(run: () => Promise<T>, options: InCallRetryOptions): Promise<T> {
  const shouldRetry = (error: unknown) =>
    error instanceof HubError ? error.retryable && !(error instanceof RateLimitedError) : (options.retryUnknown ?? false);
  return pRetry(run, {
    retries: options.idempotent ? (options.retries ?? 2) : 0,
    minTimeout: options.minRetryDelayMs ?? 250,
    factor: 2,
    randomize: true,
    shouldRetry: ({ error }) => shouldRetry(error),
    onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
      if (retriesLeft > 0 && shouldRetry(error)) options.onRetry?.(error, attemptNumber);
    },
  });
}
