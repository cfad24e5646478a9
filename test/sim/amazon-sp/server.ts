import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AmazonStore, type SimOrder } from './store.js';

/** A fault applied to the next SP-API requests (not the token endpoint). */
export type SimFault = { type: 'status'; status: number; retryAfter?: string } | { type: 'latency'; ms: number };

export interface AmazonSimulatorOptions {
  sellerId?: string;
  marketplaceId?: string;
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  /** Lifetime of issued access tokens in seconds (Amazon: 3,600). */
  tokenTtlSeconds?: number;
  /** Rate reported in `x-amzn-RateLimit-Limit` (default: none, so the client keeps the documented rates). */
  rateLimitHeader?: string;
  /** Feeds stay IN_PROGRESS for this many getFeed calls before DONE. */
  feedPolls?: number;
}

export interface AmazonSimCounters {
  requests: number;
  byOperation: Record<string, number>;
  tokensIssued: number;
  unauthorized: number;
  faults: number;
}

export interface AmazonSimulator {
  url: string;
  sellerId: string;
  marketplaceId: string;
  credentials: { clientId: string; clientSecret: string; refreshToken: string };
  store: AmazonStore;
  counters: AmazonSimCounters;
  /** Confirmed shipments, as posted to confirmShipment. */
  shipments: { orderId: string; body: unknown }[];
  faults: { next(count: number, fault: SimFault): void; clear(): void };
  close(): Promise<void>;
}

/**
 * A local SP-API: the LWA token endpoint (`POST /auth/o2/token`), Orders v0 (getOrders with
 * LastUpdatedAfter/NextToken/AmazonOrderIds, getOrderItems, confirmShipment), Listings Items
 * 2021-08-01 (patchListingsItem, searchListingsItems) and Feeds 2021-06-30 with its presigned
 * document URLs, in the documented shapes; the access token is checked on every call. Listens on
 * 127.0.0.1 on an ephemeral port.
 */
export async function startAmazonSimulator(options: AmazonSimulatorOptions = {}): Promise<AmazonSimulator> {
  const sellerId = options.sellerId ?? 'A3SIMSELLER01';
  const marketplaceId = options.marketplaceId ?? 'ATVPDKIKX0DER';
  const credentials = {
    clientId: options.clientId ?? 'amzn1.application-oa2-client.sim',
    clientSecret: options.clientSecret ?? `sim-secret-${randomUUID()}`,
    refreshToken: options.refreshToken ?? `Atzr|sim-${randomUUID()}`,
  };
  const store = new AmazonStore(marketplaceId);
  const tokens = new Map<string, number>();
  const counters: AmazonSimCounters = { requests: 0, byOperation: {}, tokensIssued: 0, unauthorized: 0, faults: 0 };
  const shipments: { orderId: string; body: unknown }[] = [];
  const pending: SimFault[] = [];
  const documents = new Map<string, string>();
  const feeds = new Map<string, { polls: number; input: string; result?: string }>();
  const nextTokens = new Map<string, SimOrder[]>();
  const sockets = new Set<Socket>();
  let base = '';

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'x-amzn-RequestId': randomUUID(),
      ...(options.rateLimitHeader ? { 'x-amzn-RateLimit-Limit': options.rateLimitHeader } : {}),
      ...headers,
    });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: string, message: string) => send(res, status, { errors: [{ code, message }] });
  const count = (op: string) => void (counters.byOperation[op] = (counters.byOperation[op] ?? 0) + 1);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname;
    const q = url.searchParams;
    // https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api#step-1-request-a-login-with-amazon-access-token
    if (req.method === 'POST' && path === '/auth/o2/token') {
      const form = new URLSearchParams(text);
      if (
        form.get('grant_type') !== 'refresh_token' ||
        form.get('client_id') !== credentials.clientId ||
        form.get('client_secret') !== credentials.clientSecret ||
        form.get('refresh_token') !== credentials.refreshToken
      ) {
        return send(res, 400, { error: 'invalid_grant', error_description: 'The request has an invalid grant parameter : refresh_token' });
      }
      const token = `Atza|sim-${randomUUID()}`;
      const ttl = options.tokenTtlSeconds ?? 3600;
      tokens.set(token, Date.now() + ttl * 1000);
      counters.tokensIssued += 1;
      return send(res, 200, { access_token: token, token_type: 'bearer', expires_in: ttl });
    }
    // Presigned document URLs: no SP-API token, as on S3.
    const doc = /^\/documents-store\/([\w-]+)$/.exec(path);
    if (doc) {
      if (req.method === 'PUT') return void (documents.set(doc[1]!, text), res.writeHead(200).end());
      const content = documents.get(doc[1]!);
      return content === undefined ? send(res, 404) : void res.writeHead(200, { 'Content-Type': 'application/json' }).end(content);
    }
    counters.requests += 1;
    const token = req.headers['x-amz-access-token'];
    const expiry = typeof token === 'string' ? tokens.get(token) : undefined;
    if (expiry === undefined || expiry <= Date.now()) {
      counters.unauthorized += 1;
      return send(res, 403, {
        errors: [
          {
            code: 'Unauthorized',
            message: 'Access to requested resource is denied.',
            details: expiry === undefined ? 'The access token you provided is revoked, malformed or invalid.' : 'The access token you provided has expired.',
          },
        ],
      });
    }
    const fault = pending.shift();
    if (fault) counters.faults += 1;
    if (fault?.type === 'latency') await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.type === 'status') {
      return send(
        res,
        fault.status,
        {
          errors: [
            {
              code: fault.status === 429 ? 'QuotaExceeded' : 'InternalFailure',
              message: fault.status === 429 ? 'You exceeded your quota for the requested resource.' : 'We encountered an internal error.',
            },
          ],
        },
        fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {},
      );
    }
    return route(req.method ?? 'GET', path, q, text, res);
  }

  function route(method: string, path: string, q: URLSearchParams, text: string, res: ServerResponse): void {
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/orders/v0/orders') {
      count('getOrders');
      const token = q.get('NextToken');
      let matches: SimOrder[];
      if (token) {
        const rest = nextTokens.get(token);
        if (!rest) return error(res, 400, 'InvalidInput', 'Invalid NextToken');
        matches = rest;
      } else {
        const after = Date.parse(q.get('LastUpdatedAfter') ?? '1970-01-01T00:00:00Z');
        const before = q.get('LastUpdatedBefore') ? Date.parse(q.get('LastUpdatedBefore')!) : Infinity;
        const ids = q.get('AmazonOrderIds')?.split(',');
        matches = [...store.orders.values()].filter((o) =>
          ids ? ids.includes(o.AmazonOrderId) : Date.parse(o.LastUpdateDate) >= after && Date.parse(o.LastUpdateDate) <= before,
        );
      }
      const size = Number(q.get('MaxResultsPerPage') ?? 100) || 100;
      const next = matches.length > size ? randomUUID() : undefined;
      if (next) nextTokens.set(next, matches.slice(size));
      return send(res, 200, {
        payload: { Orders: matches.slice(0, size).map(({ items: _i, shipments: _s, ...o }) => o), ...(next ? { NextToken: next } : {}) },
      });
    }
    if (method === 'GET' && (m = /^\/orders\/v0\/orders\/([\w-]+)\/orderItems$/.exec(path))) {
      count('getOrderItems');
      const order = store.orders.get(m[1]!);
      return order
        ? send(res, 200, { payload: { AmazonOrderId: order.AmazonOrderId, OrderItems: order.items } })
        : error(res, 404, 'NotFound', 'Order not found');
    }
    if (method === 'POST' && (m = /^\/orders\/v0\/orders\/([\w-]+)\/shipmentConfirmation$/.exec(path))) {
      count('confirmShipment');
      const order = store.orders.get(m[1]!);
      if (!order) return error(res, 404, 'NotFound', 'Order not found');
      shipments.push({ orderId: order.AmazonOrderId, body: JSON.parse(text) });
      order.shipments.push(JSON.parse(text));
      order.OrderStatus = 'Shipped';
      order.LastUpdateDate = new Date().toISOString();
      return send(res, 204);
    }
    if ((m = /^\/listings\/2021-08-01\/items\/([\w-]+)(?:\/([^/]+))?$/.exec(path))) {
      if (m[1] !== sellerId) return error(res, 403, 'Unauthorized', 'Access to requested resource is denied.');
      if (method === 'PATCH' && m[2]) {
        count('patchListingsItem');
        const sku = decodeURIComponent(m[2]);
        const body = JSON.parse(text) as { patches: { value: { fulfillment_channel_code: string; quantity: number }[] }[] };
        const value = body.patches[0]?.value[0];
        if (!value || !store.setQuantity(sku, value.quantity, value.fulfillment_channel_code))
          return error(res, 404, 'NOT_FOUND', `Requested item '${sku}' not found`);
        return send(res, 200, { sku, status: 'ACCEPTED', submissionId: randomUUID(), issues: [] });
      }
      if (method === 'GET' && !m[2]) {
        count('searchListingsItems');
        const wanted = q.get('identifiers')?.split(',');
        const all = [...store.listings.values()].filter((l) => !wanted || wanted.includes(l.sku));
        const start = Number(q.get('pageToken') ?? 0);
        const size = Number(q.get('pageSize') ?? 10);
        const page = all.slice(start, start + size);
        return send(res, 200, {
          numberOfResults: all.length,
          ...(start + size < all.length ? { pagination: { nextToken: String(start + size) } } : {}),
          items: page.map((l) => ({
            sku: l.sku,
            summaries: [
              {
                marketplaceId,
                asin: l.asin,
                productType: l.productType,
                status: ['BUYABLE'],
                createdDate: '2026-01-01T00:00:00Z',
                lastUpdatedDate: '2026-01-01T00:00:00Z',
              },
            ],
            fulfillmentAvailability: Object.entries(l.quantities).map(([code, quantity]) => ({ fulfillmentChannelCode: code, quantity })),
          })),
        });
      }
    }
    return routeFeeds(method, path, text, res);
  }

  /** Feeds API 2021-06-30 with JSON_LISTINGS_FEED processing. https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-reference */
  function routeFeeds(method: string, path: string, text: string, res: ServerResponse): void {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/feeds/2021-06-30/documents') {
      count('createFeedDocument');
      const id = `amzn1.tortuga.4.na.${randomUUID()}`;
      return send(res, 201, { feedDocumentId: id, url: `${base}/documents-store/${id.replace(/\./g, '-')}` });
    }
    if (method === 'POST' && path === '/feeds/2021-06-30/feeds') {
      count('createFeed');
      const body = JSON.parse(text) as { inputFeedDocumentId: string };
      const feedId = String(Date.now()) + String(feeds.size);
      feeds.set(feedId, { polls: 0, input: body.inputFeedDocumentId.replace(/\./g, '-') });
      return send(res, 202, { feedId });
    }
    if (method === 'GET' && (m = /^\/feeds\/2021-06-30\/feeds\/(\w+)$/.exec(path))) {
      count('getFeed');
      const feed = feeds.get(m[1]!);
      if (!feed) return error(res, 404, 'NotFound', 'Feed not found');
      feed.polls += 1;
      if (feed.polls <= (options.feedPolls ?? 0))
        return send(res, 200, { feedId: m[1], feedType: 'JSON_LISTINGS_FEED', createdTime: new Date().toISOString(), processingStatus: 'IN_PROGRESS' });
      feed.result ??= processFeed(m[1]!, documents.get(feed.input) ?? '{}');
      return send(res, 200, {
        feedId: m[1],
        feedType: 'JSON_LISTINGS_FEED',
        createdTime: new Date().toISOString(),
        processingStatus: 'DONE',
        resultFeedDocumentId: feed.result,
      });
    }
    if (method === 'GET' && (m = /^\/feeds\/2021-06-30\/documents\/([\w.-]+)$/.exec(path))) {
      count('getFeedDocument');
      return send(res, 200, { feedDocumentId: m[1], url: `${base}/documents-store/${m[1]!.replace(/\./g, '-')}` });
    }
    return error(res, 404, 'NotFound', `no route for ${method} ${path}`);
  }

  /** Applies a listings feed and writes its processing report; a SKU without a listing is an ERROR. */
  function processFeed(feedId: string, input: string): string {
    const feed = JSON.parse(input) as {
      messages?: { messageId: number; sku: string; patches?: { value: { fulfillment_channel_code: string; quantity: number }[] }[] }[];
    };
    const issues = [];
    for (const message of feed.messages ?? []) {
      const value = message.patches?.[0]?.value[0];
      if (!value || !store.setQuantity(message.sku, value.quantity, value.fulfillment_channel_code)) {
        issues.push({
          messageId: message.messageId,
          sku: message.sku,
          code: '4000001',
          severity: 'ERROR',
          message: `The SKU '${message.sku}' does not match any listing.`,
        });
      }
    }
    const n = feed.messages?.length ?? 0;
    const id = `amzn1.tortuga.4.na.report-${feedId}`;
    documents.set(
      id.replace(/\./g, '-'),
      JSON.stringify({
        header: { sellerId, version: '2.0', feedId },
        issues,
        summary: { errors: issues.length, warnings: 0, messagesProcessed: n, messagesAccepted: n - issues.length, messagesInvalid: issues.length },
      }),
    );
    return id;
  }

  const server = createServer(
    (req, res) => void handle(req, res).catch((err: unknown) => send(res, 500, { errors: [{ code: 'InternalFailure', message: String(err) }] })),
  );
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    sellerId,
    marketplaceId,
    credentials,
    store,
    counters,
    shipments,
    faults: { next: (n, fault) => void pending.push(...Array.from({ length: n }, () => fault)), clear: () => void pending.splice(0) },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
