import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { easypostSignature } from '../../../src/connectors/easypost/verify.js';

/**
 * A local EasyPost: trackers (create, list by tracking code and carrier, one per code and
 * carrier), webhooks with a secret, and `advance()`, which moves a tracker to a new status and
 * POSTs a signed `tracker.updated` Event (X-Hmac-Signature) to every webhook. Basic auth with
 * the API key; faults on demand. https://docs.easypost.com/docs/trackers, https://docs.easypost.com/docs/events
 */

export interface SimTracker {
  id: string;
  object: 'Tracker';
  mode: 'production' | 'test';
  tracking_code: string;
  carrier: string;
  status: string;
  status_detail: string;
  shipment_id: null;
  created_at: string;
  updated_at: string;
  public_url: string;
  tracking_details: { object: 'TrackingDetail'; status: string; message: string; datetime: string }[];
}

export type EasyPostFault = { status: number; headers?: Record<string, string>; body?: unknown };

export interface EasyPostSimulator {
  url: string;
  apiKey: string;
  trackers: SimTracker[];
  deliveries: { eventId: string; url: string; status: number }[];
  counters: { requests: number; trackersCreated: number; unauthorized: number };
  addWebhook(url: string, secret: string): void;
  /** Sets a tracker's status and sends `tracker.updated`; returns the Event id. */
  advance(trackingCode: string, status: string, options?: { resend?: number }): Promise<string>;
  faults: { next(count: number, fault: EasyPostFault): void; clear(): void };
  close(): Promise<void>;
}

const iso = () => new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000', '');

export async function startEasyPostSimulator(options: { apiKey?: string } = {}): Promise<EasyPostSimulator> {
  const apiKey = options.apiKey ?? `EZAK${randomUUID().replace(/-/g, '')}`;
  const auth = `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
  const trackers: SimTracker[] = [];
  const webhooks: { url: string; secret: string }[] = [];
  const deliveries: EasyPostSimulator['deliveries'] = [];
  const counters = { requests: 0, trackersCreated: 0, unauthorized: 0 };
  const pending: EasyPostFault[] = [];

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counters.requests += 1;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.headers.authorization !== auth) {
      counters.unauthorized += 1;
      return send(res, 401, { error: { code: 'APIKEY.INACTIVE', message: 'This api key is no longer active.' } });
    }
    const fault = pending.shift();
    if (fault) return send(res, fault.status, fault.body ?? { error: { code: 'SIM.FAULT', message: 'fault' } }, fault.headers);
    const u = new URL(req.url ?? '/', 'http://sim');
    const route = `${req.method} ${u.pathname.replace(/\/+$/, '')}`;
    if (route === 'GET /v2/trackers') {
      const code = u.searchParams.get('tracking_code');
      const carrier = u.searchParams.get('carrier');
      const found = trackers.filter((t) => (!code || t.tracking_code === code) && (!carrier || t.carrier === carrier));
      return send(res, 200, { trackers: found, has_more: false });
    }
    if (route === 'POST /v2/trackers') {
      const b = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { tracker?: { tracking_code?: string; carrier?: string } };
      const code = b.tracker?.tracking_code;
      if (!code) return send(res, 422, { error: { code: 'PARAMETER.REQUIRED', message: 'tracking_code is required' } });
      const carrier = b.tracker?.carrier ?? 'USPS';
      const existing = trackers.find((t) => t.tracking_code === code && t.carrier === carrier);
      if (existing) return send(res, 200, existing);
      counters.trackersCreated += 1;
      const id = `trk_${randomUUID().replace(/-/g, '')}`;
      const tracker: SimTracker = {
        id,
        object: 'Tracker',
        mode: 'production',
        tracking_code: code,
        carrier,
        status: 'pre_transit',
        status_detail: 'label_created',
        shipment_id: null,
        created_at: iso(),
        updated_at: iso(),
        public_url: `https://track.easypost.com/${Buffer.from(id).toString('base64url')}`,
        tracking_details: [],
      };
      trackers.push(tracker);
      return send(res, 201, tracker);
    }
    return send(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${route}` } });
  }

  const server = createServer((req, res) => void handle(req, res).catch((err: Error) => send(res, 500, { error: { message: err.message } })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;

  return {
    url,
    apiKey,
    trackers,
    deliveries,
    counters,
    addWebhook(target, secret) {
      webhooks.push({ url: target, secret });
    },
    async advance(code, status, o = {}) {
      const tracker = trackers.find((t) => t.tracking_code === code);
      if (!tracker) throw new Error(`simulator: no tracker for ${code}`);
      tracker.status = status;
      tracker.updated_at = iso();
      tracker.tracking_details.push({ object: 'TrackingDetail', status, message: status, datetime: tracker.updated_at });
      const eventId = `evt_${randomUUID().replace(/-/g, '')}`;
      for (let attempt = 0; attempt <= (o.resend ?? 0); attempt += 1) {
        for (const w of webhooks) {
          // The Event's own status is its delivery's, not the package's.
          const body = JSON.stringify({
            id: eventId,
            object: 'Event',
            mode: 'production',
            description: 'tracker.updated',
            status: attempt === 0 ? 'pending' : 'retrying',
            previous_attributes: {},
            created_at: tracker.updated_at,
            updated_at: tracker.updated_at,
            pending_urls: [w.url],
            completed_urls: [],
            result: tracker,
          });
          const r = await fetch(w.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-hmac-signature': easypostSignature(body, w.secret) },
            body,
          });
          deliveries.push({ eventId, url: w.url, status: r.status });
          await r.arrayBuffer();
        }
      }
      return eventId;
    },
    faults: {
      next(count, fault) {
        for (let i = 0; i < count; i += 1) pending.push(fault);
      },
      clear() {
        pending.length = 0;
      },
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
