/**
 * A token bucket for one API operation: `burst` calls at once, refilled at `perSecond`.
 * `reserve()` takes a token now or books the next one and says how long to wait for it, so
 * concurrent callers queue behind each other instead of all waking at the same instant.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = t;
  }

  /** Takes one token; returns the milliseconds to wait before using it (0 when one was there). */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.perSecond) * 1000);
  }

  /** Milliseconds until a token would be free, without taking it. */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  /** Gives back a reserved token that was not used. */
  release(): void {
    this.refill();
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }

  /**
   * What the API said about its own counter: `remaining` calls left, and (optionally) when the
   * window refills. The bucket never holds more than the API says it has.
   */
  observe(remaining: number, refillAt?: number): void {
    this.refill();
    if (remaining < this.tokens) this.tokens = remaining;
    if (remaining <= 0 && refillAt !== undefined) {
      // Empty until the announced refill: express it as a debt the normal refill pays off then.
      const waitMs = Math.max(0, refillAt - this.now());
      this.tokens = Math.min(this.tokens, 1 - (waitMs / 1000) * this.perSecond);
    }
  }

  /** Empties the bucket for `ms` (a 429 told us to wait). */
  drain(ms: number): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 1 - (ms / 1000) * this.perSecond);
  }
}
