/** A request rate: `ratePerSec` tokens refill continuously up to `burst`. */
export interface BucketSpec {
  ratePerSec: number;
  burst: number;
}

/**
 * A client-side token bucket for one group of operations. Callers reserve a token and wait the
 * time returned: reservations may drive the level below zero, which queues callers fairly without
 * a timer of its own.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly spec: BucketSpec,
    private readonly now: () => number,
  ) {
    this.tokens = spec.burst;
    this.updatedAt = now();
  }

  /** Takes one token; returns how long (ms) the caller must wait before using it. */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.spec.ratePerSec) * 1000);
  }

  /** Gives back a token reserved but not used (the caller gave up waiting). */
  release(): void {
    this.tokens = Math.min(this.spec.burst, this.tokens + 1);
  }

  /** After a 429: nothing more flows from this bucket for `ms`. */
  pause(ms: number): void {
    this.refill();
    this.tokens = Math.min(this.tokens, -(ms / 1000) * this.spec.ratePerSec);
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.spec.burst, this.tokens + ((t - this.updatedAt) / 1000) * this.spec.ratePerSec);
    this.updatedAt = t;
  }
}
