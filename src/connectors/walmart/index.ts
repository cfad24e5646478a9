import { InvalidSignatureError } from '../../core/errors.js';
import { sleepOf } from '../http/transport.js';
import { type ClientDeps, type ConnectorCapability, type ConnectorClient, type WebhookSpec, defineConnector } from '../types.js';
import { createWalmartClient } from './client.js';
import { type WalmartConfig, WalmartConfigSchema } from './config.js';
import { WALMART_ORDERS_TOPIC, normalizeOrdersPage } from './inbound/orders.js';
import { INVENTORY_FEED_DOC, INVENTORY_FEEDS_PER_HOUR } from './limits.js';
import { pushAvailability } from './outbound/push-availability.js';
import { shipOrder } from './outbound/ship-order.js';
import { pollWalmartOrders } from './poll.js';
import { listWalmartOrders, readWalmartOrders, readWalmartStockLevels } from './reconcile.js';

/**
 * Orders come by polling; the `orders` topic normalizes one getAllOrders page, for polled orders,
 * reconciliation backfill and `hub normalize walmart orders <file>`. Nothing is accepted over
 * HTTP: the connector subscribes to no Walmart notifications, so any delivery is refused.
 */
export const walmartWebhooks: WebhookSpec<WalmartConfig> = {
  verify: () => {
    throw new InvalidSignatureError('walmart: this connector takes no webhooks (orders are polled)');
  },
  topics: { [WALMART_ORDERS_TOPIC]: normalizeOrdersPage },
  keys: walmartBusinessKeys,
};

/** Purchase and customer order ids and line SKUs of a getAllOrders page, for the dead-letter search. */
function walmartBusinessKeys(_topic: string, body: unknown): { orderKeys: string[]; skus: string[] } {
  const orders = ((body as { list?: { elements?: { order?: unknown } } })?.list?.elements?.order ?? []) as Record<string, unknown>[];
  const strings = (values: unknown[]) => values.filter((v): v is string => typeof v === 'string' && v !== '');
  if (!Array.isArray(orders)) return { orderKeys: [], skus: [] };
  const lines = orders.flatMap((o) => ((o?.['orderLines'] as { orderLine?: unknown[] })?.orderLine ?? []) as { item?: { sku?: unknown } }[]);
  return { orderKeys: strings(orders.flatMap((o) => [o?.['purchaseOrderId'], o?.['customerOrderId']])), skus: strings(lines.map((l) => l?.item?.sku)) };
}

export type WalmartConnectorClient = Required<
  Pick<ConnectorClient, 'pushAvailability' | 'pushFulfillment' | 'pollOrders' | 'readStockLevels' | 'listOrders' | 'readOrders' | 'check' | 'stats'>
>;

/** The run-time client of one instance: every call goes through one HTTP client (one token, one set of buckets). */
export function createWalmartConnectorClient(config: WalmartConfig & { id: string }, deps: ClientDeps): WalmartConnectorClient {
  const client = createWalmartClient(config, deps);
  const now = deps.now ?? Date.now;
  const sleep = sleepOf(deps);
  const push = { client, settings: config.settings, connectorId: config.id, logger: deps.logger, now, sleep };
  return {
    pushAvailability: (updates) => pushAvailability(push, updates),
    pushFulfillment: (shipment, externalIds) => shipOrder(client, config.settings, config.id, shipment, externalIds),
    pollOrders: (cursor) => pollWalmartOrders(client, config.settings, cursor, { now, logger: deps.logger, connectorId: config.id }),
    readStockLevels: (filter) => readWalmartStockLevels(client, config.settings, filter),
    listOrders: (window) => listWalmartOrders(client, window),
    readOrders: (ids) => readWalmartOrders(client, ids),
    stats: () => ({ throttleWaitMs: client.stats.throttleWaitMs, throttledResponses: client.stats.throttledResponses }),
    check: async () => {
      try {
        await client.accessToken();
        const first = await listWalmartOrders(client, { since: new Date(now() - 60 * 60 * 1000).toISOString() })
          [Symbol.asyncIterator]()
          .next();
        return { ok: true, message: `token issued; orders readable (${first.done ? 0 : first.value.length} modified in the last hour)` };
      } catch (err) {
        return { ok: false, message: (err as Error).message };
      }
    },
  };
}

const WALMART_CAPABILITIES: ConnectorCapability[] = ['poll', 'push.availability', 'push.fulfillment', 'reconcile.inventory', 'reconcile.orders'];

/**
 * Walmart Marketplace (US, v3 APIs): orders polled and acknowledged, stock pushed, shipments
 * confirmed with tracking.
 * - Auth: client credentials → 15-minute access token (`WM_SEC.ACCESS_TOKEN`).
 * - pollOrders: getAllOrders by lastModifiedStartDate; new purchase orders acknowledged.
 * - pushAvailability: single-item inventory updates for a few SKUs, the bulk inventory feed
 *   (10 an hour) for more, with per-SKU results read back.
 * - pushFulfillment: shippingUpdates with tracking.
 * - Reconciliation: inventories across ship nodes; orders by modification window and by id.
 */
export const walmartConnector = defineConnector({
  type: 'walmart',
  category: 'marketplace',
  displayName: 'Walmart Marketplace',
  version: '0.1.0',
  configSchema: WalmartConfigSchema,
  capabilities: WALMART_CAPABILITIES,
  // Every instance can do all of it: seller credentials reach every API the connector uses.
  discover: (): ConnectorCapability[] => [...WALMART_CAPABILITIES],
  externalIdKeys: ['sellerSku'],
  budgets: [
    {
      name: 'inventory-feeds',
      max: INVENTORY_FEEDS_PER_HOUR,
      windowMs: 60 * 60 * 1000,
      per: 'connector',
      operation: 'walmart.inventory-feed',
      doc: INVENTORY_FEED_DOC,
    },
  ],
  // The outbound queue's coarse pace; each operation's own bucket (limits.ts) is the real limit.
  rateLimit: { max: 2, durationMs: 1000, retryAfterHeaders: ['retry-after'] },
  // One job becomes one feed above `singleUpdateMax` SKUs; feeds take up to 50K records, and
  // fewer, larger feeds spend less of the 10-an-hour budget.
  pushBatchSize: 1000,
  // Pushes above singleUpdateMax SKUs are one inventory feed: the hub sends one only while the feed budget lasts.
  bulkPush: { budget: 'inventory-feeds', threshold: (config) => config.settings.singleUpdateMax },
  webhooks: walmartWebhooks,
  createClient: createWalmartConnectorClient,
});
