import axios, { type AxiosResponse, isAxiosError } from 'axios';
import type { z } from 'zod';
import { ContractError } from '../../core/errors.js';
import { type Shipment, zodIssues } from '../../core/model/index.js';
import { retryInCall } from '../http/retry.js';
import { classifyHttpError, toHubError } from '../http/classify-http-error.js';
import { errorDetails, parseBody } from '../http/response.js';
import type { ClientDeps } from '../types.js';
import { easypostCarrier } from './carriers.js';
import type { EasyPostConfig } from './config.js';
import { EasyPostErrorSchema, type EasyPostTracker, EasyPostTrackerListSchema, EasyPostTrackerSchema } from './shapes.js';

/** A tracker as the flow records it: EasyPost's id, and what it tracks. */
export interface EasyPostTrackerRef {
  /** `trk_...`: the external id of the tracking hop. */
  trackerId: string;
  trackingCode: string;
  /** EasyPost's carrier name (`USPS`, `FedEx`). */
  carrier: string;
  /** The package's status when the tracker was read. */
  status: string;
  /** True when a tracker for this code and carrier already existed (a retry or replay). */
  existing: boolean;
}

export interface EasyPostClient {
  /**
   * A tracker for a shipment's tracking number and carrier (`shipment.tracking.number`,
   * `shipment.tracking.company`). Idempotent on (tracking code, carrier): an existing tracker is
   * returned instead of a second one. Throws ValidationError for a shipment without tracking,
   * AuthError, ContractError, RateLimitedError, UpstreamUnavailableError, NetworkError.
   */
  createTracker(shipment: Pick<Shipment, 'externalShipmentId' | 'tracking'>): Promise<EasyPostTrackerRef>;
  /** Throttled (429) answers so far; EasyPost names no wait to spend, so throttleWaitMs stays 0. */
  stats(): { throttleWaitMs: number; throttledResponses: number };
}

/**
 * Basic auth with the API key; reads retried in-call on 5xx and network failures; 429 handed to
 * the queue with its Retry-After. https://docs.easypost.com/docs/authentication, https://docs.easypost.com/docs/errors
 */
export function createEasyPostClient(config: EasyPostConfig & { id: string }, deps: ClientDeps): EasyPostClient {
  const now = deps.now ?? Date.now;
  const http = axios.create({
    baseURL: config.settings.baseUrl.replace(/\/+$/, ''),
    timeout: config.settings.requestTimeoutMs,
    responseType: 'text',
    transformResponse: (b: unknown) => b,
    validateStatus: () => true,
    maxRedirects: 0,
    headers: { Accept: 'application/json', Authorization: `Basic ${Buffer.from(`${config.credentials.apiKey}:`).toString('base64')}` },
  });
  const prefix = (op: string) => `${config.id}: EasyPost ${op}`;
  let throttledResponses = 0;

  async function call<T>(
    op: string,
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T>,
    options: { params?: Record<string, string>; body?: unknown; idempotent: boolean },
  ): Promise<T> {
    const once = async (): Promise<T> => {
      let res: AxiosResponse<string>;
      try {
        res = await http.request<string>({
          method,
          url: path,
          params: options.params,
          ...(options.body === undefined ? {} : { data: JSON.stringify(options.body), headers: { 'Content-Type': 'application/json' } }),
        });
      } catch (err) {
        // No `cause`: the transport error carries the request config, API key included.
        const code = isAxiosError(err) && err.code ? err.code : 'ERR_NETWORK';
        const c = classifyHttpError({ code }, { now: now() });
        throw toHubError(c.code === 'unexpected' ? { retryable: true, code: 'network_error' } : c, `${prefix(op)}: request failed (${code})`, {
          connectorId: config.id,
        });
      }
      const body = parseBody(res.data);
      if (res.status < 200 || res.status >= 300) {
        if (res.status === 429) throttledResponses += 1;
        const c = classifyHttpError({ status: res.status, headers: res.headers as Record<string, string> }, { now: now() });
        const e = EasyPostErrorSchema.safeParse(body);
        const detail = e.success ? errorDetails([[e.data.error.code, e.data.error.message]], 200) : '';
        throw toHubError(c, `${prefix(op)}: HTTP ${res.status}${detail}`, { connectorId: config.id });
      }
      const parsed = schema.safeParse(body);
      if (!parsed.success) throw new ContractError(`${prefix(op)}: unexpected response shape: ${zodIssues(parsed.error)[0]?.path}`, { connectorId: config.id });
      return parsed.data;
    };
    return retryInCall(once, { idempotent: options.idempotent, retryUnknown: true });
  }

  const ref = (t: EasyPostTracker, existing: boolean): EasyPostTrackerRef => ({
    trackerId: t.id,
    trackingCode: t.tracking_code,
    carrier: t.carrier,
    status: t.status,
    existing,
  });

  return {
    stats: () => ({ throttleWaitMs: 0, throttledResponses }),
    async createTracker(shipment) {
      const number = shipment.tracking?.number?.trim();
      const company = shipment.tracking?.company?.trim();
      if (!number || !company) {
        throw new ContractError(`${prefix('createTracker')}: shipment ${shipment.externalShipmentId} has no tracking number and carrier to track`, {
          connectorId: config.id,
          field: 'tracking',
        });
      }
      const carrier = easypostCarrier(company);
      // Look first, so a retry after a lost answer finds the tracker it made.
      // https://docs.easypost.com/docs/trackers#retrieve-a-list-of-trackers
      const found = await call('listTrackers', 'GET', '/trackers', EasyPostTrackerListSchema, {
        params: { tracking_code: number, carrier, page_size: '5' },
        idempotent: true,
      });
      const existing = found.trackers.find((t) => t.tracking_code === number && t.carrier.toLowerCase() === carrier.toLowerCase());
      if (existing) return ref(existing, true);
      // https://docs.easypost.com/docs/trackers#create-a-tracker
      const created = await call('createTracker', 'POST', '/trackers', EasyPostTrackerSchema, {
        body: { tracker: { tracking_code: number, carrier } },
        idempotent: false,
      });
      return ref(created, false);
    },
  };
}
