import type { AxiosInstance } from 'axios';
import { isAxiosError } from 'axios';
import { AuthError, type HubError } from '../../core/errors.js';
import { classifyHttpError, toHubError } from '../http/classify-http-error.js';
import { parseBody } from '../http/response.js';
import type { IssuedToken } from '../http/token-cache.js';
import { LwaTokenResponseSchema } from './shapes.js';

export interface LwaCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/**
 * The Login with Amazon token request of one selling partner: the refresh token exchanged for an
 * access token living `expires_in` (3,600 s). The client keeps the answer in the kit's
 * AccessTokenCache (cached until a minute before expiry, one request for concurrent callers).
 * https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api#step-1-request-a-login-with-amazon-access-token
 */
export function lwaTokenRequest(http: AxiosInstance, tokenUrl: string, credentials: LwaCredentials, connectorId: string): () => Promise<IssuedToken> {
  const fail = (action: Parameters<typeof toHubError>[0], message: string): HubError | Error =>
    toHubError(action, `${connectorId}: Login with Amazon: ${message}`, { connectorId, step: 'auth' });

  return async () => {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credentials.refreshToken,
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
    });
    let status: number;
    let text: string;
    let headers: Record<string, string>;
    try {
      const res = await http.post<string>(tokenUrl, form.toString(), {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      });
      ({ status, data: text } = res);
      headers = res.headers as Record<string, string>;
    } catch (err) {
      // No `cause`: the transport error carries the request, client secret included.
      const code = isAxiosError(err) && err.code ? err.code : 'ERR_NETWORK';
      throw fail({ retryable: true, code: 'network_error' }, `token request failed (${code})`);
    }
    if (status >= 200 && status < 300) {
      const parsed = LwaTokenResponseSchema.safeParse(parseBody(text));
      if (!parsed.success) throw new AuthError(`${connectorId}: Login with Amazon answered without an access token`, { connectorId, step: 'auth' });
      return { value: parsed.data.access_token, expiresInSec: parsed.data.expires_in };
    }
    const body = parseBody(text) as { error?: unknown } | undefined;
    const error = typeof body?.error === 'string' ? body.error.slice(0, 60) : undefined;
    // invalid_grant / invalid_client: the refresh token or the client credentials are wrong or revoked.
    if (status === 400 || status === 401) {
      throw new AuthError(`${connectorId}: Login with Amazon refused the refresh token (HTTP ${status}${error ? `, ${error}` : ''})`, {
        connectorId,
        step: 'auth',
      });
    }
    throw fail(classifyHttpError({ status, headers }), `token request answered HTTP ${status}`);
  };
}
