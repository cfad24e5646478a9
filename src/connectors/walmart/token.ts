/** What the Token API gave: the token and when it stops being valid (epoch ms). */
export interface IssuedToken {
  accessToken: string;
  expiresAt: number;
}

/**
 * The access token of one connector instance: cached until `margin` before it expires, fetched
 * once however many callers need it at the same moment (they share one in-flight promise), and
 * dropped when a call answered 401 with it so the next caller fetches a fresh one.
 */
export class TokenCache {
  private current: IssuedToken | undefined;
  private inflight: Promise<IssuedToken> | undefined;
  fetches = 0;

  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly now: () => number,
    private readonly marginMs = 60_000,
  ) {}

  async get(): Promise<string> {
    const held = this.current;
    if (held && this.now() < held.expiresAt - this.marginMs) return held.accessToken;
    this.inflight ??= (async () => {
      this.fetches += 1;
      try {
        const issued = await this.fetchToken();
        this.current = issued;
        return issued;
      } finally {
        this.inflight = undefined;
      }
    })();
    return (await this.inflight).accessToken;
  }

  /** Forgets `token` if it is still the cached one (a refresh by another caller is kept). */
  invalidate(token: string): void {
    if (this.current?.accessToken === token) this.current = undefined;
  }
}
