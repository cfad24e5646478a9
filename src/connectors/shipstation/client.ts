import axios, { type AxiosResponse, isAxiosError } from 'axios';
import type { z } from 'zod';
import { ContractError, RateLimitedError } from '../../core/errors.js';
import { zodIssues } from '../../core/model/index.js';
import { retryInCall } from '../http/retry.js';
import { classifyHttpError, toHubError } from '../http/classify-http-error.js';
import { errorDetails, parseBody } from '../http/response.js';
import { sleepOf } from '../http/transport.js';
import type { ClientDeps } from '../types.js';
import type { ShipStationConfig } from './config.js';
import { RateWindow } from './rate-window.js';
import { ShipStationErrorSchema } from './shapes.js';

/** One V1 API call. */
export interface ShipStationRequest<T> {
  /** Operation name for errors and logs: `createorder`, `listShipments`. */
  name: string;
  method: 'GET' | 'POST';
  /** A path under `settings.baseUrl`, or an absolute URL the caller has already allow-listed. */
  path: string | URL;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** zod schema of the response body; a mismatch is a ContractError naming the operation. */
  response: z.ZodType<T>;
  /** Safe to send again after an unknown outcome (5xx, lost connection). */
  idempotent: boolean;
}

export interface ShipStationClientStats {
  calls: number;
  throttledResponses: number;
  throttleWaitMs: number;
}

/** The only part of the connector that speaks HTTP. */
export interface ShipStationClient {
  request<T>(req: ShipStationRequest<T>): Promise<T>;
  readonly stats: ShipStationClientStats;
}

// X-Rate-Limit-Reset is the documented wait after a 429; Retry-After is honoured if present.
const RETRY_AFTER_HEADERS = ['x-rate-limit-reset', 'retry-after'];

/**
 * Basic auth (API Key : API Secret), a mirror of the 40-per-minute window, 429s waited out in-call
 * up to `settings.maxThrottleWaitMs` (a throttled request was not executed, so it is resent
 * whatever it does) and then handed to the queue as RateLimitedError; idempotent calls retried
 * in-call on 5xx and network failures; everything else classified once.
 * https://docs.shipstation.com/apis/shipstation-v1/docs/start-here/requirements
 */
export function createShipStationClient(
  config: ShipStationConfig & { id: string },
  deps: ClientDeps,
  options: { retries?: number; minRetryDelayMs?: number } = {},
): ShipStationClient {
  const { settings, credentials } = config;
  const now = deps.now ?? Date.now;
  const sleep = sleepOf(deps);
  const base = settings.baseUrl.replace(/\/+$/, '');
  const http = axios.create({
    timeout: settings.requestTimeoutMs,
    responseType: 'text',
    transformResponse: (body: unknown) => body,
    validateStatus: () => true,
    maxRedirects: 0,
    headers: {
      Accept: 'application/json',
      Authorization: `Basic ${Buffer.from(`${credentials.apiKey}:${credentials.apiSecret}`).toString('base64')}`,
    },
  });
  const window = new RateWindow(now);
  const stats: ShipStationClientStats = { calls: 0, throttledResponses: 0, throttleWaitMs: 0 };
  const prefix = (op: string) => `${config.id}: ShipStation ${op}`;

  async function wait(ms: number, op: string, waited: { ms: number }): Promise<void> {
    if (waited.ms + ms > settings.maxThrottleWaitMs) {
      throw new RateLimitedError(`${prefix(op)}: rate limit of 40 requests per minute reached`, { connectorId: config.id, retryAfterMs: ms });
    }
    waited.ms += ms;
    stats.throttleWaitMs += ms;
    await sleep(ms);
  }

  async function attempt<T>(req: ShipStationRequest<T>): Promise<T> {
    const waited = { ms: 0 };
    for (;;) {
      const ahead = window.waitMs();
      if (ahead > 0) await wait(ahead, req.name, waited);
      window.spend();
      stats.calls += 1;
      const url = typeof req.path === 'string' ? `${base}${req.path}` : req.path.toString();
      let response: AxiosResponse<string>;
      try {
        response = await http.request<string>({
          method: req.method,
          url,
          params: req.query,
          ...(req.body === undefined ? {} : { data: JSON.stringify(req.body), headers: { 'Content-Type': 'application/json' } }),
        });
      } catch (err) {
        // No `cause`: the transport error carries the request config, Authorization header included.
        const code = isAxiosError(err) && err.code ? err.code : 'ERR_NETWORK';
        const classified = classifyHttpError({ code }, { now: now() });
        const action = classified.code === 'unexpected' ? { retryable: true, code: 'network_error' as const } : classified;
        throw toHubError(action, `${prefix(req.name)}: request failed (${code})`, { connectorId: config.id });
      }
      const headers = response.headers as Record<string, string>;
      window.observe(headers);
      if (response.status === 429) {
        stats.throttledResponses += 1;
        const classified = classifyHttpError({ status: 429, headers }, { retryAfterHeaders: RETRY_AFTER_HEADERS, now: now() });
        const ms = window.exhaust(classified.retryAfterMs);
        deps.logger.debug({ connectorId: config.id, operation: req.name, retryAfterMs: ms }, 'shipstation throttled; waiting for the rate window');
        await wait(ms, req.name, waited);
        continue;
      }
      const body = parseBody(response.data);
      if (response.status < 200 || response.status >= 300) {
        const classified = classifyHttpError({ status: response.status, headers }, { retryAfterHeaders: RETRY_AFTER_HEADERS, now: now() });
        throw toHubError(classified, `${prefix(req.name)}: HTTP ${response.status}${describeError(body)}`, { connectorId: config.id });
      }
      const parsed = req.response.safeParse(body);
      if (!parsed.success) {
        const issues = zodIssues(parsed.error)
          .slice(0, 3)
          .map((i) => `${i.path}: ${i.message}`)
          .join('; ');
        throw new ContractError(`${prefix(req.name)}: unexpected response shape: ${issues}`, {
          connectorId: config.id,
          field: zodIssues(parsed.error)[0]?.path,
        });
      }
      return parsed.data;
    }
  }

  return {
    stats,
    request: (req) =>
      retryInCall(() => attempt(req), { idempotent: req.idempotent, retries: options.retries, minRetryDelayMs: options.minRetryDelayMs, retryUnknown: true }),
  };
}

/** Provider error text, allow-listed to the message fields and truncated. */
function describeError(body: unknown): string {
  const parsed = ShipStationErrorSchema.safeParse(body);
  if (!parsed.success) return '';
  return errorDetails([[parsed.data.Message ?? parsed.data.message ?? parsed.data.ExceptionMessage]], 200);
}
