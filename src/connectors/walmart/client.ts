import { randomUUID } from 'node:crypto';
import { type AxiosResponse, isAxiosError } from 'axios';
import type { z } from 'zod';
import { AuthError, ContractError, HubError, RateLimitedError } from '../../core/errors.js';
import { zodIssues } from '../../core/model/index.js';
import { retryInCall } from '../http/retry.js';
import { type HttpFailure, classifyHttpError, parseRetryAfter, toHubError } from '../http/classify-http-error.js';
import { parseBody } from '../http/response.js';
import { TokenBucket } from '../http/token-bucket.js';
import { AccessTokenCache, type IssuedToken } from '../http/token-cache.js';
import { textHttp, sleepOf } from '../http/transport.js';
import type { ClientDeps } from '../types.js';
import type { WalmartConfig } from './config.js';
import { WALMART_OPERATIONS, type WalmartOperationName } from './limits.js';
import { describeErrors, multipart, parseInstant, toQuery } from './http-parts.js';
import { WalmartTokenSchema } from './shapes.js';

/** One Marketplace API call. */
export interface WalmartRequest<T> {
  operation: WalmartOperationName;
  method: 'GET' | 'POST' | 'PUT';
  /** Path under the base URL, e.g. `/v3/orders/123/acknowledge` (ids already encoded). */
  path: string;
  /** Query parameters; or `rawQuery`, a `?a=b&c=d` string handed back by Walmart (nextCursor). */
  query?: Record<string, string | number | undefined>;
  rawQuery?: string;
  json?: unknown;
  /** A file sent as multipart/form-data (bulk feeds). */
  file?: { name: string; content: string };
  /** zod schema of the answer; a mismatch is a ContractError naming the operation and field. */
  schema: z.ZodType<T>;
  /** Safe to send again after an unknown outcome (5xx, lost connection). */
  idempotent: boolean;
}

export interface WalmartClientStats {
  calls: number;
  throttledResponses: number;
  throttleWaitMs: number;
  retries: number;
}

/** The only part of the connector that speaks HTTP. */
export interface WalmartClient {
  call<T>(request: WalmartRequest<T>): Promise<T>;
  /** A valid access token (cached, refreshed once under concurrency). */
  accessToken(): Promise<string>;
  readonly stats: WalmartClientStats;
  readonly tokens: AccessTokenCache;
}

export interface WalmartClientOptions {
  /** In-call retries of idempotent operations on retryable failures (default 2). */
  retries?: number;
  minRetryDelayMs?: number;
  /** Longest client-side wait for an operation's bucket before handing the job back (default 30 s). */
  maxThrottleWaitMs?: number;
}

type Settings = WalmartConfig['settings'];

/** Headers Walmart documents for every call. https://developer.walmart.com/us-marketplace/docs/get-all-orders */
function commonHeaders(settings: Settings): Record<string, string> {
  return {
    Accept: 'application/json',
    'WM_SVC.NAME': settings.serviceName,
    'WM_QOS.CORRELATION_ID': randomUUID(),
    ...(settings.channelType ? { 'WM_CONSUMER.CHANNEL.TYPE': settings.channelType } : {}),
  };
}

/**
 * Builds the client of one instance: a client-credentials access token (Token API, Basic
 * client id and secret) cached until a minute before its 15-minute expiry, sent as
 * `WM_SEC.ACCESS_TOKEN` with `WM_SVC.NAME` and a fresh `WM_QOS.CORRELATION_ID` on every call.
 * - A 401 drops the token, fetches a new one and sends the call once more; a second 401 is AuthError.
 * - Each operation waits for its own token bucket; `x-current-token-count` and
 *   `x-next-replenishment-time` on answers tighten it. A 429 empties the bucket and fails with
 *   RateLimitedError carrying the wait: `Retry-After` when sent, else the replenishment time,
 *   else the bucket's own refill time.
 * - Idempotent calls are retried in-call on 5xx and network failures.
 * https://developer.walmart.com/us-marketplace/docs/get-an-access-token
 */
export function createWalmartClient(config: WalmartConfig & { id: string }, deps: ClientDeps, options: WalmartClientOptions = {}): WalmartClient {
  const { settings, credentials } = config;
  const now = deps.now ?? Date.now;
  const sleep = sleepOf(deps);
  const base = settings.baseUrl.replace(/\/+$/, '');
  const http = textHttp(settings.requestTimeoutMs);
  const stats: WalmartClientStats = { calls: 0, throttledResponses: 0, throttleWaitMs: 0, retries: 0 };
  const buckets = new Map(Object.entries(WALMART_OPERATIONS).map(([name, l]) => [name, new TokenBucket(l, now)]));
  const bucket = (op: WalmartOperationName) => buckets.get(op) as TokenBucket;
  const prefix = (op: string) => `${config.id}: walmart ${op}`;

  // No `cause`: a transport error carries the request config, credentials included.
  const fail = (op: string, message: string, failure: HttpFailure): HubError | Error => {
    const classified = classifyHttpError(failure, { now: now() });
    const action = classified.code === 'unexpected' && failure.status === undefined ? { retryable: true, code: 'network_error' as const } : classified;
    return toHubError(action, `${prefix(op)}: ${message}`, { connectorId: config.id });
  };

  async function send(op: string, method: string, url: string, headers: Record<string, string>, data: unknown): Promise<AxiosResponse<string>> {
    stats.calls += 1;
    try {
      return await http.request<string>({ method, url, headers, data });
    } catch (err) {
      const code = isAxiosError(err) && err.code ? err.code : 'ERR_NETWORK';
      throw fail(op, `request failed (${code})`, { code });
    }
  }

  /** https://developer.walmart.com/us-marketplace/reference/tokenapi */
  async function fetchToken(): Promise<IssuedToken> {
    const wait = bucket('token').reserve();
    if (wait > 0) await sleep(wait);
    const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
    const response = await send(
      'token',
      'POST',
      `${base}/v3/token`,
      { ...commonHeaders(settings), Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      'grant_type=client_credentials',
    );
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      throw new AuthError(`${prefix('token')}: HTTP ${response.status}${describeErrors(parseBody(response.data))}`, { connectorId: config.id });
    }
    if (response.status < 200 || response.status >= 300) throw rateOrFail('token', response);
    const parsed = WalmartTokenSchema.safeParse(parseBody(response.data));
    if (!parsed.success) throw new ContractError(`${prefix('token')}: unexpected token response`, { connectorId: config.id });
    return { value: parsed.data.access_token, expiresInSec: parsed.data.expires_in };
  }
  const tokens = new AccessTokenCache(fetchToken, now);

  function observe(op: WalmartOperationName, headers: AxiosResponse['headers']): void {
    const remaining = Number(headers['x-current-token-count']);
    if (headers['x-current-token-count'] === undefined || !Number.isFinite(remaining)) return;
    bucket(op).observe(remaining, parseInstant(headers['x-next-replenishment-time']));
  }

  function rateOrFail(op: WalmartOperationName, response: AxiosResponse<string>): HubError | Error {
    const headers = response.headers as Record<string, string>;
    if (response.status !== 429) return fail(op, `HTTP ${response.status}${describeErrors(parseBody(response.data))}`, { status: response.status, headers });
    stats.throttledResponses += 1;
    const replenishAt = parseInstant(headers['x-next-replenishment-time']);
    const retryAfterMs =
      parseRetryAfter(headers['retry-after'], now()) ??
      (replenishAt !== undefined ? Math.max(0, replenishAt - now()) : undefined) ??
      Math.max(1000, bucket(op).waitMs());
    bucket(op).drain(retryAfterMs);
    return new RateLimitedError(`${prefix(op)}: throttled (429)`, { connectorId: config.id, retryAfterMs });
  }

  async function attempt<T>(req: WalmartRequest<T>): Promise<T> {
    const wait = bucket(req.operation).reserve();
    if (wait > (options.maxThrottleWaitMs ?? 30_000)) {
      bucket(req.operation).release();
      throw new RateLimitedError(`${prefix(req.operation)}: client-side limit reached`, { connectorId: config.id, retryAfterMs: wait });
    }
    if (wait > 0) {
      stats.throttleWaitMs += wait;
      await sleep(wait);
    }
    const query = req.rawQuery ?? toQuery(req.query);
    const url = `${base}${req.path}${query}`;
    const body = req.file ? multipart(req.file) : req.json === undefined ? undefined : JSON.stringify(req.json);
    const contentType: Record<string, string> = req.file || req.json === undefined ? {} : { 'Content-Type': 'application/json' };
    let token = await tokens.get();
    let response = await send(req.operation, req.method, url, { ...commonHeaders(settings), ...contentType, 'WM_SEC.ACCESS_TOKEN': token }, body);
    if (response.status === 401) {
      tokens.invalidate(token);
      token = await tokens.get();
      response = await send(
        req.operation,
        req.method,
        url,
        { ...commonHeaders(settings), ...contentType, 'WM_SEC.ACCESS_TOKEN': token },
        req.file ? multipart(req.file) : body,
      );
    }
    observe(req.operation, response.headers);
    if (response.status < 200 || response.status >= 300) throw rateOrFail(req.operation, response);
    const parsed = req.schema.safeParse(parseBody(response.data));
    if (!parsed.success) {
      const issue = zodIssues(parsed.error)[0];
      throw new ContractError(`${prefix(req.operation)}: unexpected response shape at ${issue?.path}: ${issue?.message}`, {
        connectorId: config.id,
        field: issue?.path,
      });
    }
    return parsed.data;
  }

  return {
    stats,
    tokens,
    accessToken: () => tokens.get(),
    call: (req) =>
      retryInCall(() => attempt(req), {
        idempotent: req.idempotent,
        retries: options.retries,
        minRetryDelayMs: options.minRetryDelayMs,
        onRetry: () => void (stats.retries += 1),
      }),
  };
}
