/** An access token as the provider issued it: the value and its lifetime (`expires_in`). */
export interface IssuedToken {
  value: string;
  expiresInSec: number;
}

/**
 * The access token of one connector instance, whatever the grant behind it:
 * - cached until `marginMs` before it expires (the margin is capped at a tenth of the lifetime,
 *   so a short-lived token is still reused), so a token never expires in flight;
 * - fetched by ONE request however many callers ask at once (they share the in-flight promise);
 * - dropped when the API refuses it (a 401), unless a newer one already replaced it, so ten calls
 *   failing together still cause one refresh.
 * It holds no HTTP: `fetchToken` is the connector's token request, and any durable step (storing a
 * rotated refresh token) belongs there, before it resolves.
 */
export class AccessTokenCache {
  private current: { value: string; refreshAt: number } | undefined;
  private inflight: Promise<string> | undefined;
  /** Token requests started, failed ones included (for tests and stats). */
  fetches = 0;
  /** Tokens received. */
  issued = 0;

  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly now: () => number,
    private readonly marginMs = 60_000,
  ) {}

  /** A valid access token: the cached one, or the one being fetched, or a new one. */
  get(): Promise<string> {
    const held = this.current;
    if (held && this.now() < held.refreshAt) return Promise.resolve(held.value);
    return this.refresh();
  }

  /** Fetches a new token now, or joins the request already in flight. */
  refresh(): Promise<string> {
    this.inflight ??= this.fetch().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forgets `refused` if it is still the cached token (a newer one fetched meanwhile is kept). */
  invalidate(refused: string): void {
    if (this.current?.value === refused) this.current = undefined;
  }

  /** After a 401 with `refused`: a token other than it, fetching one only if no caller has yet. */
  replace(refused: string): Promise<string> {
    this.invalidate(refused);
    return this.get();
  }

  private async fetch(): Promise<string> {
    this.fetches += 1;
    const token = await this.fetchToken();
    this.issued += 1;
    const lifetimeMs = token.expiresInSec * 1000;
    this.current = { value: token.value, refreshAt: this.now() + lifetimeMs - Math.min(this.marginMs, lifetimeMs / 10) };
    return token.value;
  }
}
