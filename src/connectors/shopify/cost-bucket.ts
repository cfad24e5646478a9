import type { ShopifyThrottleStatus } from './shapes.js';

/**
 * A client-side mirror of Shopify's GraphQL cost bucket (a leaky bucket of query-cost points,
 * refilled at `restoreRate` points per second). Every response's `extensions.cost.throttleStatus`
 * resets the mirror; between responses it refills by the clock. Before a call the client waits
 * until the call's expected cost is available, instead of sending it to be throttled.
 * https://shopify.dev/docs/api/usage/limits#graphql-admin-api-rate-limits
 */
export class CostBucket {
  private maximum: number;
  private restoreRate: number;
  private available: number;
  private at: number;

  /** Starts full at the standard plan's figures, until the first response says otherwise. */
  constructor(
    private readonly now: () => number,
    initial: ShopifyThrottleStatus = { maximumAvailable: 1000, currentlyAvailable: 1000, restoreRate: 50 },
  ) {
    this.maximum = initial.maximumAvailable;
    this.restoreRate = initial.restoreRate;
    this.available = initial.currentlyAvailable;
    this.at = now();
  }

  /** Points available now, by the mirror. */
  current(): number {
    const elapsed = Math.max(0, this.now() - this.at) / 1000;
    return Math.min(this.maximum, this.available + elapsed * this.restoreRate);
  }

  /** Milliseconds until `cost` points are available (a cost above the bucket size waits for a full bucket). */
  waitFor(cost: number): number {
    const needed = Math.min(cost, this.maximum) - this.current();
    return needed <= 0 ? 0 : Math.ceil((needed / this.restoreRate) * 1000);
  }

  /** Reserves the points of a call about to be sent, so concurrent calls do not all see a full bucket. */
  spend(cost: number): void {
    this.available = this.current() - cost;
    this.at = this.now();
  }

  /** Adopts the server's figures from a response. */
  observe(status: ShopifyThrottleStatus): void {
    this.maximum = status.maximumAvailable;
    this.restoreRate = status.restoreRate > 0 ? status.restoreRate : this.restoreRate;
    this.available = status.currentlyAvailable;
    this.at = this.now();
  }

  /** Milliseconds until a throttled call of `requested` points would be accepted by the server's figures. */
  static retryAfterMs(requested: number, status: ShopifyThrottleStatus): number {
    const needed = Math.min(requested, status.maximumAvailable) - status.currentlyAvailable;
    const rate = status.restoreRate > 0 ? status.restoreRate : 50;
    return Math.max(50, Math.ceil((needed / rate) * 1000));
  }
}
