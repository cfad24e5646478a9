import type { BackoffStrategy } from 'bullmq';
import { HubError } from '../core/errors.js';

/** Name of the hub's backoff strategy in job options: `{ backoff: { type: HUB_BACKOFF, delay } }`. */
export const HUB_BACKOFF = 'hub';

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, backoffMs: 1000, maxBackoffMs: 5 * 60_000 };

/**
 * Exponential backoff with full jitter (a uniform delay in [0, min(cap, base * 2^(n-1))]), raised to
 * the error's `retryAfterMs` when the upstream said how long to wait (429 Retry-After, throttle).
 */
export function backoffDelay(
  attemptsMade: number,
  policy: Pick<RetryPolicy, 'backoffMs' | 'maxBackoffMs'>,
  err?: unknown,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.max(0, attemptsMade - 1));
  const jittered = Math.floor(random() * ceiling);
  const retryAfter = err instanceof HubError ? (err.retryAfterMs ?? 0) : 0;
  return Math.max(jittered, retryAfter);
}

/**
 * The BullMQ worker setting that implements {@link backoffDelay}. Per-job policy travels in the job
 * options (`backoff.delay` is the base) and in `job.data.retry` for the cap.
 */
export const hubBackoffStrategy: BackoffStrategy = (attemptsMade, type, err, job) => {
  if (type !== HUB_BACKOFF) throw new Error(`unknown backoff type "${type}"`);
  const data = (job?.data ?? {}) as { retry?: Partial<RetryPolicy> };
  const backoffMs = job?.opts.backoff && typeof job.opts.backoff === 'object' ? (job.opts.backoff.delay ?? DEFAULT_RETRY.backoffMs) : DEFAULT_RETRY.backoffMs;
  return backoffDelay(attemptsMade, { backoffMs, maxBackoffMs: data.retry?.maxBackoffMs ?? DEFAULT_RETRY.maxBackoffMs }, err);
};

/** Job options that make BullMQ retry with the hub's policy. */
export function retryJobOptions(policy: RetryPolicy): { attempts: number; backoff: { type: string; delay: number } } {
  return { attempts: policy.attempts, backoff: { type: HUB_BACKOFF, delay: policy.backoffMs } };
}

/**
 * Storing a dead letter must outlast a database outage: about two hours of retries (1 s doubling
 * to a 60 s cap) before BullMQ itself keeps the report as a failed job.
 */
export const DEAD_LETTER_JOB_OPTIONS = retryJobOptions({ attempts: 130, backoffMs: 1000, maxBackoffMs: 60_000 });
