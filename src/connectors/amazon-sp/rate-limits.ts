/**
 * SP-API rate limits are token buckets per operation: `rate` tokens per second refill a bucket of
 * `burst` tokens, and each call takes one. These are the documented defaults; a selling partner's
 * usage plan may be higher (the `x-amzn-RateLimit-Limit` header tells the rate in force).
 * https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits
 */
export interface OperationLimit {
  /** Requests per second added to the bucket. */
  rate: number;
  /** Bucket size: requests that can go at once after a quiet period. */
  burst: number;
  doc: string;
}

const ORDERS = 'https://developer-docs.amazon.com/sp-api/docs/orders-api-rate-limits';
const LISTINGS = 'https://developer-docs.amazon.com/sp-api/docs/listings-items-api-rate-limits';
const FEEDS = 'https://developer-docs.amazon.com/sp-api/docs/feeds-api-rate-limits';

export const AMAZON_OPERATION_LIMITS = {
  getOrders: { rate: 0.0167, burst: 20, doc: ORDERS },
  getOrderItems: { rate: 0.5, burst: 30, doc: ORDERS },
  confirmShipment: { rate: 2, burst: 10, doc: ORDERS },
  patchListingsItem: { rate: 5, burst: 5, doc: LISTINGS },
  getListingsItem: { rate: 5, burst: 5, doc: LISTINGS },
  searchListingsItems: { rate: 5, burst: 5, doc: LISTINGS },
  createFeedDocument: { rate: 0.5, burst: 15, doc: FEEDS },
  createFeed: { rate: 0.0083, burst: 15, doc: FEEDS },
  getFeed: { rate: 2, burst: 15, doc: FEEDS },
  getFeedDocument: { rate: 0.0222, burst: 10, doc: FEEDS },
} as const satisfies Record<string, OperationLimit>;
export type AmazonOperation = keyof typeof AMAZON_OPERATION_LIMITS;

/** A token bucket that starts full; `take()` says how long to wait before the call may go. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private rate: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.at = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.at) / 1000) * this.rate);
    this.at = t;
  }

  /** Reserves one token and returns the wait (ms) until it exists; 0 when one is there now. */
  take(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.rate) * 1000);
  }

  /** Amazon answered 429: the bucket is empty there, whatever this one believed. */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  /** The rate Amazon reports in `x-amzn-RateLimit-Limit`, when it differs from the default. */
  observeRate(rate: number): void {
    if (Number.isFinite(rate) && rate > 0) {
      this.refill();
      this.rate = rate;
    }
  }

  /** Time until one token is available (ms). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }
}

/** One bucket per operation, sized from {@link AMAZON_OPERATION_LIMITS}. */
export function createOperationBuckets(now: () => number): Record<AmazonOperation, TokenBucket> {
  const out = {} as Record<AmazonOperation, TokenBucket>;
  for (const [op, limit] of Object.entries(AMAZON_OPERATION_LIMITS)) out[op as AmazonOperation] = new TokenBucket(limit.rate, limit.burst, now);
  return out;
}
