import axios, { type AxiosResponse, isAxiosError } from 'axios';
import type { z } from 'zod';
import { ContractError, HubError, RateLimitedError } from '../../core/errors.js';
import { zodIssues } from '../../core/model/index.js';
import { retryInCall } from '../http/retry.js';
import { type ClassificationRule, type HttpFailure, classifyHttpError, toHubError } from '../http/classify-http-error.js';
import { errorDetails, parseBody } from '../http/response.js';
import { sleepOf } from '../http/transport.js';
import type { ClientDeps } from '../types.js';
import type { ShopifyConfig } from './config.js';
import { CostBucket } from './cost-bucket.js';
import { ShopifyGraphqlEnvelopeSchema } from './shapes.js';

/** Counts the HTTP calls made on behalf of one caller (throttled and retried calls included). */
export interface CallMeter {
  calls: number;
}

/** One GraphQL Admin API operation. */
export interface ShopifyOperation<T> {
  /** Operation name, for cost learning and error messages: `inventorySetQuantities`. */
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** zod schema of the response's `data`; a mismatch is a ContractError naming the operation. */
  data: z.ZodType<T>;
  /** Safe to send again after an unknown outcome (5xx, lost connection): absolute sets and reads are. */
  idempotent: boolean;
  /** Expected query cost until a response tells the real one. */
  estimatedCost?: number;
  meter?: CallMeter;
}

export interface ShopifyClientStats {
  calls: number;
  throttledResponses: number;
  /** Time spent waiting for the cost bucket, before calls and after throttled ones. */
  throttleWaitMs: number;
  retries: number;
}

/** The only part of the connector that speaks HTTP: the GraphQL Admin API of one shop. */
export interface ShopifyClient {
  graphql<T>(operation: ShopifyOperation<T>): Promise<T>;
  readonly apiVersion: string;
  readonly stats: ShopifyClientStats;
}

export interface ShopifyClientOptions {
  /** In-call retries of idempotent operations on retryable failures (default 2). */
  retries?: number;
  /** First retry delay; doubles with jitter (default 250 ms). */
  minRetryDelayMs?: number;
  /** Longest total wait for the cost bucket within one call before giving the job back to the queue (default 30 s). */
  maxThrottleWaitMs?: number;
}

/** Shopify-specific rows for the shared classifier: GraphQL error codes arrive with HTTP 200. */
const SHOPIFY_RULES: ClassificationRule[] = [
  { match: { code: 'THROTTLED' }, action: { retryable: true, code: 'rate_limited', defaultRetryAfterMs: 1000 } },
  { match: { code: ['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'TIMEOUT'] }, action: { retryable: true, code: 'upstream_unavailable' } },
  { match: { code: 'ACCESS_DENIED' }, action: { retryable: false, code: 'auth_failed' } },
  { match: { code: ['MAX_COST_EXCEEDED', 'BAD_REQUEST', 'GRAPHQL_VALIDATION_FAILED'] }, action: { retryable: false, code: 'contract_rejected' } },
];

const THROTTLED = Symbol('throttled');
type Attempt<T> = { value: T } | { [THROTTLED]: number };

/**
 * Builds the client of one connector instance. Endpoint: `<base>/admin/api/<version>/graphql.json`
 * with `X-Shopify-Access-Token`; base is `settings.baseUrl` or `https://<shopDomain>`.
 * - Waits for its cost bucket before each call; a THROTTLED answer (never executed, so safe to
 *   resend for any operation) waits the refill time and resends, up to `maxThrottleWaitMs`, then
 *   fails with RateLimitedError(retryAfterMs) for the queue to delay the job.
 * - Retries idempotent operations in-call (p-retry) on 5xx and network failures; everything else
 *   is classified once (401/403 AuthError, other 4xx and GraphQL errors ContractError).
 * https://shopify.dev/docs/api/admin-graphql#endpoints
 */
export function createShopifyClient(config: ShopifyConfig & { id: string }, deps: ClientDeps, options: ShopifyClientOptions = {}): ShopifyClient {
  const { settings, credentials } = config;
  const now = deps.now ?? Date.now;
  const sleep = sleepOf(deps);
  const url = `${(settings.baseUrl ?? `https://${settings.shopDomain}`).replace(/\/+$/, '')}/admin/api/${settings.apiVersion}/graphql.json`;
  const http = axios.create({
    timeout: settings.requestTimeoutMs,
    responseType: 'text',
    transformResponse: (body: unknown) => body,
    validateStatus: () => true,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Shopify-Access-Token': credentials.accessToken },
  });
  const bucket = new CostBucket(now);
  const learnedCost = new Map<string, number>();
  const stats: ShopifyClientStats = { calls: 0, throttledResponses: 0, throttleWaitMs: 0, retries: 0 };
  // No `cause`: a transport error carries the request config, access token included, and the error
  // travels on to logs and dead-letter entries.
  const fail = (op: string, message: string, failure: HttpFailure) => {
    const classified = classifyHttpError(failure, { overrides: SHOPIFY_RULES, now: now() });
    // No response at all is a network failure, whatever code the transport chose.
    const action = classified.code === 'unexpected' && failure.status === undefined ? { retryable: true, code: 'network_error' as const } : classified;
    return toHubError(action, `${config.id}: ${op}: ${message}`, { connectorId: config.id });
  };

  async function send<T>(op: ShopifyOperation<T>): Promise<Attempt<T>> {
    const cost = learnedCost.get(op.name) ?? op.estimatedCost ?? 10;
    bucket.spend(cost);
    stats.calls += 1;
    if (op.meter) op.meter.calls += 1;
    let response: AxiosResponse<string>;
    try {
      response = await http.post<string>(url, JSON.stringify({ query: op.query, variables: op.variables ?? {} }));
    } catch (err) {
      const code = isAxiosError(err) && err.code ? err.code : 'ERR_NETWORK';
      throw fail(op.name, `request failed (${code})`, { code });
    }
    const { status, headers } = response;
    const body = parseBody(response.data);
    const envelope = ShopifyGraphqlEnvelopeSchema.safeParse(body);
    const cost$ = envelope.success ? envelope.data.extensions?.cost : undefined;
    if (cost$) {
      bucket.observe(cost$.throttleStatus);
      learnedCost.set(op.name, cost$.requestedQueryCost);
    }
    const errors = envelope.success ? envelope.data.errors : undefined;
    const codes = Array.isArray(errors) ? errors.map((e) => e.extensions?.code).filter((c): c is string => !!c) : [];
    const throttled = status === 429 || codes.includes('THROTTLED');
    if (throttled) {
      const fromCost = cost$ ? CostBucket.retryAfterMs(cost$.requestedQueryCost, cost$.throttleStatus) : undefined;
      const classified = classifyHttpError({ status, code: 'THROTTLED', headers: headers as Record<string, string> }, { overrides: SHOPIFY_RULES, now: now() });
      return { [THROTTLED]: fromCost ?? classified.retryAfterMs ?? 1000 };
    }
    if (status < 200 || status >= 300) {
      throw fail(op.name, `HTTP ${status}${describeErrors(errors)}`, { status, headers: headers as Record<string, string> });
    }
    if (!envelope.success) throw new ContractError(`${config.id}: ${op.name}: response is not a GraphQL envelope`, { connectorId: config.id });
    if (errors !== undefined && (typeof errors === 'string' || errors.length > 0)) {
      throw fail(op.name, `GraphQL error${describeErrors(errors)}`, { status: 400, code: codes[0] ?? 'BAD_REQUEST' });
    }
    const data = op.data.safeParse(envelope.data.data);
    if (!data.success) {
      const issue = zodIssues(data.error)[0];
      throw new ContractError(`${config.id}: ${op.name}: unexpected response shape at data.${issue?.path}: ${issue?.message}`, {
        connectorId: config.id,
        field: issue ? `data.${issue.path}` : undefined,
      });
    }
    return { value: data.data };
  }

  async function attempt<T>(op: ShopifyOperation<T>): Promise<T> {
    let waited = 0;
    const maxWait = options.maxThrottleWaitMs ?? 30_000;
    for (;;) {
      const ahead = bucket.waitFor(learnedCost.get(op.name) ?? op.estimatedCost ?? 10);
      if (ahead > 0) {
        stats.throttleWaitMs += ahead;
        waited += ahead;
        await sleep(ahead);
      }
      const result = await send(op);
      if ('value' in result) return result.value;
      stats.throttledResponses += 1;
      const retryAfterMs = result[THROTTLED];
      if (waited + retryAfterMs > maxWait) {
        throw new RateLimitedError(`${config.id}: ${op.name}: throttled by Shopify's cost limit`, { connectorId: config.id, retryAfterMs });
      }
      deps.logger.debug({ connectorId: config.id, operation: op.name, retryAfterMs }, 'shopify throttled; waiting for the cost bucket');
      stats.throttleWaitMs += retryAfterMs;
      waited += retryAfterMs;
      await sleep(retryAfterMs);
    }
  }

  return {
    apiVersion: settings.apiVersion,
    stats,
    graphql: (op) =>
      retryInCall(() => attempt(op), {
        idempotent: op.idempotent,
        retries: options.retries,
        minRetryDelayMs: options.minRetryDelayMs,
        onRetry: (error, attemptNumber) => {
          stats.retries += 1;
          deps.logger.debug(
            { connectorId: config.id, operation: op.name, attempt: attemptNumber, code: (error as HubError).code },
            'shopify call failed; retrying',
          );
        },
      }),
  };
}

/** Provider error text, allow-listed to `message` fields and truncated; never headers or whole bodies. */
function describeErrors(errors: unknown): string {
  if (typeof errors === 'string') return errorDetails([[errors]], 200);
  return Array.isArray(errors) ? errorDetails(errors.map((e: { message?: unknown }) => [e.message])) : '';
}
