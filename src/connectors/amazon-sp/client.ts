import { gunzipSync } from 'node:zlib';
import { type AxiosResponse, isAxiosError } from 'axios';
import type { z } from 'zod';
import { AuthError, ContractError, RateLimitedError } from '../../core/errors.js';
import { zodIssues } from '../../core/model/index.js';
import { retryInCall } from '../http/retry.js';
import { classifyHttpError, parseRetryAfter, toHubError } from '../http/classify-http-error.js';
import { errorDetails, parseBody } from '../http/response.js';
import { AccessTokenCache } from '../http/token-cache.js';
import { textHttp, sleepOf } from '../http/transport.js';
import type { ClientDeps } from '../types.js';
import { AMAZON_ENDPOINTS, type AmazonSpConfig, LWA_TOKEN_URL } from './config.js';
import type { TokenBucket } from '../http/token-bucket.js';
import { type AmazonOperation, createOperationBuckets } from './rate-limits.js';
import { AmazonErrorListSchema } from './shapes.js';
import { lwaTokenRequest } from './token.js';

/** One SP-API call. */
export interface AmazonCall<T> {
  operation: AmazonOperation;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  /** Path below the base URL, already URL-encoded. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** zod schema of the response body; undefined for answers without one (204). */
  response?: z.ZodType<T>;
  /** Safe to send again after an unknown outcome (5xx, lost connection). */
  idempotent: boolean;
}

export interface AmazonClientStats {
  calls: number;
  throttledResponses: number;
  throttleWaitMs: number;
  tokenRefreshes: number;
}

/** The only part of the connector that speaks HTTP. */
export interface AmazonClient {
  call<T>(call: AmazonCall<T>): Promise<T>;
  /** PUT to a presigned feed-document URL: no SP-API token goes there. */
  upload(url: string, contentType: string, content: string): Promise<void>;
  /** GET of a presigned document URL, gunzipped when `gzip`. */
  download(url: string, gzip: boolean): Promise<string>;
  readonly stats: AmazonClientStats;
  readonly tokens: AccessTokenCache;
}

export interface AmazonClientOptions {
  /** In-call retries of idempotent calls on 5xx and network failures (default 2). */
  retries?: number;
  minRetryDelayMs?: number;
  /** Longest wait for a rate-limit bucket or a 429's hint inside one call before failing with RateLimitedError (default 10 s). */
  maxThrottleWaitMs?: number;
}

/**
 * SP-API client of one instance: LWA token on `x-amz-access-token`, one token bucket per operation
 * at its documented rate and burst, 429 answered by waiting (Retry-After, else the rate in
 * `x-amzn-RateLimit-Limit`, else the bucket's refill time) or by RateLimitedError when the wait is
 * longer than `maxThrottleWaitMs`; a 401 (or a 403 naming the access token) drops the token and
 * the call is sent once more with a fresh one.
 * https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api#step-3-add-headers-to-the-uri
 */
export function createAmazonClient(config: AmazonSpConfig & { id: string }, deps: ClientDeps, options: AmazonClientOptions = {}): AmazonClient {
  const { settings, credentials } = config;
  const now = deps.now ?? Date.now;
  const sleep = sleepOf(deps);
  const base = (settings.baseUrl ?? AMAZON_ENDPOINTS[settings.region]).replace(/\/+$/, '');
  const http = textHttp(settings.requestTimeoutMs);
  const tokens = new AccessTokenCache(lwaTokenRequest(http, settings.tokenUrl ?? LWA_TOKEN_URL, credentials, config.id), now);
  const buckets = createOperationBuckets(now);
  const stats: AmazonClientStats = { calls: 0, throttledResponses: 0, throttleWaitMs: 0, tokenRefreshes: 0 };
  const maxWait = options.maxThrottleWaitMs ?? 10_000;
  const label = (op: string) => `${config.id}: ${op}`;

  async function waitForBucket(op: AmazonOperation, bucket: TokenBucket, waited: number): Promise<number> {
    const ahead = bucket.waitMs();
    if (waited + ahead > maxWait) throw new RateLimitedError(`${label(op)}: rate limit reached`, { connectorId: config.id, retryAfterMs: ahead });
    const wait = bucket.reserve();
    if (wait > 0) {
      stats.throttleWaitMs += wait;
      await sleep(wait);
    }
    return wait;
  }

  async function send<T>(c: AmazonCall<T>): Promise<T> {
    const bucket = buckets[c.operation];
    let waited = 0;
    let refreshed = false;
    for (;;) {
      waited += await waitForBucket(c.operation, bucket, waited);
      const token = await tokens.get();
      stats.calls += 1;
      let res: AxiosResponse<string>;
      try {
        res = await http.request<string>({
          method: c.method,
          url: `${base}${c.path}`,
          params: c.query ? Object.fromEntries(Object.entries(c.query).filter(([, v]) => v !== undefined)) : undefined,
          data: c.body === undefined ? undefined : JSON.stringify(c.body),
          headers: {
            'x-amz-access-token': token,
            'Content-Type': 'application/json',
            Accept: 'application/json',
            'User-Agent': 'commerce-hub (Language=TypeScript)',
          },
        });
      } catch (err) {
        // No `cause`: the transport error carries the request headers, access token included.
        const code = isAxiosError(err) && err.code ? err.code : 'ERR_NETWORK';
        throw toHubError({ retryable: true, code: 'network_error' }, `${label(c.operation)}: request failed (${code})`, { connectorId: config.id });
      }
      const headers = res.headers as Record<string, string>;
      const rate = Number(headers['x-amzn-ratelimit-limit']);
      if (rate > 0) bucket.observeRate(rate);
      const body = parseBody(res.data);
      if (res.status === 429) {
        // Throttled calls were not executed: resending is safe for every operation.
        stats.throttledResponses += 1;
        bucket.drain();
        const hint = parseRetryAfter(headers['retry-after'], now()) ?? (rate > 0 ? Math.ceil(1000 / rate) : bucket.waitMs());
        if (waited + hint > maxWait) {
          throw new RateLimitedError(`${label(c.operation)}: throttled by Amazon (HTTP 429)`, { connectorId: config.id, retryAfterMs: hint });
        }
        deps.logger.debug({ connectorId: config.id, operation: c.operation, retryAfterMs: hint }, 'amazon throttled; waiting');
        stats.throttleWaitMs += hint;
        waited += hint;
        await sleep(hint);
        continue;
      }
      if (isTokenRejection(res.status, body)) {
        tokens.invalidate(token);
        if (!refreshed) {
          refreshed = true;
          continue;
        }
        throw new AuthError(`${label(c.operation)}: access token refused after a refresh (HTTP ${res.status})`, { connectorId: config.id });
      }
      if (res.status < 200 || res.status >= 300) {
        const action = classifyHttpError({ status: res.status, headers }, { now: now() });
        throw toHubError(action, `${label(c.operation)}: HTTP ${res.status}${describeErrors(body)}`, { connectorId: config.id });
      }
      if (!c.response) return undefined as T;
      const parsed = c.response.safeParse(body);
      if (!parsed.success) {
        const issue = zodIssues(parsed.error)[0];
        throw new ContractError(`${label(c.operation)}: unexpected response shape at ${issue?.path}: ${issue?.message}`, {
          connectorId: config.id,
          field: issue?.path,
        });
      }
      return parsed.data;
    }
  }

  async function raw(method: 'GET' | 'PUT', url: string, what: string, data?: string, contentType?: string): Promise<Buffer> {
    let res: AxiosResponse<ArrayBuffer>;
    try {
      res = await http.request<ArrayBuffer>({ method, url, data, responseType: 'arraybuffer', headers: contentType ? { 'Content-Type': contentType } : {} });
    } catch (err) {
      const code = isAxiosError(err) && err.code ? err.code : 'ERR_NETWORK';
      throw toHubError({ retryable: true, code: 'network_error' }, `${label(what)}: request failed (${code})`, { connectorId: config.id });
    }
    if (res.status < 200 || res.status >= 300) {
      throw toHubError(classifyHttpError({ status: res.status }), `${label(what)}: HTTP ${res.status}`, { connectorId: config.id });
    }
    return Buffer.from(res.data);
  }

  const retrying = <T>(idempotent: boolean, fn: () => Promise<T>) =>
    retryInCall(fn, { idempotent, retries: options.retries, minRetryDelayMs: options.minRetryDelayMs });

  return {
    get stats() {
      return { ...stats, tokenRefreshes: tokens.fetches };
    },
    tokens,
    call: (c) => retrying(c.idempotent, () => send(c)),
    upload: async (url, contentType, content) => {
      await retrying(true, () => raw('PUT', url, 'feed document upload', content, contentType));
    },
    download: async (url, gzip) => {
      const bytes = await retrying(true, () => raw('GET', url, 'feed document download'));
      return (gzip ? gunzipSync(bytes) : bytes).toString('utf8');
    },
  };
}

/** 401, or the 403 SP-API answers for an expired or invalid access token. */
function isTokenRejection(status: number, body: unknown): boolean {
  if (status === 401) return true;
  if (status !== 403) return false;
  const parsed = AmazonErrorListSchema.safeParse(body);
  return parsed.success && parsed.data.errors.some((e) => /access token/i.test(`${e.message ?? ''} ${e.details ?? ''}`));
}

/** Provider error codes and messages, allow-listed and truncated; never headers or whole bodies. */
function describeErrors(body: unknown): string {
  const parsed = AmazonErrorListSchema.safeParse(body);
  return parsed.success ? errorDetails(parsed.data.errors.map((e) => [e.code, e.message])) : '';
}
