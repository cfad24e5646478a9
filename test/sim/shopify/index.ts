export { type ShopifySimulator, type ShopifySimulatorOptions, type SimCounters, type SimFault, startShopifySimulator } from './server.js';
export { type OrderInput, type ProductInput, ShopifyStore, type SimAction, type SimLocation, type SimOrder, type SimProduct, type SimVariant } from './store.js';
export { type DeliveryRecord, type SimDelivery, WebhookSender } from './webhooks.js';
export { ThrottleBucket, requestedCost } from './cost.js';
export { localTime } from './payloads.js';
