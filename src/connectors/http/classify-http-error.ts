import {
  AuthError,
  ContractError,
  type ErrorCode,
  type HubError,
  type HubErrorOptions,
  NetworkError,
  RateLimitedError,
  UpstreamUnavailableError,
} from '../../core/errors.js';

/** What went wrong with one HTTP call, as far as the caller could tell. */
export interface HttpFailure {
  /** HTTP status, when a response arrived. */
  status?: number;
  /** A transport code (`ECONNRESET`) or an API error code (`THROTTLED`), when there is one. */
  code?: string;
  /** Response headers (any case); only the wait-time headers are read. */
  headers?: Record<string, string | string[] | number | undefined>;
}

/** The action a failure calls for: retry or not, the stable error code, and how long to wait. */
export interface HttpClassification {
  retryable: boolean;
  code: ErrorCode;
  /** Minimum wait before the next attempt, from a wait-time header or the row's default. */
  retryAfterMs?: number;
}

/** One row of the table: the first row whose `match` fits a failure decides its action. */
export interface ClassificationRule {
  match: {
    /** A status, or an inclusive range `[from, to]`. */
    status?: number | readonly [number, number];
    /** Transport or API error codes, compared case-sensitively. */
    code?: string | readonly string[];
  };
  action: { retryable: boolean; code: ErrorCode; defaultRetryAfterMs?: number };
}

export interface ClassifyOptions {
  /** Connector-specific rows, checked before the shared table (e.g. an API's own throttle code). */
  overrides?: readonly ClassificationRule[];
  /** Headers carrying a wait time, most specific first; default `retry-after`. */
  retryAfterHeaders?: readonly string[];
  /** Clock for HTTP-date wait headers; default `Date.now()`. */
  now?: number;
}

const NETWORK_CODES = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  // axios: no response at all (connection refused or dropped before any byte came back).
  'ERR_NETWORK',
];

/** The shared table, in order. A 404/410 is permanent: retrying a call to a deleted resource never helps. */
export const DEFAULT_RULES: readonly ClassificationRule[] = [
  { match: { code: NETWORK_CODES }, action: { retryable: true, code: 'network_error' } },
  { match: { status: 429 }, action: { retryable: true, code: 'rate_limited', defaultRetryAfterMs: 1000 } },
  { match: { status: 408 }, action: { retryable: true, code: 'upstream_unavailable' } },
  { match: { status: 401 }, action: { retryable: false, code: 'auth_failed' } },
  { match: { status: 403 }, action: { retryable: false, code: 'auth_failed' } },
  { match: { status: 404 }, action: { retryable: false, code: 'not_found' } },
  { match: { status: 410 }, action: { retryable: false, code: 'not_found' } },
  { match: { status: [500, 599] }, action: { retryable: true, code: 'upstream_unavailable' } },
  { match: { status: [400, 499] }, action: { retryable: false, code: 'contract_rejected' } },
];

/** Turns a failure into `{ retryable, code, retryAfterMs }` by the first matching rule; no match is `unexpected` (retried). */
export function classifyHttpError(failure: HttpFailure, options: ClassifyOptions = {}): HttpClassification {
  const rule = [...(options.overrides ?? []), ...DEFAULT_RULES].find((r) => matches(r, failure));
  if (!rule) return { retryable: true, code: 'unexpected' };
  const fromHeader = readRetryAfter(failure.headers, options.retryAfterHeaders ?? ['retry-after'], options.now ?? Date.now());
  const retryAfterMs = fromHeader ?? rule.action.defaultRetryAfterMs;
  return {
    retryable: rule.action.retryable,
    code: rule.action.code,
    ...(retryAfterMs !== undefined && rule.action.retryable ? { retryAfterMs } : {}),
  };
}

function matches(rule: ClassificationRule, failure: HttpFailure): boolean {
  const { status, code } = rule.match;
  if (status === undefined && code === undefined) return false;
  if (status !== undefined) {
    if (failure.status === undefined) return false;
    const [from, to] = typeof status === 'number' ? [status, status] : status;
    if (failure.status < from || failure.status > to) return false;
  }
  if (code !== undefined) {
    const codes: readonly string[] = typeof code === 'string' ? [code] : code;
    if (failure.code === undefined || !codes.includes(failure.code)) return false;
  }
  return true;
}

/**
 * A wait-time header value in milliseconds: delta-seconds (`"2"`, `"1.5"`) or an HTTP-date.
 * A date in the past means "now" (0); anything unparseable is ignored.
 * https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function parseRetryAfter(value: string | number | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

function readRetryAfter(headers: HttpFailure['headers'], names: readonly string[], now: number): number | undefined {
  if (!headers) return undefined;
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v[0] : v]));
  for (const name of names) {
    const parsed = parseRetryAfter(lower.get(name.toLowerCase()), now);
    if (parsed !== undefined) return parsed;
  }
  return undefined;
}

/**
 * The taxonomy error for a classification. `unexpected` has no class of its own: it stays a
 * plain Error, which the queues treat as retryable and report as `unexpected`.
 */
export function toHubError(classification: HttpClassification, message: string, options: HubErrorOptions = {}): HubError | Error {
  const opts = { ...options, retryAfterMs: classification.retryAfterMs ?? options.retryAfterMs };
  switch (classification.code) {
    case 'network_error':
      return new NetworkError(message, opts);
    case 'rate_limited':
      return new RateLimitedError(message, opts);
    case 'upstream_unavailable':
      return new UpstreamUnavailableError(message, opts);
    case 'auth_failed':
      return new AuthError(message, opts);
    case 'not_found':
      return new ContractError(message, { ...opts, code: 'not_found' });
    case 'contract_rejected':
      return new ContractError(message, opts);
    default:
      return new Error(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}
