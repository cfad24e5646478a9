import axios, { isAxiosError } from 'axios';
import { AuthError, NetworkError, RateLimitedError, UpstreamUnavailableError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { parseBody } from '../http/response.js';
import { AccessTokenCache, type IssuedToken } from '../http/token-cache.js';
import type { ConnectorState } from '../types.js';
import type { QuickBooksConfig } from './config.js';
import { QboTokenResponseSchema } from './shapes.js';

export type { ConnectorState };

/** Where the latest refresh token lives in the connector state. */
export const REFRESH_TOKEN_KEY = 'oauth.refreshToken';
/** Refresh this long before the access token's stated expiry. */
const EXPIRY_MARGIN_MS = 60_000;

export interface TokenManagerDeps {
  state: ConnectorState;
  logger: Logger;
  now: () => number;
  timeoutMs: number;
}

/**
 * OAuth 2.0 access tokens of one instance, refreshed with the refresh-token grant.
 *
 * QuickBooks may answer a refresh with a NEW refresh token and the old one then stops working
 * in due course, so the order of steps is the guarantee:
 * 1. read the latest refresh token from the durable state (the configured one only when the
 *    state has none);
 * 2. call the token endpoint;
 * 3. if the refresh token changed, `state.set` it and wait for the commit;
 * 4. only then hand out the access token.
 * An access token is never used while its rotated refresh token is not durable: if step 3 fails
 * (database down, process killed), the call fails and no API request is made, and the next
 * attempt starts again from what is on disk. The one window left, a crash while the token
 * endpoint is answering, is the same as a lost response: the stored token is the previous one,
 * which Intuit keeps honouring for a while after a rotation, so the next refresh recovers.
 * Concurrent callers share one refresh (single flight). Another process may rotate first: an
 * `invalid_grant` answer re-reads the state and retries once with a newer token found there.
 * https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/faq
 * https://blogs.intuit.com/2024/06/03/oauth-token-management-done-the-right-way/
 */
export class TokenManager {
  /** Caching, expiry margin and the single flight come from the kit; this class adds the rotation. */
  private readonly cache: AccessTokenCache;

  constructor(
    private readonly config: QuickBooksConfig & { id: string },
    private readonly deps: TokenManagerDeps,
  ) {
    this.cache = new AccessTokenCache(() => this.rotate(), deps.now, EXPIRY_MARGIN_MS);
  }

  /** Refreshes done (for tests and stats). */
  get refreshes(): number {
    return this.cache.issued;
  }

  /** A valid access token, refreshing (once, shared) when there is none or it is about to expire. */
  accessToken(): Promise<string> {
    return this.cache.get();
  }

  /** Forgets `token` after the API refused it (401), so the next call refreshes. */
  invalidate(token: string): void {
    this.cache.invalidate(token);
  }

  refresh(): Promise<string> {
    return this.cache.refresh();
  }

  private async rotate(): Promise<IssuedToken> {
    const stored = await this.deps.state.get(REFRESH_TOKEN_KEY);
    const current = stored ?? this.config.credentials.refreshToken;
    let answer = await this.grant(current);
    if (answer === 'invalid_grant') {
      const again = await this.deps.state.get(REFRESH_TOKEN_KEY);
      if (again && again !== current) answer = await this.grant(again);
      if (answer === 'invalid_grant') {
        throw new AuthError(`${this.config.id}: the refresh token was refused (invalid_grant); reconnect the app to QuickBooks`, {
          connectorId: this.config.id,
        });
      }
    }
    if (answer.refreshToken !== current) {
      // Durable before use: see the class comment.
      await this.deps.state.set(REFRESH_TOKEN_KEY, answer.refreshToken);
      this.deps.logger.info({ connectorId: this.config.id }, 'quickbooks refresh token rotated and stored');
    }
    return { value: answer.accessToken, expiresInSec: answer.expiresInSec };
  }

  /** One refresh-token grant. https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0 */
  private async grant(refreshToken: string): Promise<{ accessToken: string; refreshToken: string; expiresInSec: number } | 'invalid_grant'> {
    const { clientId, clientSecret } = this.config.credentials;
    const id = this.config.id;
    let res;
    try {
      res = await axios.post<string>(
        this.config.settings.tokenUrl,
        new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
        {
          timeout: this.deps.timeoutMs,
          responseType: 'text',
          transformResponse: (b: unknown) => b,
          validateStatus: () => true,
          headers: {
            Accept: 'application/json',
            'Content-Type': 'application/x-www-form-urlencoded',
            Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
          },
        },
      );
    } catch (err) {
      // No `cause`: the transport error carries the request, credentials included.
      throw new NetworkError(`${id}: token refresh failed (${isAxiosError(err) && err.code ? err.code : 'ERR_NETWORK'})`, { connectorId: id });
    }
    const body = parseBody(res.data);
    if (res.status === 400 && (body as { error?: unknown } | undefined)?.error === 'invalid_grant') return 'invalid_grant';
    if (res.status === 429) throw new RateLimitedError(`${id}: token endpoint throttled`, { connectorId: id, retryAfterMs: 60_000 });
    if (res.status >= 500) throw new UpstreamUnavailableError(`${id}: token endpoint answered HTTP ${res.status}`, { connectorId: id });
    if (res.status < 200 || res.status >= 300) {
      const error = (body as { error?: unknown } | undefined)?.error;
      const code = typeof error === 'string' ? error : `HTTP ${res.status}`;
      throw new AuthError(`${id}: token refresh refused (${code}); check credentials.clientId and clientSecret`, { connectorId: id });
    }
    const parsed = QboTokenResponseSchema.safeParse(body);
    if (!parsed.success) throw new UpstreamUnavailableError(`${id}: token endpoint answered an unexpected body`, { connectorId: id });
    return { accessToken: parsed.data.access_token, refreshToken: parsed.data.refresh_token, expiresInSec: parsed.data.expires_in };
  }
}

/** A state that lives as long as the process: used only when the hub passes no durable state. */
export function memoryState(): ConnectorState {
  const values = new Map<string, string>();
  return {
    get: async (key) => values.get(key) ?? null,
    set: async (key, value) => {
      values.set(key, value);
    },
  };
}
