import { sleepOf } from '../http/transport.js';
import { type ClientDeps, type ConnectorClient, type Normalizer, type WebhookSpec, defineConnector } from '../types.js';
import { createShopifyClient } from './client.js';
import { SHOPIFY_DEFAULT_API_VERSION, type ShopifyConfig, ShopifyConfigSchema } from './config.js';
import { normalizeFulfillmentCreate } from './inbound/fulfillments-create.js';
import { normalizeInventoryLevelUpdate } from './inbound/inventory-levels-update.js';
import { normalizeOrderCancelled, normalizeOrderUpsert } from './inbound/orders.js';
import { normalizeProductUpsert } from './inbound/products-upsert.js';
import { normalizeRefundCreate } from './inbound/refunds-create.js';
import { createFulfillment } from './outbound/create-fulfillment.js';
import { pushAvailability } from './outbound/push-availability.js';
import { pollOrdersSince } from './poll.js';
import { listShopifyOrders, readShopifyOrders } from './reconcile/orders.js';
import { readShopifyStockLevels } from './reconcile/stock-levels.js';
import { checkShopify, readShopifyCatalog, registerShopifyWebhooks } from './setup.js';
import { shopifyVersionWarnings } from './versions.js';
import { verifyShopifyWebhook } from './verify.js';

export { shopifyVersionWarnings } from './versions.js';

/** Verification and one normalizer per subscribed topic. */
export const shopifyWebhooks: WebhookSpec<ShopifyConfig> & { topics: Record<ShopifyTopic, Normalizer<ShopifyConfig>> } = {
  signatureHeaders: ['x-shopify-hmac-sha256'],
  verify: verifyShopifyWebhook,
  topics: {
    'orders/create': normalizeOrderUpsert('orders/create'),
    'orders/updated': normalizeOrderUpsert('orders/updated'),
    'orders/cancelled': normalizeOrderCancelled,
    'fulfillments/create': normalizeFulfillmentCreate,
    'refunds/create': normalizeRefundCreate,
    'inventory_levels/update': normalizeInventoryLevelUpdate,
    'products/create': normalizeProductUpsert('products/create'),
    'products/update': normalizeProductUpsert('products/update'),
  },
  keys: shopifyBusinessKeys,
};

/** Order id, number and name of order payloads, the order id of refunds and fulfillments, line SKUs. */
function shopifyBusinessKeys(topic: string, body: unknown): { orderKeys: string[]; skus: string[] } {
  const b = (body ?? {}) as Record<string, unknown>;
  const orderKeys: unknown[] = topic.startsWith('orders/') ? [b['id'], b['name'], b['order_number']] : [b['order_id']];
  const lines = [...((b['line_items'] as unknown[]) ?? []), ...((b['refund_line_items'] as { line_item?: unknown }[]) ?? []).map((r) => r.line_item)];
  const skus = lines.map((l) => (l as { sku?: unknown } | null)?.sku);
  const strings = (values: unknown[]) =>
    values
      .filter((v) => typeof v === 'string' || typeof v === 'number')
      .map(String)
      .filter((v) => v !== '');
  return { orderKeys: strings(orderKeys), skus: strings(skus) };
}

/** The webhook topics to subscribe to. */
export const SHOPIFY_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/cancelled',
  'fulfillments/create',
  'refunds/create',
  'inventory_levels/update',
  'products/create',
  'products/update',
] as const;
export type ShopifyTopic = (typeof SHOPIFY_TOPICS)[number];

/** What a Shopify instance can do at run time. */
export type ShopifyConnectorClient = Required<
  Pick<
    ConnectorClient,
    | 'pushAvailability'
    | 'pushFulfillment'
    | 'pollOrders'
    | 'readStockLevels'
    | 'listOrders'
    | 'readOrders'
    | 'stats'
    | 'check'
    | 'readCatalog'
    | 'registerWebhooks'
  >
>;

/** The run-time client of one instance: pushes, backfill and reconciliation reads over one GraphQL client (one cost bucket). */
export function createShopifyConnectorClient(config: ShopifyConfig & { id: string }, deps: ClientDeps): ShopifyConnectorClient {
  const client = createShopifyClient(config, deps);
  const bulk = {
    sleep: sleepOf(deps),
    now: deps.now ?? Date.now,
    requestTimeoutMs: config.settings.requestTimeoutMs,
  };
  return {
    pushAvailability: (updates) => pushAvailability(client, config.settings, config.id, updates),
    pushFulfillment: (shipment, externalIds) => createFulfillment(client, config.settings, config.id, shipment, externalIds),
    pollOrders: (cursor) => pollOrdersSince(client, cursor, deps.now),
    stats: () => ({ throttleWaitMs: client.stats.throttleWaitMs, throttledResponses: client.stats.throttledResponses }),
    readStockLevels: (filter) => readShopifyStockLevels(client, config.settings, config.id, bulk, filter),
    listOrders: (window) => listShopifyOrders(client, window),
    readOrders: (ids) => readShopifyOrders(client, ids),
    check: () => checkShopify(client, config.id),
    readCatalog: () => readShopifyCatalog(client, config.id, bulk),
    registerWebhooks: (uri, topics) => registerShopifyWebhooks(client, uri, topics),
  };
}

/**
 * Shopify storefront: signed webhooks in, GraphQL Admin API out.
 * - Webhooks: subscribe to SHOPIFY_TOPICS with the app whose client secret is
 *   `credentials.webhookSecret`, at `POST /webhooks/<connectorId>`.
 * - Client: pushAvailability (inventorySetQuantities), pushFulfillment (fulfillmentCreate),
 *   pollOrders (orders updated since a cursor, for backfill), and for reconciliation
 *   readStockLevels (a bulk export of inventory items, or `nodes` by id), listOrders and readOrders.
 */
export const shopifyConnector = defineConnector({
  type: 'shopify',
  category: 'storefront',
  displayName: 'Shopify',
  version: '0.2.0',
  configSchema: ShopifyConfigSchema,
  capabilities: ['webhooks', 'poll', 'push.availability', 'push.fulfillment', 'reconcile.inventory', 'reconcile.orders'],
  externalIdKeys: ['variantId', 'inventoryItemId'],
  // A coarse request rate for the outbound queue; the client's cost bucket enforces the real
  // GraphQL limit (points per second, read from every response).
  // https://shopify.dev/docs/api/usage/limits#graphql-admin-api-rate-limits
  rateLimit: { max: 2, durationMs: 1000, retryAfterHeaders: ['retry-after'] },
  // inventorySetQuantities takes up to 250 quantities per call.
  pushBatchSize: 250,
  webhooks: shopifyWebhooks,
  createClient: createShopifyConnectorClient,
  // An API version outside Shopify's support window (quarterly releases, 12 months each).
  warnings: (config, now) =>
    shopifyVersionWarnings({ id: config.id, settings: { apiVersion: config.settings.apiVersion ?? SHOPIFY_DEFAULT_API_VERSION } }, now),
});
