import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EbayStore } from './store.js';

/** A fault applied to the next API requests (the token endpoint included). */
export type EbaySimFault = { type: 'status'; status: number; retryAfter?: string } | { type: 'latency'; ms: number } | { type: 'reset' };

export interface EbaySimCounters {
  requests: number;
  byOperation: Record<string, number>;
  tokensIssued: number;
  unauthorized: number;
  faults: number;
  /** Items set by bulkUpdatePriceQuantity. */
  itemsSet: number;
}

export interface EbaySimulator {
  /** `settings.baseUrl` of a connector pointed at it. */
  url: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  store: EbayStore;
  counters: EbaySimCounters;
  faults: { next(count: number, fault: EbaySimFault): void; clear(): void };
  /** Lifetime of the access tokens it issues (seconds). */
  tokenLifetimeSec: number;
  /** Expires every access token issued so far (calls answer 401 until the client refreshes). */
  revokeTokens(): void;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json', 'X-EBAY-C-REQUEST-ID': randomUUID(), ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const error = (errorId: number, message: string) => ({ errors: [{ errorId, domain: 'API_SIM', category: 'REQUEST', message }] });

/**
 * A local eBay: the OAuth refresh-token grant, the Fulfillment API order and shipping fulfilment
 * calls and the Inventory API calls the connector uses, with the documented shapes, paging and
 * limits (25 items per bulkUpdatePriceQuantity; getInventoryItems `offset` counts pages), fault
 * injection and counters. Listens on 127.0.0.1 on an ephemeral port.
 */
export async function startEbaySimulator(options: { tokenLifetimeSec?: number; now?: () => number } = {}): Promise<EbaySimulator> {
  const now = options.now ?? Date.now;
  const store = new EbayStore(now);
  const clientId = `sim-app-${randomUUID().slice(0, 8)}`;
  const clientSecret = `sim-cert-${randomUUID()}`;
  const refreshToken = `v^1.1#sim-refresh-${randomUUID()}`;
  const tokens = new Map<string, number>();
  const counters: EbaySimCounters = { requests: 0, byOperation: {}, tokensIssued: 0, unauthorized: 0, faults: 0, itemsSet: 0 };
  const pending: EbaySimFault[] = [];
  const sockets = new Set<Socket>();
  let baseUrl = '';
  const sim = { tokenLifetimeSec: options.tokenLifetimeSec ?? 7200 };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', baseUrl);
    counters.requests += 1;
    const fault = pending.shift();
    if (fault) {
      counters.faults += 1;
      if (fault.type === 'latency') await new Promise((r) => setTimeout(r, fault.ms));
      if (fault.type === 'reset') return void req.socket.destroy();
      if (fault.type === 'status')
        return json(
          res,
          fault.status,
          error(fault.status === 429 ? 2001 : 25001, fault.status === 429 ? 'Too many requests.' : 'A system error has occurred.'),
          fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {},
        );
    }
    const count = (op: string) => void (counters.byOperation[op] = (counters.byOperation[op] ?? 0) + 1);

    // https://developer.ebay.com/api-docs/static/oauth-refresh-token-request.html
    if (req.method === 'POST' && url.pathname === '/identity/v1/oauth2/token') {
      count('token');
      const form = new URLSearchParams(text);
      if (req.headers.authorization !== `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`)
        return json(res, 401, { error: 'invalid_client', error_description: 'client authentication failed' });
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== refreshToken)
        return json(res, 400, { error: 'invalid_grant', error_description: 'the provided authorization refresh token is invalid' });
      const token = `v^1.1#sim-access-${randomUUID()}`;
      tokens.set(token, now() + sim.tokenLifetimeSec * 1000);
      counters.tokensIssued += 1;
      return json(res, 200, { access_token: token, expires_in: sim.tokenLifetimeSec, token_type: 'User Access Token' });
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || (tokens.get(bearer) ?? 0) <= now()) {
      counters.unauthorized += 1;
      return json(res, 401, error(1001, 'Invalid access token. Check the value of the Authorization HTTP request header.'));
    }
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const route = `${req.method} ${url.pathname}`;
    const orderMatch = /^\/sell\/fulfillment\/v1\/order\/([^/]+)(\/shipping_fulfillment)?$/.exec(url.pathname);

    if (route === 'GET /sell/fulfillment/v1/order') return (count('getOrders'), getOrders(url, res));
    if (orderMatch) {
      const order = store.order(decodeURIComponent(orderMatch[1]!));
      if (!order) return json(res, 404, error(32100, 'Invalid order ID'));
      if (!orderMatch[2] && req.method === 'GET') return (count('getOrder'), json(res, 200, store.render(order)));
      if (req.method === 'GET')
        return (
          count('getShippingFulfillments'),
          json(res, 200, {
            total: order.fulfillments.length,
            fulfillments: order.fulfillments.map((f) => ({
              fulfillmentId: f.fulfillmentId,
              shipmentTrackingNumber: f.trackingNumber,
              shippingCarrierCode: f.carrier,
              shippedDate: f.shippedDate,
              lineItems: f.lineItems,
            })),
          })
        );
      if (req.method === 'POST') {
        count('createShippingFulfillment');
        const input = body as { lineItems?: { lineItemId: string }[]; trackingNumber?: string; shippingCarrierCode?: string; shippedDate?: string };
        if (!input.lineItems?.length || input.lineItems.some((li) => !order.lines.some((l) => l.lineItemId === li.lineItemId)))
          return json(res, 400, error(32600, 'Invalid line item ID'));
        const fulfillmentId = input.trackingNumber ?? randomUUID();
        order.fulfillments.push({
          fulfillmentId,
          trackingNumber: input.trackingNumber ?? '',
          carrier: input.shippingCarrierCode ?? '',
          shippedDate: input.shippedDate ?? new Date(now()).toISOString(),
          lineItems: input.lineItems,
        });
        order.modifiedAt = now();
        return json(res, 201, undefined, { Location: `${baseUrl}/sell/fulfillment/v1/order/${order.orderId}/shipping_fulfillment/${fulfillmentId}` });
      }
    }
    if (route === 'POST /sell/inventory/v1/bulk_update_price_quantity') {
      count('bulkUpdatePriceQuantity');
      const requests = (body['requests'] ?? []) as {
        sku?: string;
        shipToLocationAvailability?: { quantity?: number };
        offers?: { offerId: string; availableQuantity?: number }[];
      }[];
      if (requests.length === 0 || requests.length > 25) return json(res, 400, error(25709, 'Invalid value for requests: between 1 and 25 allowed'));
      type Entry = { statusCode: number; sku?: string | null; offerId?: string; errors?: { errorId: number; message: string; category: string }[] };
      const responses = requests.flatMap((r): Entry[] => {
        const listing = r.sku ? store.listing(r.sku) : undefined;
        if (!listing)
          return [{ statusCode: 400, sku: r.sku, errors: [{ errorId: 25702, message: `SKU ${r.sku} is not available in the system`, category: 'REQUEST' }] }];
        const quantity = r.offers?.[0]?.availableQuantity ?? r.shipToLocationAvailability?.quantity ?? listing.quantity;
        store.revise(listing, quantity);
        counters.itemsSet += 1;
        return [{ statusCode: 200, sku: listing.sku }, ...(r.offers ?? []).map((o) => ({ statusCode: 200, sku: listing.sku, offerId: o.offerId }))];
      });
      return json(res, responses.every((r) => r.statusCode === 200) ? 200 : 207, { responses });
    }
    if (route === 'GET /sell/inventory/v1/inventory_item') {
      count('getInventoryItems');
      const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 100));
      const page = Number(url.searchParams.get('offset') ?? 0);
      const items = store.listings.filter((l) => l.sku !== null);
      const slice = items.slice(page * limit, (page + 1) * limit);
      const size = Math.ceil(items.length / limit);
      return json(res, 200, {
        href: url.toString(),
        total: items.length,
        size,
        limit,
        ...(page + 1 < size ? { next: `${baseUrl}/sell/inventory/v1/inventory_item?limit=${limit}&offset=${page + 1}` } : {}),
        inventoryItems: slice.map((l) => ({
          sku: l.sku,
          locale: 'en_US',
          condition: 'NEW',
          availability: { shipToLocationAvailability: { quantity: l.quantity } },
          product: { title: l.title },
        })),
      });
    }
    if (route === 'POST /sell/inventory/v1/bulk_get_inventory_item') {
      count('bulkGetInventoryItem');
      const requests = (body['requests'] ?? []) as { sku: string }[];
      return json(res, 200, {
        responses: requests.map(({ sku }) => {
          const l = store.listing(sku);
          return l
            ? { statusCode: 200, sku, inventoryItem: { availability: { shipToLocationAvailability: { quantity: l.quantity } } } }
            : { statusCode: 404, sku, errors: [{ errorId: 25702, message: `SKU ${sku} is not available in the system` }] };
        }),
      });
    }
    return json(res, 404, error(2002, 'Resource not found'));
  }

  // https://developer.ebay.com/api-docs/sell/fulfillment/resources/order/methods/getOrders
  function getOrders(url: URL, res: ServerResponse) {
    const ids = url.searchParams.get('orderIds');
    if (ids) {
      const orders = ids
        .split(',')
        .map((id) => store.order(id))
        .filter((o) => o !== undefined);
      return json(res, 200, { href: url.toString(), total: orders.length, orders: orders.map((o) => store.render(o)) });
    }
    const window = /^lastmodifieddate:\[(.*?)\.\.(.*?)\]$/.exec(url.searchParams.get('filter') ?? '');
    if (url.searchParams.has('filter') && !window) return json(res, 400, error(30850, 'The filter is invalid'));
    const from = window?.[1] ? Date.parse(window[1]) : -Infinity;
    const to = window?.[2] ? Date.parse(window[2]) : Infinity;
    const limit = Number(url.searchParams.get('limit') ?? 50);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const matching = store.orders.filter((o) => o.modifiedAt >= from && o.modifiedAt <= to).sort((a, b) => b.createdAt - a.createdAt);
    const page = matching.slice(offset, offset + limit);
    const link = (o: number) => {
      const u = new URL(url.toString());
      u.searchParams.set('offset', String(o));
      return u.toString();
    };
    return json(res, 200, {
      href: url.toString(),
      total: matching.length,
      limit,
      offset,
      ...(offset + limit < matching.length ? { next: link(offset + limit) } : {}),
      orders: page.map((o) => store.render(o)),
    });
  }

  const server = createServer((req, res) => void handle(req, res).catch((err: unknown) => json(res, 500, error(25001, `simulator error: ${String(err)}`))));
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(sim, {
    url: baseUrl,
    clientId,
    clientSecret,
    refreshToken,
    store,
    counters,
    faults: { next: (n: number, f: EbaySimFault) => void pending.push(...Array.from({ length: n }, () => f)), clear: () => void pending.splice(0) },
    revokeTokens: () => tokens.clear(),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  });
}
