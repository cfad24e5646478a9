import { type AxiosResponse, isAxiosError } from 'axios';
import type { z } from 'zod';
import { AuthError, ContractError, HubError, RateLimitedError } from '../../core/errors.js';
import { zodIssues } from '../../core/model/index.js';
import { retryInCall } from '../http/retry.js';
import { type ClassificationRule, type HttpFailure, classifyHttpError, toHubError } from '../http/classify-http-error.js';
import { errorDetails, parseBody } from '../http/response.js';
import { type BucketSpec, TokenBucket } from '../http/token-bucket.js';
import { AccessTokenCache } from '../http/token-cache.js';
import { textHttp, sleepOf } from '../http/transport.js';
import type { ClientDeps } from '../types.js';
import type { EbayConfig } from './config.js';
import { EbayErrorEnvelopeSchema, EbayTokenResponseSchema } from './shapes.js';

/** Operation groups with a client-side rate of their own (one eBay API each). */
export type EbayBucketName = 'fulfillment' | 'inventory';

/**
 * eBay documents daily call quotas per API, not per-second rates: the buckets spread the default
 * daily quota evenly (Fulfillment API 100,000 calls a day, Inventory API 2,000,000) and allow a
 * small burst of our choosing. https://developer.ebay.com/develop/api/sell/api_call_limits
 */
export const EBAY_BUCKETS: Record<EbayBucketName, BucketSpec> = {
  fulfillment: { ratePerSec: 100_000 / 86_400, burst: 10 },
  inventory: { ratePerSec: 2_000_000 / 86_400, burst: 25 },
};

/** Counts the HTTP calls made on behalf of one caller. */
export interface CallMeter {
  calls: number;
}

export interface EbayCall<T> {
  /** Operation name for errors and logs: `getOrders`. */
  operation: string;
  bucket: EbayBucketName;
  method: 'GET' | 'POST';
  /** Path below the base URL: `/sell/fulfillment/v1/order`. */
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  /** Schema of the success body; a mismatch is a ContractError naming the operation and field. */
  schema: z.ZodType<T>;
  /** Safe to resend after an unknown outcome (5xx, lost connection). */
  idempotent: boolean;
  meter?: CallMeter;
}

export interface EbayClientStats {
  calls: number;
  throttledResponses: number;
  throttleWaitMs: number;
  tokenRefreshes: number;
}

/** The only part of the connector that speaks HTTP. */
export interface EbayClient {
  call<T>(call: EbayCall<T>): Promise<{ status: number; data: T; headers: Record<string, string> }>;
  /** A valid access token (minting one if needed); for the credential probe. */
  token(): Promise<string>;
  readonly stats: EbayClientStats;
}

export interface EbayClientOptions {
  /** In-call retries of idempotent calls on 5xx and network failures (default 2). */
  retries?: number;
  minRetryDelayMs?: number;
  /** Longest wait for a bucket within one call before handing the job back to the queue (default 30 s). */
  maxThrottleWaitMs?: number;
  buckets?: Partial<Record<EbayBucketName, BucketSpec>>;
}

/** A 429 without Retry-After: eBay documents none, and its quotas are daily, so wait a minute. */
const EBAY_RULES: ClassificationRule[] = [{ match: { status: 429 }, action: { retryable: true, code: 'rate_limited', defaultRetryAfterMs: 60_000 } }];

/**
 * Builds the client of one instance: OAuth refresh-token grant (cached, one refresh in flight, again
 * on a 401), per-API token buckets, and failures classified through the shared table (429 →
 * RateLimitedError with the Retry-After wait or the default; 401/403 after a refresh → AuthError).
 * https://developer.ebay.com/api-docs/static/oauth-refresh-token-request.html
 */
export function createEbayClient(config: EbayConfig & { id: string }, deps: ClientDeps, options: EbayClientOptions = {}): EbayClient {
  const { settings, credentials } = config;
  const now = deps.now ?? Date.now;
  const sleep = sleepOf(deps);
  const base = settings.baseUrl.replace(/\/+$/, '');
  const http = textHttp(settings.requestTimeoutMs);
  const stats: EbayClientStats = { calls: 0, throttledResponses: 0, throttleWaitMs: 0, tokenRefreshes: 0 };
  const buckets = {
    fulfillment: new TokenBucket(options.buckets?.fulfillment ?? EBAY_BUCKETS.fulfillment, now),
    inventory: new TokenBucket(options.buckets?.inventory ?? EBAY_BUCKETS.inventory, now),
  };
  // No `cause` on errors: a transport error carries the request config, tokens included.
  const fail = (op: string, message: string, failure: HttpFailure) => {
    const classified = classifyHttpError(failure, { overrides: EBAY_RULES, now: now() });
    const action = classified.code === 'unexpected' && failure.status === undefined ? { retryable: true, code: 'network_error' as const } : classified;
    return toHubError(action, `${config.id}: ${op}: ${message}`, { connectorId: config.id });
  };
  const send = async (op: string, request: () => Promise<AxiosResponse<string>>) => {
    stats.calls += 1;
    try {
      return await request();
    } catch (err) {
      const code = isAxiosError(err) && err.code ? err.code : 'ERR_NETWORK';
      throw fail(op, `request failed (${code})`, { code });
    }
  };

  // https://developer.ebay.com/api-docs/static/oauth-refresh-token-request.html
  const tokens = new AccessTokenCache(async () => {
    stats.tokenRefreshes += 1;
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.refreshToken, scope: settings.scopes.join(' ') });
    const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
    const res = await send('oauth2/token', () =>
      http.post<string>(`${base}/identity/v1/oauth2/token`, form.toString(), {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${basic}` },
      }),
    );
    const body = parseBody(res.data);
    // invalid_grant (revoked or expired refresh token) and invalid_client arrive as 400/401.
    if (res.status === 400 || res.status === 401) {
      const error = (body as { error?: unknown } | undefined)?.error;
      throw new AuthError(`${config.id}: oauth2/token: refresh-token grant refused (${typeof error === 'string' ? error : `HTTP ${res.status}`})`, {
        connectorId: config.id,
      });
    }
    if (res.status < 200 || res.status >= 300)
      throw fail('oauth2/token', `HTTP ${res.status}`, { status: res.status, headers: res.headers as Record<string, string> });
    const parsed = EbayTokenResponseSchema.safeParse(body);
    if (!parsed.success) throw new ContractError(`${config.id}: oauth2/token: unexpected token response`, { connectorId: config.id });
    return { value: parsed.data.access_token, expiresInSec: parsed.data.expires_in };
  }, now);

  async function attempt<T>(c: EbayCall<T>) {
    const bucket = buckets[c.bucket];
    const wait = bucket.reserve();
    if (wait > (options.maxThrottleWaitMs ?? 30_000)) {
      bucket.release();
      throw new RateLimitedError(`${config.id}: ${c.operation}: client-side rate limit of the ${c.bucket} API`, { connectorId: config.id, retryAfterMs: wait });
    }
    if (wait > 0) {
      stats.throttleWaitMs += wait;
      await sleep(wait);
    }
    const request = (token: string) => () =>
      http.request<string>({
        method: c.method,
        url: `${base}${c.path}`,
        params: c.query,
        // eBay's examples percent-encode the filter brackets (`lastmodifieddate:%5B...%5D`); axios would send them raw.
        paramsSerializer: {
          serialize: (params: Record<string, string | number>) =>
            Object.entries(params)
              .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
              .join('&'),
        },
        data: c.body === undefined ? undefined : JSON.stringify(c.body),
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          'Content-Type': 'application/json',
          'Content-Language': 'en-US',
          'X-EBAY-C-MARKETPLACE-ID': settings.marketplaceId,
        },
      });
    let token = await tokens.get();
    let res = await send(c.operation, request(token));
    if (c.meter) c.meter.calls += 1;
    if (res.status === 401) {
      // An access token revoked or expired early: mint once and resend (never more).
      token = await tokens.replace(token);
      res = await send(c.operation, request(token));
      if (c.meter) c.meter.calls += 1;
    }
    const headers = res.headers as Record<string, string>;
    const body = parseBody(res.data);
    if (res.status === 429) {
      stats.throttledResponses += 1;
      const error = fail(c.operation, `HTTP 429${describeErrors(body)}`, { status: 429, headers });
      bucket.drain((error as HubError).retryAfterMs ?? 0);
      throw error;
    }
    if (res.status < 200 || res.status >= 300) throw fail(c.operation, `HTTP ${res.status}${describeErrors(body)}`, { status: res.status, headers });
    const parsed = c.schema.safeParse(body ?? {});
    if (!parsed.success) {
      const issue = zodIssues(parsed.error)[0];
      throw new ContractError(`${config.id}: ${c.operation}: unexpected response shape at ${issue?.path}: ${issue?.message}`, {
        connectorId: config.id,
        field: issue?.path,
      });
    }
    return { status: res.status, data: parsed.data, headers };
  }

  return {
    stats,
    token: () => tokens.get(),
    call: (c) => retryInCall(() => attempt(c), { idempotent: c.idempotent, retries: options.retries, minRetryDelayMs: options.minRetryDelayMs }),
  };
}

/** eBay's error ids and messages, allow-listed and truncated; never headers or whole bodies. */
export function describeErrors(body: unknown): string {
  const parsed = EbayErrorEnvelopeSchema.safeParse(body);
  return errorDetails((parsed.success ? (parsed.data.errors ?? []) : []).map((e) => [e.errorId, e.message]));
}
