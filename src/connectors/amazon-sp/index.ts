import { HubError } from '../../core/errors.js';
import { sleepOf } from '../http/transport.js';
import { type ClientDeps, type ConnectorClient, type Normalizer, type WebhookSpec, defineConnector } from '../types.js';
import { createAmazonClient } from './client.js';
import { type AmazonSpConfig, AmazonSpConfigSchema } from './config.js';
import { ORDER_CHANGE_TOPIC, normalizeOrderChange } from './inbound/order-change.js';
import { ORDERS_TOPIC, normalizeOrdersPage } from './inbound/orders.js';
import { confirmShipment } from './outbound/confirm-shipment.js';
import { pushAvailability } from './outbound/push-availability.js';
import { pollAmazonOrders } from './poll.js';
import { listAmazonOrders, readAmazonOrders, readAmazonStockLevels } from './reconcile.js';
import { ItemSearchResultsSchema } from './shapes.js';
import { RELAY_SIGNATURE_HEADERS, unwrapNotification, verifyAmazonRelay } from './verify.js';

type Settings = Pick<AmazonSpConfig, 'settings'>;

/** Relay verification and the two topics: polled order pages and ORDER_CHANGE notifications. */
export const amazonSpWebhooks: WebhookSpec<AmazonSpConfig> & { topics: Record<string, Normalizer<Settings>> } = {
  verify: (request, config) => verifyAmazonRelay(request, config),
  topics: { [ORDERS_TOPIC]: normalizeOrdersPage, [ORDER_CHANGE_TOPIC]: normalizeOrderChange },
  signatureHeaders: RELAY_SIGNATURE_HEADERS,
  keys: amazonBusinessKeys,
};

/** Order ids and seller SKUs of a raw payload, so a delivery that failed early can be found in the dead-letter queue. */
function amazonBusinessKeys(topic: string, body: unknown): { orderKeys: string[]; skus: string[] } {
  const strings = (values: unknown[]) => [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))];
  if (topic === ORDER_CHANGE_TOPIC) {
    const change = (
      unwrapNotification(body)?.['Payload'] as
        { OrderChangeNotification?: { AmazonOrderId?: unknown; Summary?: { OrderItems?: { SellerSKU?: unknown }[] } } } | undefined
    )?.OrderChangeNotification;
    return { orderKeys: strings([change?.AmazonOrderId]), skus: strings((change?.Summary?.OrderItems ?? []).map((i) => i?.SellerSKU)) };
  }
  const page = (body ?? {}) as {
    orders?: { payload?: { Orders?: { AmazonOrderId?: unknown }[] } };
    orderItems?: Record<string, { payload?: { OrderItems?: { SellerSKU?: unknown }[] } }>;
  };
  const orderKeys = strings((page.orders?.payload?.Orders ?? []).map((o) => o?.AmazonOrderId));
  const skus = strings(Object.values(page.orderItems ?? {}).flatMap((r) => (r?.payload?.OrderItems ?? []).map((i) => i?.SellerSKU)));
  return { orderKeys, skus };
}

export type AmazonSpConnectorClient = Required<
  Pick<ConnectorClient, 'pushAvailability' | 'pushFulfillment' | 'pollOrders' | 'readStockLevels' | 'listOrders' | 'readOrders' | 'stats' | 'check'>
>;

/** The run-time client of one instance: every call goes through one SP-API client (one token, one set of buckets). */
export function createAmazonSpConnectorClient(config: AmazonSpConfig & { id: string }, deps: ClientDeps): AmazonSpConnectorClient {
  const client = createAmazonClient(config, deps);
  const now = deps.now ?? Date.now;
  const sleep = sleepOf(deps);
  const { settings } = config;
  return {
    pushAvailability: (updates) => pushAvailability(client, settings, config.id, updates, { now, sleep }),
    pushFulfillment: (shipment) => confirmShipment(client, settings, config.id, shipment),
    pollOrders: (cursor) => pollAmazonOrders(client, settings, cursor, now),
    readStockLevels: (filter) => readAmazonStockLevels(client, settings, filter),
    listOrders: (window) => listAmazonOrders(client, settings, window),
    readOrders: (ids) => readAmazonOrders(client, settings, ids),
    stats: () => ({ throttleWaitMs: client.stats.throttleWaitMs, throttledResponses: client.stats.throttledResponses }),
    check: async () => {
      try {
        const page = await client.call({
          operation: 'searchListingsItems',
          method: 'GET',
          path: `/listings/2021-08-01/items/${encodeURIComponent(settings.sellerId)}`,
          query: { marketplaceIds: settings.marketplaceId, pageSize: '1' },
          response: ItemSearchResultsSchema,
          idempotent: true,
        });
        return { ok: true, message: `token exchanged; seller ${settings.sellerId} has ${page.numberOfResults} listing(s) in ${settings.marketplaceId}` };
      } catch (err) {
        return { ok: false, message: err instanceof HubError ? `${err.code}: ${err.message}` : String(err) };
      }
    },
  };
}

/**
 * Amazon Selling Partner API marketplace connector.
 * - Orders: `pollOrders` (getOrders by LastUpdatedAfter + getOrderItems per order, topic `orders`),
 *   and ORDER_CHANGE notifications forwarded by a signed relay to `POST /webhooks/<connectorId>`
 *   (see verify.ts), deduplicated on NotificationMetadata.NotificationId.
 * - Stock: patchListingsItem per SKU for a few SKUs, one JSON_LISTINGS_FEED for many.
 * - Shipments: confirmShipment with tracking.
 * - Reconciliation: searchListingsItems (stock), getOrders (orders).
 */
export const amazonSpConnector = defineConnector({
  type: 'amazon-sp',
  category: 'marketplace',
  displayName: 'Amazon (Selling Partner API)',
  version: '0.1.0',
  configSchema: AmazonSpConfigSchema,
  capabilities: ['webhooks', 'poll', 'push.availability', 'push.fulfillment', 'reconcile.inventory', 'reconcile.orders'],
  discover: () => ['webhooks', 'poll', 'push.availability', 'push.fulfillment', 'reconcile.inventory', 'reconcile.orders'],
  externalIdKeys: ['sellerSku', 'asin'],
  // The outbound queue's pace: patchListingsItem's 5 requests per second. The client keeps one
  // token bucket per operation at its documented rate and burst (rate-limits.ts).
  // https://developer-docs.amazon.com/sp-api/docs/listings-items-api-rate-limits
  rateLimit: { max: 5, durationMs: 1000, retryAfterHeaders: ['retry-after'] },
  // A JSON_LISTINGS_FEED carries up to 25,000 messages; smaller pushes use patchListingsItem.
  pushBatchSize: 25_000,
  budgets: [
    {
      name: 'json-listings-feeds',
      // "five feed submissions per five minutes" per region for JSON_LISTINGS_FEED.
      max: 5,
      windowMs: 5 * 60_000,
      per: 'connector',
      operation: 'feed.JSON_LISTINGS_FEED',
      doc: 'https://developer-docs.amazon.com/sp-api/changelog/update-feed-size-and-rate-limit-changes-for-the-json_listings_feed',
    },
  ],
  // Pushes above feedThreshold SKUs are one JSON_LISTINGS_FEED: the hub sends one only while the feed budget lasts.
  bulkPush: { budget: 'json-listings-feeds', threshold: (config) => config.settings.feedThreshold },
  webhooks: amazonSpWebhooks,
  createClient: createAmazonSpConnectorClient,
});
