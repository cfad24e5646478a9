/** Rejects with a message naming `what` when `work` has not settled within `ms`. */
export function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // The work may still reject after the deadline: that rejection is expected and ignored.
  work.catch(() => undefined);
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DependencyTimeoutError(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A dependency (Redis, the database) that did not answer in time. */
export class DependencyTimeoutError extends Error {}

/** A read that may have come from the last good answer instead of a fresh one. */
export interface MaybeStale<T> {
  value: T | undefined;
  /** True when the fresh read failed or timed out and `value` is the last good one (or absent). */
  stale: boolean;
  /** Why the fresh read failed. */
  reason: string | null;
  /** When `value` was read. */
  asOf: string | null;
}

/**
 * Reads of a dependency that may hang (Redis down): each read gets `timeoutMs`; when it fails,
 * the last good answer of the same key is returned, marked stale, so a page or a scrape answers
 * with what it has instead of waiting.
 */
export class StaleReads {
  private readonly last = new Map<string, { value: unknown; at: number }>();

  constructor(
    readonly timeoutMs: number,
    private readonly what = 'Redis',
  ) {}

  async read<T>(key: string, work: () => Promise<T>): Promise<MaybeStale<T>> {
    try {
      const value = await within(work(), this.timeoutMs, this.what);
      const at = Date.now();
      this.last.set(key, { value, at });
      return { value, stale: false, reason: null, asOf: new Date(at).toISOString() };
    } catch (err) {
      const known = this.last.get(key);
      const reason = err instanceof DependencyTimeoutError ? err.message : `${this.what} unavailable: ${(err as Error).message}`;
      return { value: known?.value as T | undefined, stale: true, reason, asOf: known ? new Date(known.at).toISOString() : null };
    }
  }
}
