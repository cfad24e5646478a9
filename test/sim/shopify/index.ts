/**
 * The Shopify simulator, for the demo, benchmarks and end-to-end tests.
 *
 * ```ts
 * const sim = await startShopifySimulator({ locations: ['Main warehouse'] });
 * // Connector instance settings/credentials that point at it:
 * //   settings: { shopDomain: sim.shopDomain, baseUrl: sim.url, channel: 'web',
 * //               locations: { [sim.store.locations[0].id]: 'wh-east' } }
 * //   credentials: { accessToken: sim.accessToken, webhookSecret: sim.webhookSecret }
 * sim.webhooks.subscribe(`${hubUrl}/webhooks/shopify-main`);          // all topics, or a list
 * sim.store.addProduct({ title: 'T-Shirt', variants: [{ sku: 'TSHIRT-M', available: 10 }] }); // products/create
 * const order = sim.store.placeOrder({ lines: [{ sku: 'TSHIRT-M', quantity: 2 }] });           // orders/create + inventory_levels/update
 * await sim.webhooks.idle();                                          // automatic deliveries sent
 * sim.store.available('TSHIRT-M');                                    // what the hub last pushed (or the sale)
 * sim.store.driftLevel('TSHIRT-M', 3);                                // someone edits stock, no webhook (drift)
 * sim.store.seedProducts([{ sku: 'A-1', levels: [5, 0] }]);           // a large catalogue, no webhooks
 * sim.bulk.delayMs = 2000;                                            // bulk exports take time
 * sim.bucket.configure({ currentlyAvailable: 0, restoreRate: 20 });  // throttle: slower refill
 * sim.faults.next(2, { type: 'status', status: 503 });                // or 429 + retryAfter, latency, timeout, reset, throttle
 * sim.counters;                                                       // requests, byOperation, throttled, itemsSet, ...
 * await sim.close();
 * ```
 * Keep the bucket at Shopify's sizes (1,000 or 2,000) when throttling: a query whose cost exceeds
 * the bucket can never run, as on Shopify.
 */
export { type ShopifySimulator, type ShopifySimulatorOptions, type SimCounters, type SimFault, startShopifySimulator } from './server.js';
export {
  type OrderInput,
  type ProductInput,
  ShopifyStore,
  type SimAction,
  type SimLocation,
  type SimOrder,
  type SimProduct,
  type SimVariant,
} from './store.js';
export { type DeliveryRecord, type SimDelivery, WebhookSender } from './webhooks.js';
export { ThrottleBucket, requestedCost } from './cost.js';
export { BulkOperations, type SimBulkOperation } from './bulk.js';
export { localTime } from './payloads.js';
export { simConnectorYaml, type SimConnectorOptions, type SimEndpoint } from './config.js';
