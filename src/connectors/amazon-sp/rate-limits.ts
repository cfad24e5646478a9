import { type BucketSpec, TokenBucket } from '../http/token-bucket.js';

/**
 * SP-API rate limits are token buckets per operation: `ratePerSec` tokens per second refill a bucket of
 * `burst` tokens, and each call takes one. These are the documented defaults; a selling partner's
 * usage plan may be higher (the `x-amzn-RateLimit-Limit` header tells the rate in force).
 * https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits
 */
export interface OperationLimit extends BucketSpec {
  doc: string;
}

const ORDERS = 'https://developer-docs.amazon.com/sp-api/docs/orders-api-rate-limits';
const LISTINGS = 'https://developer-docs.amazon.com/sp-api/docs/listings-items-api-rate-limits';
const FEEDS = 'https://developer-docs.amazon.com/sp-api/docs/feeds-api-rate-limits';

export const AMAZON_OPERATION_LIMITS = {
  getOrders: { ratePerSec: 0.0167, burst: 20, doc: ORDERS },
  getOrderItems: { ratePerSec: 0.5, burst: 30, doc: ORDERS },
  confirmShipment: { ratePerSec: 2, burst: 10, doc: ORDERS },
  patchListingsItem: { ratePerSec: 5, burst: 5, doc: LISTINGS },
  getListingsItem: { ratePerSec: 5, burst: 5, doc: LISTINGS },
  searchListingsItems: { ratePerSec: 5, burst: 5, doc: LISTINGS },
  createFeedDocument: { ratePerSec: 0.5, burst: 15, doc: FEEDS },
  createFeed: { ratePerSec: 0.0083, burst: 15, doc: FEEDS },
  getFeed: { ratePerSec: 2, burst: 15, doc: FEEDS },
  getFeedDocument: { ratePerSec: 0.0222, burst: 10, doc: FEEDS },
} as const satisfies Record<string, OperationLimit>;
export type AmazonOperation = keyof typeof AMAZON_OPERATION_LIMITS;

/** One bucket per operation, sized from {@link AMAZON_OPERATION_LIMITS}. */
export function createOperationBuckets(now: () => number): Record<AmazonOperation, TokenBucket> {
  const out = {} as Record<AmazonOperation, TokenBucket>;
  for (const [op, limit] of Object.entries(AMAZON_OPERATION_LIMITS)) out[op as AmazonOperation] = new TokenBucket(limit, now);
  return out;
}
