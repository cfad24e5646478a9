import type { AxiosInstance } from 'axios';
import { isAxiosError } from 'axios';
import { AuthError, type HubError } from '../../core/errors.js';
import { classifyHttpError, toHubError } from '../http/classify-http-error.js';
import { parseJsonPreservingIds } from '../http/json.js';
import { LwaTokenResponseSchema } from './shapes.js';

/** Refresh this long before the announced expiry, so a token never expires in flight. */
export const TOKEN_EXPIRY_MARGIN_MS = 60_000;

export interface LwaCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/**
 * Login with Amazon access tokens for one selling partner: exchanged from the refresh token, cached
 * until one minute before `expires_in` (3,600 s), and fetched by ONE request however many callers
 * ask at once (they share the in-flight promise).
 * https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api#step-1-request-a-login-with-amazon-access-token
 */
export class LwaTokenProvider {
  private token: { value: string; expiresAt: number } | undefined;
  private inflight: Promise<string> | undefined;
  /** Token exchanges made (for tests and stats). */
  refreshes = 0;

  constructor(
    private readonly http: AxiosInstance,
    private readonly tokenUrl: string,
    private readonly credentials: LwaCredentials,
    private readonly connectorId: string,
    private readonly now: () => number,
  ) {}

  /** A valid access token: the cached one, or the one being fetched, or a new one. */
  async get(): Promise<string> {
    if (this.token && this.token.expiresAt - TOKEN_EXPIRY_MARGIN_MS > this.now()) return this.token.value;
    this.inflight ??= this.exchange().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /**
   * The API refused `rejected`: forget it, unless a newer token already replaced it (then the
   * caller simply retries with that one, and a burst of 401s still causes one exchange).
   */
  invalidate(rejected: string): void {
    if (this.token?.value === rejected) this.token = undefined;
  }

  private async exchange(): Promise<string> {
    this.refreshes += 1;
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: this.credentials.refreshToken,
      client_id: this.credentials.clientId,
      client_secret: this.credentials.clientSecret,
    });
    let status: number;
    let text: string;
    let headers: Record<string, string>;
    try {
      const res = await this.http.post<string>(this.tokenUrl, form.toString(), {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      });
      ({ status, data: text } = res);
      headers = res.headers as Record<string, string>;
    } catch (err) {
      // No `cause`: the transport error carries the request, client secret included.
      const code = isAxiosError(err) && err.code ? err.code : 'ERR_NETWORK';
      throw this.fail({ retryable: true, code: 'network_error' }, `token request failed (${code})`);
    }
    if (status >= 200 && status < 300) {
      const parsed = LwaTokenResponseSchema.safeParse(safeJson(text));
      if (!parsed.success) throw new AuthError(`${this.connectorId}: Login with Amazon answered without an access token`, { connectorId: this.connectorId, step: 'auth' });
      this.token = { value: parsed.data.access_token, expiresAt: this.now() + parsed.data.expires_in * 1000 };
      return parsed.data.access_token;
    }
    const body = safeJson(text) as { error?: unknown } | undefined;
    const error = typeof body?.error === 'string' ? body.error.slice(0, 60) : undefined;
    // invalid_grant / invalid_client: the refresh token or the client credentials are wrong or revoked.
    if (status === 400 || status === 401) {
      throw new AuthError(`${this.connectorId}: Login with Amazon refused the refresh token (HTTP ${status}${error ? `, ${error}` : ''})`, {
        connectorId: this.connectorId,
        step: 'auth',
      });
    }
    throw this.fail(classifyHttpError({ status, headers }), `token request answered HTTP ${status}`);
  }

  private fail(action: Parameters<typeof toHubError>[0], message: string): HubError | Error {
    return toHubError(action, `${this.connectorId}: Login with Amazon: ${message}`, { connectorId: this.connectorId, step: 'auth' });
  }
}

function safeJson(text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    return parseJsonPreservingIds(text);
  } catch {
    return undefined;
  }
}
