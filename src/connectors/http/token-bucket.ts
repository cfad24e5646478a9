/** A request rate: `ratePerSec` tokens refill continuously up to `burst`. */
export interface BucketSpec {
  ratePerSec: number;
  burst: number;
}

/**
 * A client-side token bucket for one operation or group of operations; it starts full. A caller
 * reserves a token and waits the time returned: reservations may drive the level below zero,
 * which queues concurrent callers one after another without a timer of its own.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private rate: number;
  readonly burst: number;

  constructor(
    spec: BucketSpec,
    private readonly now: () => number,
  ) {
    this.rate = spec.ratePerSec;
    this.burst = spec.burst;
    this.tokens = spec.burst;
    this.updatedAt = now();
  }

  /** Tokens added per second, as configured or as the API last reported it. */
  get ratePerSec(): number {
    return this.rate;
  }

  /** Takes one token; returns the milliseconds to wait before using it (0 when one was there). */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.rate) * 1000);
  }

  /** Milliseconds until a token would be free, without taking it. */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }

  /** Gives back a reserved token that was not used (the caller gave up waiting). */
  release(): void {
    this.refill();
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }

  /**
   * The API said there is no token left: none is free for `ms` (default: one refill interval, as
   * when the bucket had just been emptied). A bucket already further behind stays so.
   */
  drain(ms: number = 1000 / this.rate): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 1 - (ms / 1000) * this.rate);
  }

  /**
   * What the API said about its own counter: `remaining` calls left, and (optionally) when the
   * window refills (epoch ms). The bucket never holds more than the API says it has.
   */
  observe(remaining: number, refillAt?: number): void {
    this.refill();
    if (remaining < this.tokens) this.tokens = remaining;
    if (remaining <= 0 && refillAt !== undefined) this.drain(Math.max(0, refillAt - this.now()));
  }

  /** The rate the API reports being in force (a header), when it differs from the configured one. */
  observeRate(ratePerSec: number): void {
    if (Number.isFinite(ratePerSec) && ratePerSec > 0) {
      this.refill();
      this.rate = ratePerSec;
    }
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.updatedAt) / 1000) * this.rate);
    this.updatedAt = t;
  }
}
