import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BulkOperations } from './bulk.js';
import { SINGLE_QUERY_MAX_COST, ThrottleBucket, requestedCost } from './cost.js';
import { handleGraphql, type IdempotencyStore } from './graphql.js';
import { PayloadRenderer } from './payloads.js';
import { ShopifyStore } from './store.js';
import { AppInstallation } from './admin.js';
import { WebhookSender } from './webhooks.js';

/** A fault applied to the next matching Admin API requests. */
export type SimFault =
  | { type: 'status'; status: number; retryAfter?: string; body?: unknown }
  | { type: 'latency'; ms: number }
  | { type: 'timeout'; ms?: number }
  | { type: 'reset' }
  | { type: 'throttle' };

export interface ShopifySimulatorOptions {
  shopDomain?: string;
  apiVersion?: string;
  accessToken?: string;
  webhookSecret?: string;
  currency?: string;
  /** The shop's UTC offset in minutes, used in webhook timestamps (default -300, i.e. -05:00). */
  utcOffsetMinutes?: number;
  /**
   * Cost bucket (default 1,000 points refilled at 100 per second: the Standard plan's restore rate,
   * https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits).
   */
  bucket?: { maximumAvailable?: number; restoreRate?: number };
  /** Latency added to every Admin API response. */
  latencyMs?: number;
  /** Names of the locations to create (default one: "Main warehouse"). */
  locations?: string[];
}

export interface SimCounters {
  requests: number;
  byOperation: Record<string, number>;
  throttled: number;
  faults: number;
  unauthorized: number;
  /** Inventory quantities written by inventorySetQuantities. */
  itemsSet: number;
  fulfillmentsCreated: number;
  /** inventorySetQuantities calls refused because a compared quantity was stale. */
  staleRejected: number;
}

export interface ShopifySimulator {
  /** Base URL for `settings.baseUrl`. */
  url: string;
  shopDomain: string;
  apiVersion: string;
  accessToken: string;
  webhookSecret: string;
  store: ShopifyStore;
  webhooks: WebhookSender;
  /** The app's scopes and webhook subscriptions (webhookSubscriptionCreate subscribes the sender). */
  app: AppInstallation;
  /** Bulk query operations and their result files (`bulk.delayMs` makes them take time). */
  bulk: BulkOperations;
  bucket: ThrottleBucket;
  counters: SimCounters;
  faults: { next(count: number, fault: SimFault): void; clear(): void };
  setLatency(ms: number): void;
  /**
   * Runs `fn` once, right after the next read of inventory levels is answered and before any later
   * request: a sale or an edit that lands between a client's read and its write.
   */
  afterNextInventoryRead(fn: () => void): void;
  /** Every `available` inventorySetQuantities wrote, in order, per SKU. */
  writes: Map<string, number[]>;
  close(): Promise<void>;
}

/**
 * A local Shopify: the GraphQL Admin API subset the connector uses at
 * `<url>/admin/api/<version>/graphql.json` (X-Shopify-Access-Token required), Shopify's cost
 * throttle, fault injection, counters, and a webhook sender signing like Shopify.
 * Listens on 127.0.0.1 on an ephemeral port.
 */
export async function startShopifySimulator(options: ShopifySimulatorOptions = {}): Promise<ShopifySimulator> {
  const shopDomain = options.shopDomain ?? 'sim-shop.myshopify.com';
  const apiVersion = options.apiVersion ?? '2026-10';
  const accessToken = options.accessToken ?? `shpat_sim_${randomUUID().replace(/-/g, '')}`;
  const webhookSecret = options.webhookSecret ?? `sim-secret-${randomUUID()}`;
  const store = new ShopifyStore(Date.now, options.currency ?? 'USD');
  for (const name of options.locations ?? ['Main warehouse']) store.addLocation(name);
  const renderer = new PayloadRenderer(store, options.utcOffsetMinutes ?? -300);
  const webhooks = new WebhookSender({ secret: webhookSecret, shopDomain, apiVersion, renderer });
  store.onAction((action) => webhooks.onAction(action));
  const bulk = new BulkOperations(store);
  const app = new AppInstallation(webhooks, 'Simulated shop', shopDomain, () => store.id());
  let baseUrl = '';
  const bucket = new ThrottleBucket(options.bucket?.maximumAvailable ?? 1000, options.bucket?.restoreRate ?? 100);
  const counters: SimCounters = {
    requests: 0,
    byOperation: {},
    throttled: 0,
    faults: 0,
    unauthorized: 0,
    itemsSet: 0,
    fulfillmentsCreated: 0,
    staleRejected: 0,
  };
  const idempotency: IdempotencyStore = new Map();
  const writes = new Map<string, number[]>();
  const afterRead: (() => void)[] = [];
  const pending: SimFault[] = [];
  let latencyMs = options.latencyMs ?? 0;
  const sockets = new Set<Socket>();

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'X-Shopify-API-Version': apiVersion, 'X-Request-Id': randomUUID(), ...headers });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    // Bulk result files: signed storage links on Shopify, so no access token is asked for.
    const file = /^\/bulk\/(\d+)\.jsonl$/.exec(req.url ?? '');
    if (req.method === 'GET' && file) {
      const op = bulk.find(file[1] as string);
      if (!op || bulk.status(op) !== 'COMPLETED') return send(res, 404, { errors: 'Not Found' });
      return bulk.stream(op, res);
    }
    const match = /^\/admin\/api\/(\d{4}-\d{2}|unstable)\/graphql\.json$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return send(res, 404, { errors: 'Not Found' });
    counters.requests += 1;
    if (req.headers['x-shopify-access-token'] !== accessToken) {
      counters.unauthorized += 1;
      return send(res, 401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    }
    const fault = pending.shift();
    if (fault) counters.faults += 1;
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    if (fault?.type === 'latency') await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.type === 'reset') return void req.socket.destroy();
    if (fault?.type === 'timeout') return void setTimeout(() => req.socket.destroy(), fault.ms ?? 60_000).unref();
    if (fault?.type === 'status') {
      return send(
        res,
        fault.status,
        fault.body ?? { errors: fault.status === 429 ? 'Too Many Requests' : 'Internal Server Error' },
        fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {},
      );
    }
    let request: { query?: string; variables?: Record<string, unknown> };
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof request;
    } catch {
      return send(res, 400, { errors: 'Bad Request: body is not JSON' });
    }
    const query = request.query ?? '';
    const variables = request.variables ?? {};
    const cost = requestedCost(query, variables);
    if (cost > SINGLE_QUERY_MAX_COST) {
      return send(res, 200, {
        errors: [
          {
            message: `Query cost is ${cost}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).`,
            extensions: { code: 'MAX_COST_EXCEEDED', cost, maxCost: SINGLE_QUERY_MAX_COST },
          },
        ],
      });
    }
    if (fault?.type === 'throttle') bucket.configure({ currentlyAvailable: 0 });
    if (!bucket.take(cost)) {
      counters.throttled += 1;
      return send(res, 200, {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: bucket.status() } },
      });
    }
    const outcome = handleGraphql({ store, apiVersion: match[1] as string, bulk, baseUrl, idempotency, writes, app }, query, variables);
    if (outcome.staleRejected) counters.staleRejected += 1;
    if (outcome.inventoryRead) for (const fn of afterRead.splice(0)) fn();
    counters.byOperation[outcome.operation] = (counters.byOperation[outcome.operation] ?? 0) + 1;
    counters.itemsSet += outcome.itemsSet ?? 0;
    if (outcome.operation === 'fulfillmentCreate' && outcome.data && JSON.stringify(outcome.data).includes('gid://shopify/Fulfillment/'))
      counters.fulfillmentsCreated += 1;
    const actual = Math.min(cost, Math.max(1, countObjects(outcome.data)));
    bucket.refund(cost - actual);
    send(res, 200, {
      ...(outcome.data ? { data: outcome.data } : {}),
      ...(outcome.errors ? { errors: outcome.errors } : {}),
      extensions: { cost: { requestedQueryCost: cost, actualQueryCost: actual, throttleStatus: bucket.status() } },
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { errors: `simulator error: ${String(err)}` }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    afterNextInventoryRead: (fn) => void afterRead.push(fn),
    writes,
    url: `http://127.0.0.1:${port}`,
    shopDomain,
    apiVersion,
    accessToken,
    webhookSecret,
    store,
    webhooks,
    app,
    bulk,
    bucket,
    counters,
    faults: {
      next: (count, fault) => {
        for (let i = 0; i < count; i++) pending.push(fault);
      },
      clear: () => void pending.splice(0),
    },
    setLatency: (ms) => void (latencyMs = ms),
    close: async () => {
      await webhooks.idle();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Objects in a response: the simulator's stand-in for Shopify's actual query cost. */
function countObjects(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + countObjects(v), 0);
  if (value !== null && typeof value === 'object') return 1 + Object.values(value).reduce((sum: number, v) => sum + countObjects(v), 0);
  return 0;
}
