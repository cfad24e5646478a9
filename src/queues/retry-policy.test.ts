import { describe, expect, it } from 'vitest';
import { RateLimitedError, UpstreamUnavailableError } from '../core/errors.js';
import { backoffDelay, hubBackoffStrategy, retryJobOptions, HUB_BACKOFF } from './retry-policy.js';

const policy = { backoffMs: 1000, maxBackoffMs: 60_000 };

describe('backoffDelay', () => {
  it('grows the ceiling exponentially and draws the delay uniformly below it (full jitter)', () => {
    expect(backoffDelay(1, policy, undefined, () => 0.999)).toBe(999);
    expect(backoffDelay(3, policy, undefined, () => 0.999)).toBe(3996);
    expect(backoffDelay(3, policy, undefined, () => 0)).toBe(0);
  });

  it('never exceeds the configured cap', () => {
    expect(backoffDelay(30, policy, undefined, () => 0.999)).toBeLessThan(60_000);
  });

  it('waits at least what Retry-After asked for, whatever the jitter draws', () => {
    const err = new RateLimitedError('throttled', { retryAfterMs: 30_000 });
    for (const r of [0, 0.5, 0.999]) expect(backoffDelay(1, policy, err, () => r)).toBeGreaterThanOrEqual(30_000);
  });

  it('ignores errors that carry no wait', () => {
    expect(backoffDelay(1, policy, new UpstreamUnavailableError('503'), () => 0.5)).toBe(500);
  });
});

describe('hubBackoffStrategy', () => {
  it('reads the base delay from the job options and honours Retry-After', () => {
    const opts = retryJobOptions({ attempts: 5, backoffMs: 200, maxBackoffMs: 1000 });
    expect(opts).toEqual({ attempts: 5, backoff: { type: HUB_BACKOFF, delay: 200 } });
    const job = { data: { retry: { maxBackoffMs: 1000 } }, opts } as never;
    const delay = hubBackoffStrategy(10, HUB_BACKOFF, new RateLimitedError('429', { retryAfterMs: 30_000 }), job);
    expect(delay).toBeGreaterThanOrEqual(30_000);
    expect(hubBackoffStrategy(10, HUB_BACKOFF, new Error('x'), job)).toBeLessThan(1000);
  });
});
