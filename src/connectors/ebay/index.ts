import { InvalidSignatureError } from '../../core/errors.js';
import { type ClientDeps, type ConnectorCapability, type ConnectorClient, type WebhookSpec, defineConnector } from '../types.js';
import { createEbayClient } from './client.js';
import { type EbayConfig, EbayConfigSchema } from './config.js';
import { EBAY_ORDERS_PAGE_TOPIC, EBAY_ORDER_TOPIC, normalizeOrder, normalizeOrdersPage } from './inbound/orders.js';
import { createShippingFulfillment } from './outbound/create-fulfillment.js';
import { MAX_ITEMS_PER_CALL, pushAvailability } from './outbound/push-availability.js';
import { getOrdersPage, pollOrdersSince } from './poll.js';
import { listEbayOrders, readEbayOrders, readEbayStockLevels } from './reconcile.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Orders are polled, never pushed to the hub: the ingress refuses every delivery. The topics are the
 * normalizers of polled orders (`order`) and of a whole getOrders page (`orders`, for previews).
 */
export const ebayWebhooks: WebhookSpec<EbayConfig> = {
  verify: () => {
    throw new InvalidSignatureError('ebay: orders are polled from the Fulfillment API; this connector accepts no webhook deliveries');
  },
  topics: { [EBAY_ORDER_TOPIC]: normalizeOrder, [EBAY_ORDERS_PAGE_TOPIC]: normalizeOrdersPage },
  keys: (_topic, body) => {
    const b = (body ?? {}) as { orderId?: unknown; legacyOrderId?: unknown; orders?: unknown[]; lineItems?: { sku?: unknown; legacyItemId?: unknown }[] };
    const orders = Array.isArray(b.orders) ? (b.orders as (typeof b)[]) : [b];
    const strings = (values: unknown[]) => values.filter((v): v is string => typeof v === 'string' && v !== '');
    return {
      orderKeys: strings(orders.flatMap((o) => [o?.orderId, o?.legacyOrderId])),
      skus: strings(orders.flatMap((o) => (Array.isArray(o?.lineItems) ? o.lineItems.map((l) => l?.sku) : []))),
    };
  },
};

export type EbayConnectorClient = Required<
  Pick<ConnectorClient, 'pushAvailability' | 'pushFulfillment' | 'pollOrders' | 'readStockLevels' | 'listOrders' | 'readOrders' | 'stats' | 'check'>
>;

/** The run-time client of one instance: every call goes through one HTTP client (one token, one set of buckets). */
export function createEbayConnectorClient(config: EbayConfig & { id: string }, deps: ClientDeps): EbayConnectorClient {
  const client = createEbayClient(config, deps);
  const { settings } = config;
  return {
    pushAvailability: (updates) => pushAvailability(client, config.id, updates),
    pushFulfillment: (shipment, externalIds) => createShippingFulfillment(client, settings, config.id, shipment, externalIds),
    pollOrders: (cursor) => pollOrdersSince(client, settings, cursor, deps.now),
    readStockLevels: (filter) => readEbayStockLevels(client, settings, filter),
    listOrders: (window) => listEbayOrders(client, settings, window),
    readOrders: (ids) => readEbayOrders(client, ids),
    stats: () => ({ throttleWaitMs: client.stats.throttleWaitMs, throttledResponses: client.stats.throttledResponses }),
    check: async () => {
      try {
        await client.token();
        await getOrdersPage(client, { limit: 1 });
        return { ok: true, message: `${config.id}: refresh-token grant accepted; getOrders answered` };
      } catch (err) {
        return { ok: false, message: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}

/** What an instance can do with the scopes it asks for. https://developer.ebay.com/api-docs/static/oauth-scopes.html */
function discoverCapabilities(config: EbayConfig): ConnectorCapability[] {
  const has = (scope: string) => config.settings.scopes.some((s) => s.endsWith(`/sell.${scope}`));
  return [
    ...(has('fulfillment') ? (['poll', 'push.fulfillment', 'reconcile.orders'] as const) : []),
    ...(has('inventory') ? (['push.availability', 'reconcile.inventory'] as const) : []),
  ];
}

/**
 * eBay marketplace: orders polled from the Fulfillment API (getOrders on `lastmodifieddate`, offset
 * and limit), stock written with the Inventory API (bulkUpdatePriceQuantity, 25 items a call),
 * shipments sent back with createShippingFulfillment. OAuth user token from a refresh token.
 * Products store `externalIds.<instanceId>` keys `sku` (the eBay SKU, when it differs from the hub
 * SKU), `offerId` (the published offer to set too) and `legacyItemId` (how lines sold from legacy
 * listings without a SKU are mapped).
 */
export const ebayConnector = defineConnector({
  type: 'ebay',
  category: 'marketplace',
  displayName: 'eBay',
  version: '0.1.0',
  configSchema: EbayConfigSchema,
  capabilities: ['poll', 'push.availability', 'push.fulfillment', 'reconcile.inventory', 'reconcile.orders'],
  discover: discoverCapabilities,
  externalIdKeys: ['sku', 'offerId', 'legacyItemId'],
  // The Inventory API's default quota spread over the day (2,000,000 calls / 86,400 s ≈ 23/s).
  // https://developer.ebay.com/develop/api/sell/api_call_limits
  rateLimit: { max: 20, durationMs: 1000, retryAfterHeaders: ['retry-after'] },
  pushBatchSize: MAX_ITEMS_PER_CALL,
  budgets: [
    {
      name: 'listing-revisions',
      max: 250,
      windowMs: DAY_MS,
      per: 'sku',
      operation: 'push.availability',
      doc: 'https://developer.ebay.com/api-docs/sell/inventory/resources/inventory_item/methods/bulkUpdatePriceQuantity',
    },
    {
      name: 'inventory-api-calls',
      max: 2_000_000,
      windowMs: DAY_MS,
      per: 'connector',
      operation: 'push.availability',
      doc: 'https://developer.ebay.com/develop/api/sell/api_call_limits',
    },
    {
      name: 'fulfillment-api-calls',
      max: 100_000,
      windowMs: DAY_MS,
      per: 'connector',
      operation: 'push.fulfillment',
      doc: 'https://developer.ebay.com/develop/api/sell/api_call_limits',
    },
    {
      name: 'oauth-refresh-grants',
      max: 50_000,
      windowMs: DAY_MS,
      per: 'connector',
      operation: 'oauth.refresh',
      doc: 'https://developer.ebay.com/api-docs/static/oauth-rate-limits.html',
    },
  ],
  webhooks: ebayWebhooks,
  createClient: createEbayConnectorClient,
});
