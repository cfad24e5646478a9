/**
 * A client-side mirror of ShipStation's fixed-window rate limit: 40 requests per minute per API
 * key and secret, with every response saying what is left (`X-Rate-Limit-Remaining`) and how many
 * seconds until the window restarts (`X-Rate-Limit-Reset`). Before a call the client asks how long
 * to wait; after it, the headers reset the mirror.
 * https://docs.shipstation.com/apis/shipstation-v1/docs/start-here/requirements#api-rate-limits
 */
export class RateWindow {
  private remaining: number;
  private resetAt = 0;

  constructor(
    private readonly now: () => number,
    private readonly limit = 40,
    private readonly windowMs = 60_000,
  ) {
    this.remaining = limit;
  }

  /** Milliseconds until a request may be sent (0: now). */
  waitMs(): number {
    const t = this.now();
    if (t >= this.resetAt) return 0;
    return this.remaining > 0 ? 0 : this.resetAt - t;
  }

  /** Counts a request about to be sent, so concurrent callers do not all see the same budget. */
  spend(): void {
    const t = this.now();
    if (t >= this.resetAt) {
      this.remaining = this.limit;
      this.resetAt = t + this.windowMs;
    }
    this.remaining -= 1;
  }

  /** Adopts the server's figures. Returns the wait the headers imply when none is left. */
  observe(headers: Record<string, unknown>): number | undefined {
    const remaining = intHeader(headers, 'x-rate-limit-remaining');
    const reset = intHeader(headers, 'x-rate-limit-reset');
    const limit = intHeader(headers, 'x-rate-limit-limit');
    if (reset !== undefined) this.resetAt = this.now() + reset * 1000;
    if (remaining !== undefined) this.remaining = remaining;
    else if (limit !== undefined && reset !== undefined) this.remaining = Math.min(this.remaining, limit);
    return reset !== undefined && (remaining ?? 1) <= 0 ? reset * 1000 : undefined;
  }

  /** After a 429: nothing is left until the reset the server named (or a whole window). */
  exhaust(retryAfterMs: number | undefined): number {
    const wait = retryAfterMs ?? this.windowMs;
    this.remaining = 0;
    this.resetAt = this.now() + wait;
    return wait;
  }
}

function intHeader(headers: Record<string, unknown>, name: string): number | undefined {
  const raw = Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === null || !/^\d+$/.test(String(value).trim())) return undefined;
  return Number(String(value).trim());
}
