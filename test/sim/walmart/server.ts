import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { routeInventory } from './inventory-routes.js';
import { WalmartStore, renderOrder } from './store.js';

/** A fault applied to the next Marketplace API requests (the Token API is never faulted). */
export type WalmartSimFault = { type: 'status'; status: number; retryAfter?: string; body?: unknown } | { type: 'latency'; ms: number } | { type: 'reset' };

export interface WalmartSimulatorOptions {
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of issued access tokens in seconds (Walmart: 900). */
  tokenTtlSeconds?: number;
  /** The seller's ship node (default "10000003527"). */
  shipNode?: string;
  /** How long a submitted inventory feed stays INPROGRESS. */
  feedDelayMs?: number;
  latencyMs?: number;
}

export interface WalmartSimCounters {
  requests: number;
  byOperation: Record<string, number>;
  tokensIssued: number;
  unauthorized: number;
  faults: number;
  acknowledged: number;
  inventoryUpdates: number;
  feeds: number;
  shipments: number;
}

export interface WalmartSimulator {
  url: string;
  clientId: string;
  clientSecret: string;
  shipNode: string;
  store: WalmartStore;
  counters: WalmartSimCounters;
  /** Every shipping update body received, per purchase order. */
  shippingUpdates: { purchaseOrderId: string; body: unknown }[];
  faults: { next(count: number, fault: WalmartSimFault): void; clear(): void };
  /** Expires every token issued so far (the next call answers 401). */
  expireTokens(): void;
  close(): Promise<void>;
}

const COMMON = ['wm_svc.name', 'wm_qos.correlation_id'];

/**
 * A local Walmart Marketplace: the Token API (client credentials, Basic auth), getAllOrders with
 * nextCursor paging, getAnOrder, acknowledge, shipping updates, single-item and bulk (feed)
 * inventory updates with feed status, and inventories across ship nodes; documented headers
 * required, `x-current-token-count` sent, faults injectable. Listens on 127.0.0.1, ephemeral port.
 */
export async function startWalmartSimulator(options: WalmartSimulatorOptions = {}): Promise<WalmartSimulator> {
  const clientId = options.clientId ?? `sim-client-${randomUUID().slice(0, 8)}`;
  const clientSecret = options.clientSecret ?? `sim-secret-${randomUUID()}`;
  const shipNode = options.shipNode ?? '10000003527';
  const store = new WalmartStore(shipNode);
  const tokens = new Map<string, number>();
  const counters: WalmartSimCounters = {
    requests: 0,
    byOperation: {},
    tokensIssued: 0,
    unauthorized: 0,
    faults: 0,
    acknowledged: 0,
    inventoryUpdates: 0,
    feeds: 0,
    shipments: 0,
  };
  const shippingUpdates: WalmartSimulator['shippingUpdates'] = [];
  const pending: WalmartSimFault[] = [];
  const sockets = new Set<Socket>();

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'x-current-token-count': '1000', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: string, description: string, headers: Record<string, string> = {}) =>
    send(res, status, { errors: [{ code, field: '', description, info: description, severity: 'ERROR', category: 'DATA' }] }, headers);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    const missing = COMMON.filter((h) => !req.headers[h]);
    if (missing.length > 0) return error(res, 400, 'INVALID_REQUEST_HEADER.GMP_GATEWAY_API', `missing header ${missing.join(', ')}`);

    // https://developer.walmart.com/us-marketplace/reference/tokenapi
    if (req.method === 'POST' && path === '/v3/token') {
      const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
      if (req.headers.authorization !== expected || new URLSearchParams(raw).get('grant_type') !== 'client_credentials')
        return send(res, 401, { error: 'invalid_client' });
      const token = `wm-sim-${randomUUID()}`;
      const ttl = options.tokenTtlSeconds ?? 900;
      tokens.set(token, Date.now() + ttl * 1000);
      counters.tokensIssued += 1;
      return send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: ttl });
    }
    counters.requests += 1;
    const token = String(req.headers['wm_sec.access_token'] ?? '');
    if ((tokens.get(token) ?? 0) < Date.now()) {
      counters.unauthorized += 1;
      return error(res, 401, 'UNAUTHORIZED.GMP_GATEWAY_API', 'Unauthorized');
    }
    const fault = pending.shift();
    if (fault) counters.faults += 1;
    const latency = (options.latencyMs ?? 0) + (fault?.type === 'latency' ? fault.ms : 0);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    if (fault?.type === 'reset') return void req.socket.destroy();
    if (fault?.type === 'status') {
      const headers: Record<string, string> = { 'x-current-token-count': '0', ...(fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {}) };
      return fault.body
        ? send(res, fault.status, fault.body, headers)
        : error(res, fault.status, fault.status === 429 ? 'TOO_MANY_REQUESTS' : 'SYSTEM_ERROR.GMP_GATEWAY_API', 'injected fault', headers);
    }
    return route(req.method ?? 'GET', path, url.searchParams, raw, res);
  }

  function count(op: string) {
    counters.byOperation[op] = (counters.byOperation[op] ?? 0) + 1;
  }

  function route(method: string, path: string, q: URLSearchParams, raw: string, res: ServerResponse): void {
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/v3/orders') {
      count('getAllOrders');
      const since = Date.parse(q.get('lastModifiedStartDate') ?? '') || 0;
      const until = Date.parse(q.get('lastModifiedEndDate') ?? '') || Infinity;
      const limit = Math.min(200, Number(q.get('limit') ?? 100));
      const offset = Number(q.get('poIndex') ?? 0);
      const all = [...store.orders.values()].filter((o) => o.lastModified >= since && o.lastModified <= until).sort((a, b) => a.orderDate - b.orderDate);
      const page = all.slice(offset, offset + limit);
      const more = offset + limit < all.length;
      const carry = ['lastModifiedStartDate', 'lastModifiedEndDate']
        .filter((k) => q.get(k))
        .map((k) => `&${k}=${encodeURIComponent(q.get(k) as string)}`)
        .join('');
      return send(res, 200, {
        list: {
          meta: {
            totalCount: all.length,
            limit,
            nextCursor: more ? `?limit=${limit}&hasMoreElements=true&soIndex=${all.length}&poIndex=${offset + limit}${carry}` : null,
          },
          elements: { order: page.map((o) => renderOrder(o)) },
        },
      });
    }
    if ((m = /^\/v3\/orders\/([^/]+)$/.exec(path)) && method === 'GET') {
      count('getAnOrder');
      const order = store.orders.get(decodeURIComponent(m[1] as string));
      return order ? send(res, 200, { order: renderOrder(order) }) : error(res, 404, 'CONTENT_NOT_FOUND.GMP_ORDER_API', 'order not found');
    }
    if ((m = /^\/v3\/orders\/([^/]+)\/acknowledge$/.exec(path)) && method === 'POST') {
      count('acknowledgeOrders');
      const order = store.acknowledge(decodeURIComponent(m[1] as string));
      if (!order) return error(res, 404, 'CONTENT_NOT_FOUND.GMP_ORDER_API', 'order not found');
      counters.acknowledged += 1;
      return send(res, 200, { order: renderOrder(order) });
    }
    if ((m = /^\/v3\/orders\/([^/]+)\/shipping$/.exec(path)) && method === 'POST') {
      count('shippingUpdates');
      const po = decodeURIComponent(m[1] as string);
      const body = JSON.parse(raw) as {
        orderShipment?: {
          orderLines?: {
            orderLine?: {
              lineNumber: string;
              orderLineStatuses: { orderLineStatus: { statusQuantity: { amount: string }; trackingInfo: Record<string, unknown> }[] };
            }[];
          };
        };
      };
      shippingUpdates.push({ purchaseOrderId: po, body });
      for (const line of body.orderShipment?.orderLines?.orderLine ?? []) {
        for (const s of line.orderLineStatuses.orderLineStatus) {
          if (!s.trackingInfo?.['trackingNumber']) return error(res, 400, 'INVALID_REQUEST_CONTENT.GMP_ORDER_API', 'trackingNumber is required');
          if (!store.ship(po, line.lineNumber, Number(s.statusQuantity.amount), s.trackingInfo))
            return error(res, 400, 'INVALID_REQUEST_CONTENT.GMP_ORDER_API', `line ${line.lineNumber} cannot ship that quantity`);
        }
      }
      counters.shipments += 1;
      const order = store.orders.get(po);
      return order ? send(res, 200, { order: renderOrder(order) }) : error(res, 404, 'CONTENT_NOT_FOUND.GMP_ORDER_API', 'order not found');
    }
    if (routeInventory({ store, shipNode, counters, feedDelayMs: options.feedDelayMs ?? 0, send, error, count }, method, path, q, raw, res)) return;
    return error(res, 404, 'NOT_FOUND', `no route ${method} ${path}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => error(res, 500, 'SIM_ERROR', String(err)));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    shipNode,
    store,
    counters,
    shippingUpdates,
    faults: {
      next: (n, fault) => {
        for (let i = 0; i < n; i++) pending.push(fault);
      },
      clear: () => void pending.splice(0),
    },
    expireTokens: () => {
      for (const k of tokens.keys()) tokens.set(k, 0);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
