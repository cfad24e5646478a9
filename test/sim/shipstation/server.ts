import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { utcToLocal } from '../../../src/connectors/shipstation/dates.js';

/**
 * A local ShipStation V1 API, from the documented shapes: createorder (upsert by orderKey; shipped
 * and cancelled orders refused), list orders, list shipments (shipmentItems only with
 * includeShipmentItems=true), webhook subscriptions, and `shipOrder()`, which creates a label and
 * POSTs SHIP_NOTIFY to every subscribed URL. Basic auth; X-Rate-Limit-* headers on every answer
 * (40 a minute); faults (429, 5xx) on demand. Timestamps are US Pacific local time without offset.
 * https://docs.shipstation.com/apis/shipstation-v1/docs/start-here/requirements
 */

export interface SimOrder {
  orderId: number;
  orderNumber: string;
  orderKey: string;
  orderStatus: string;
  orderDate: string;
  createDate: string;
  items: { lineItemKey?: string; sku: string; name?: string; quantity: number }[];
  advancedOptions?: { warehouseId?: number | string };
  /** Times createorder touched it. */
  writes: number;
}

export interface SimShipment {
  shipmentId: number;
  orderId: number;
  orderKey: string;
  orderNumber: string;
  createDate: string;
  shipDate: string;
  trackingNumber: string;
  isReturnLabel: boolean;
  batchNumber: string;
  carrierCode: string;
  serviceCode: string;
  warehouseId: number | null;
  voided: boolean;
  voidDate: string | null;
  shipmentItems: { orderItemId: number; lineItemKey?: string; sku: string; name?: string; quantity: number }[];
}

export type ShipStationFault = { status: number; headers?: Record<string, string>; body?: unknown };

export interface ShipStationSimulator {
  url: string;
  apiKey: string;
  apiSecret: string;
  orders: Map<string, SimOrder>;
  shipments: SimShipment[];
  /** SHIP_NOTIFY posts and their answers. */
  notifications: { url: string; status: number }[];
  counters: { requests: number; createorder: number; throttled: number; unauthorized: number };
  subscribe(targetUrl: string, headers?: Record<string, string>): void;
  /** Labels the whole order (or `voided`), then notifies subscribers; returns the shipment. */
  shipOrder(orderKey: string, options?: { carrierCode?: string; serviceCode?: string; trackingNumber?: string; voided?: boolean }): Promise<SimShipment>;
  faults: { next(count: number, fault: ShipStationFault): void; clear(): void };
  close(): Promise<void>;
}

const ZONE = 'America/Los_Angeles';
const local = (ms = Date.now()) => utcToLocal(new Date(ms).toISOString(), ZONE);

export async function startShipStationSimulator(
  options: { apiKey?: string; apiSecret?: string; limitPerMinute?: number; warehouseId?: number } = {},
): Promise<ShipStationSimulator> {
  const apiKey = options.apiKey ?? `sskey-${randomUUID().slice(0, 8)}`;
  const apiSecret = options.apiSecret ?? `sssecret-${randomUUID()}`;
  const limit = options.limitPerMinute ?? 40;
  const auth = `Basic ${Buffer.from(`${apiKey}:${apiSecret}`).toString('base64')}`;
  const orders = new Map<string, SimOrder>();
  const shipments: SimShipment[] = [];
  const subscriptions: { url: string; headers: Record<string, string> }[] = [];
  const notifications: { url: string; status: number }[] = [];
  const counters = { requests: 0, createorder: 0, throttled: 0, unauthorized: 0 };
  const pending: ShipStationFault[] = [];
  let window = { start: Date.now(), used: 0 };
  let nextId = 1000;
  let url = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counters.requests += 1;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (req.headers.authorization !== auth) {
      counters.unauthorized += 1;
      return send(res, 401, { message: 'Unauthorized' });
    }
    const now = Date.now();
    if (now - window.start >= 60_000) window = { start: now, used: 0 };
    window.used += 1;
    const rate = {
      'X-Rate-Limit-Limit': String(limit),
      'X-Rate-Limit-Remaining': String(Math.max(0, limit - window.used)),
      'X-Rate-Limit-Reset': String(Math.max(0, Math.ceil((window.start + 60_000 - now) / 1000))),
    };
    const fault = pending.shift();
    if (fault) {
      if (fault.status === 429) counters.throttled += 1;
      return send(res, fault.status, fault.body ?? { message: 'fault' }, { ...rate, ...fault.headers });
    }
    if (window.used > limit) {
      counters.throttled += 1;
      return send(res, 429, { message: 'Too Many Requests' }, { ...rate, 'X-Rate-Limit-Remaining': '0' });
    }
    const u = new URL(req.url ?? '/', 'http://sim');
    const q = (name: string) => [...u.searchParams.entries()].find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    const route = `${req.method} ${u.pathname.replace(/\/+$/, '')}`;
    if (route === 'POST /orders/createorder') return send(res, ...createOrder(JSON.parse(text) as Record<string, unknown>), rate);
    if (route === 'GET /orders') {
      const found = [...orders.values()].filter((o) => !q('orderNumber') || o.orderNumber === q('orderNumber'));
      return send(res, 200, { orders: found.map(({ writes: _w, ...o }) => o), total: found.length, page: 1, pages: 1 }, rate);
    }
    if (route === 'GET /shipments') {
      const withItems = (q('includeShipmentItems') ?? '').toLowerCase() === 'true';
      const batch = q('batchId');
      const since = q('createDateStart');
      const found = shipments.filter((s) => (!batch || s.batchNumber === batch) && (!since || s.createDate.slice(0, 19) >= since.slice(0, 19)));
      const size = Number(q('pageSize') ?? 100);
      const page = Number(q('page') ?? 1);
      const slice = found.slice((page - 1) * size, page * size).map((s) => ({ ...s, shipmentItems: withItems ? s.shipmentItems : null }));
      return send(res, 200, { shipments: slice, total: found.length, page, pages: Math.ceil(found.length / size) }, rate);
    }
    if (route === 'POST /webhooks/subscribe') {
      const b = JSON.parse(text) as { target_url: string; event: string };
      subscriptions.push({ url: b.target_url, headers: {} });
      return send(res, 201, { id: subscriptions.length }, rate);
    }
    return send(res, 404, { message: `no route ${route}` }, rate);
  }

  function createOrder(b: Record<string, unknown>): [number, unknown] {
    counters.createorder += 1;
    const key = typeof b['orderKey'] === 'string' ? b['orderKey'] : randomUUID().replace(/-/g, '');
    const existing = orders.get(key);
    if (existing && (existing.orderStatus === 'shipped' || existing.orderStatus === 'cancelled')) {
      return [400, { Message: 'The request is invalid.', ExceptionMessage: `Order ${existing.orderNumber} is ${existing.orderStatus} and cannot be updated.` }];
    }
    const order: SimOrder = {
      orderId: existing?.orderId ?? (nextId += 1),
      orderNumber: String(b['orderNumber']),
      orderKey: key,
      orderStatus: typeof b['orderStatus'] === 'string' ? b['orderStatus'] : 'awaiting_shipment',
      orderDate: String(b['orderDate']),
      createDate: existing?.createDate ?? local(),
      items: (b['items'] as SimOrder['items']) ?? [],
      advancedOptions: b['advancedOptions'] as SimOrder['advancedOptions'],
      writes: (existing?.writes ?? 0) + 1,
    };
    orders.set(key, order);
    const { writes: _w, ...body } = order;
    return [200, body];
  }

  const server = createServer((req, res) => void handle(req, res).catch((err: Error) => send(res, 500, { message: err.message })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    apiKey,
    apiSecret,
    orders,
    shipments,
    notifications,
    counters,
    subscribe(targetUrl, headers = {}) {
      subscriptions.push({ url: targetUrl, headers });
    },
    async shipOrder(orderKey, o = {}) {
      const order = orders.get(orderKey);
      if (!order) throw new Error(`simulator: no order ${orderKey}`);
      const batch = String((nextId += 1));
      const warehouse = order.advancedOptions?.warehouseId ?? options.warehouseId ?? null;
      const shipment: SimShipment = {
        shipmentId: (nextId += 1),
        orderId: order.orderId,
        orderKey,
        orderNumber: order.orderNumber,
        createDate: local(),
        shipDate: local().slice(0, 10),
        trackingNumber: o.trackingNumber ?? `9400${String(Date.now()).slice(-10)}${nextId}`,
        isReturnLabel: false,
        batchNumber: batch,
        carrierCode: o.carrierCode ?? 'stamps_com',
        serviceCode: o.serviceCode ?? 'usps_priority_mail',
        warehouseId: warehouse === null ? null : Number(warehouse),
        voided: o.voided ?? false,
        voidDate: o.voided ? local() : null,
        shipmentItems: order.items.map((i) => ({ orderItemId: (nextId += 1), lineItemKey: i.lineItemKey, sku: i.sku, name: i.name, quantity: i.quantity })),
      };
      shipments.push(shipment);
      if (!o.voided) order.orderStatus = 'shipped';
      // https://docs.shipstation.com/apis/shipstation-v1/docs/models/webhook
      const body = JSON.stringify({ resource_url: `${url}/shipments?storeID=1&batchId=${batch}&includeShipmentItems=False`, resource_type: 'SHIP_NOTIFY' });
      for (const s of subscriptions) {
        const r = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', ...s.headers }, body });
        notifications.push({ url: s.url, status: r.status });
        await r.arrayBuffer();
      }
      return shipment;
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
