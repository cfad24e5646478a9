import type { BucketSpec } from '../http/token-bucket.js';

/**
 * Client-side limits per Walmart operation, as token buckets (rate per second, burst).
 *
 * Documented: the bulk inventory feed is limited to 10 submissions per hour (5 MB, about 30 min
 * processing each):
 *   https://developer.walmart.com/ca-marketplace/docs/throttling
 *   https://developer.walmart.com/cl-marketplace/docs/bulk-inventory-update
 *   https://developer.walmart.com/suppliers/docs/async-api-throttling-limits (inventory: 10 / hour, 5 MB, 50K records)
 * and the single-item inventory update is "primarily designed for emergency usage and highly
 * throttled" (same throttling page), so pushes of more than a few SKUs go through the feed.
 *
 * The per-minute figures of the synchronous APIs are set per seller and announced on every answer
 * in `x-current-token-count` and `x-next-replenishment-time`
 * (https://developer.walmart.com/us-marketplace/docs/rate-limiting); the buckets below are
 * conservative starting points that those headers tighten at run time.
 */
export const WALMART_OPERATIONS = {
  token: { ratePerSec: 1, burst: 5 },
  getAllOrders: { ratePerSec: 2, burst: 10 },
  getAnOrder: { ratePerSec: 2, burst: 10 },
  acknowledgeOrders: { ratePerSec: 2, burst: 10 },
  shippingUpdates: { ratePerSec: 2, burst: 10 },
  updateInventory: { ratePerSec: 2, burst: 10 },
  getInventory: { ratePerSec: 2, burst: 10 },
  getInventories: { ratePerSec: 2, burst: 10 },
  bulkInventoryFeed: { ratePerSec: 10 / 3600, burst: 10 },
  getFeedStatus: { ratePerSec: 2, burst: 10 },
} as const satisfies Record<string, BucketSpec>;

export type WalmartOperationName = keyof typeof WALMART_OPERATIONS;

/** The bulk inventory feed budget, as the manifest declares it. */
export const INVENTORY_FEEDS_PER_HOUR = 10;
export const INVENTORY_FEED_DOC = 'https://developer.walmart.com/ca-marketplace/docs/throttling';
/** Most SKUs one inventory feed file may carry (50K records per call). https://developer.walmart.com/suppliers/docs/async-api-throttling-limits */
export const MAX_SKUS_PER_FEED = 50_000;
/** Access tokens live 15 minutes. https://developer.walmart.com/us-marketplace/docs/get-an-access-token */
export const ACCESS_TOKEN_LIFETIME_S = 900;
/** getAllOrders pages hold at most 200 orders. https://developer.walmart.com/us-marketplace/reference/getallorders */
export const MAX_ORDERS_PER_PAGE = 200;
/** getMultiNodeInventoryForAllSkuAndAllShipNodes pages hold at most 50 items. */
export const MAX_INVENTORIES_PER_PAGE = 50;
/** Feed item status pages hold at most 50 items. https://developer.walmart.com/us-marketplace/reference/getfeeditemstatus */
export const MAX_FEED_ITEMS_PER_PAGE = 50;
