/** A freshly minted access token and its lifetime. */
export interface MintedToken {
  accessToken: string;
  expiresInSec: number;
}

/**
 * The access token of one connector instance: cached until shortly before it expires, minted by
 * one shared in-flight promise however many callers ask at once, and minted again when a call
 * proves it stale (a 401). Holds no HTTP itself: `mint` is the client's token request.
 */
export class TokenCache {
  private current: { value: string; expiresAt: number } | undefined;
  private inflight: Promise<string> | undefined;
  /** Tokens minted so far (each one a refresh-token grant, which eBay budgets per day). */
  minted = 0;

  constructor(
    private readonly mint: () => Promise<MintedToken>,
    private readonly now: () => number,
    /** Refresh this long before the documented expiry (capped at a tenth of the lifetime). */
    private readonly marginMs = 60_000,
  ) {}

  /** A token valid for at least the margin, minting one only when needed. */
  get(): Promise<string> {
    const token = this.current;
    if (token && this.now() < token.expiresAt) return Promise.resolve(token.value);
    return this.refresh();
  }

  /**
   * Called after a 401 with the token that was refused: mints a new one unless another caller has
   * already replaced it, so ten calls failing together still cause one refresh.
   */
  replace(refused: string): Promise<string> {
    if (this.current?.value === refused) this.current = undefined;
    return this.get();
  }

  private refresh(): Promise<string> {
    this.inflight ??= this.mint()
      .then(({ accessToken, expiresInSec }) => {
        this.minted += 1;
        const lifetimeMs = expiresInSec * 1000;
        this.current = { value: accessToken, expiresAt: this.now() + lifetimeMs - Math.min(this.marginMs, lifetimeMs / 10) };
        return accessToken;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}
