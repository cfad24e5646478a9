import { describe, expect, it } from 'vitest';
import { AuthError, ContractError, NetworkError, RateLimitedError, UpstreamUnavailableError } from '../../core/errors.js';
import { type HttpFailure, type HttpClassification, classifyHttpError, parseRetryAfter, toHubError } from './classify-http-error.js';

const NOW = Date.parse('2026-11-24T08:00:00Z');

describe('classifyHttpError', () => {
  const rows: [string, HttpFailure, HttpClassification][] = [
    ['connection reset', { code: 'ECONNRESET' }, { retryable: true, code: 'network_error' }],
    ['DNS failure', { code: 'ENOTFOUND' }, { retryable: true, code: 'network_error' }],
    ['client-side timeout', { code: 'ECONNABORTED' }, { retryable: true, code: 'network_error' }],
    ['429 with Retry-After seconds', { status: 429, headers: { 'Retry-After': '2' } }, { retryable: true, code: 'rate_limited', retryAfterMs: 2000 }],
    ['429 with fractional seconds', { status: 429, headers: { 'retry-after': '1.5' } }, { retryable: true, code: 'rate_limited', retryAfterMs: 1500 }],
    [
      '429 with an HTTP-date',
      { status: 429, headers: { 'retry-after': 'Tue, 24 Nov 2026 08:00:30 GMT' } },
      { retryable: true, code: 'rate_limited', retryAfterMs: 30_000 },
    ],
    ['429 without a header waits a default second', { status: 429 }, { retryable: true, code: 'rate_limited', retryAfterMs: 1000 }],
    ['408 request timeout', { status: 408 }, { retryable: true, code: 'upstream_unavailable' }],
    ['401 unauthorized', { status: 401 }, { retryable: false, code: 'auth_failed' }],
    ['403 forbidden', { status: 403 }, { retryable: false, code: 'auth_failed' }],
    ['404 not found', { status: 404 }, { retryable: false, code: 'not_found' }],
    ['410 gone', { status: 410 }, { retryable: false, code: 'not_found' }],
    ['400 bad request', { status: 400 }, { retryable: false, code: 'contract_rejected' }],
    ['422 unprocessable', { status: 422 }, { retryable: false, code: 'contract_rejected' }],
    ['500 internal error', { status: 500 }, { retryable: true, code: 'upstream_unavailable' }],
    ['502 bad gateway', { status: 502 }, { retryable: true, code: 'upstream_unavailable' }],
    ['503 with Retry-After', { status: 503, headers: { 'retry-after': '5' } }, { retryable: true, code: 'upstream_unavailable', retryAfterMs: 5000 }],
    ['a permanent 400 ignores Retry-After', { status: 400, headers: { 'retry-after': '5' } }, { retryable: false, code: 'contract_rejected' }],
    ['an unknown transport error is unexpected', { code: 'EWHATEVER' }, { retryable: true, code: 'unexpected' }],
    ['a 3xx is unexpected', { status: 302 }, { retryable: true, code: 'unexpected' }],
  ];

  it.each(rows)('%s', (_name, failure, expected) => {
    expect(classifyHttpError(failure, { now: NOW })).toEqual(expected);
  });

  it('checks connector overrides before the shared table', () => {
    const overrides = [
      { match: { code: 'THROTTLED' }, action: { retryable: true, code: 'rate_limited' as const, defaultRetryAfterMs: 250 } },
      { match: { status: 404, code: 'SOFT' }, action: { retryable: true, code: 'upstream_unavailable' as const } },
    ];
    expect(classifyHttpError({ status: 200, code: 'THROTTLED' }, { overrides })).toEqual({ retryable: true, code: 'rate_limited', retryAfterMs: 250 });
    expect(classifyHttpError({ status: 404, code: 'SOFT' }, { overrides })).toEqual({ retryable: true, code: 'upstream_unavailable' });
    expect(classifyHttpError({ status: 404 }, { overrides })).toEqual({ retryable: false, code: 'not_found' });
  });

  it('reads the wait from the first listed header that parses', () => {
    const failure = { status: 429, headers: { 'x-rate-limit-reset': '7', 'retry-after': '2' } };
    expect(classifyHttpError(failure, { retryAfterHeaders: ['x-rate-limit-reset', 'retry-after'] }).retryAfterMs).toBe(7000);
  });
});

describe('parseRetryAfter', () => {
  it('treats a date in the past as no wait', () => {
    expect(parseRetryAfter('Tue, 24 Nov 2026 07:00:00 GMT', NOW)).toBe(0);
  });
  it('ignores garbage', () => {
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

describe('toHubError', () => {
  it.each([
    ['network_error', NetworkError, true],
    ['rate_limited', RateLimitedError, true],
    ['upstream_unavailable', UpstreamUnavailableError, true],
    ['auth_failed', AuthError, false],
    ['not_found', ContractError, false],
    ['contract_rejected', ContractError, false],
  ] as const)('builds %s as the matching class', (code, cls, retryable) => {
    const err = toHubError({ retryable, code, retryAfterMs: 10 }, 'boom', { connectorId: 'shop-a' });
    expect(err).toBeInstanceOf(cls);
    expect((err as InstanceType<typeof cls>).code).toBe(code);
    expect((err as InstanceType<typeof cls>).connectorId).toBe('shop-a');
  });

  it('leaves unexpected failures as plain errors', () => {
    const err = toHubError({ retryable: true, code: 'unexpected' }, 'odd');
    expect(err.constructor).toBe(Error);
  });
});
