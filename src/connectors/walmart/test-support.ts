import { clockDeps, virtualClock } from '../../../test/helpers/clock.js';
import { createWalmartClient, type WalmartClientOptions } from './client.js';
import { type WalmartConfig, WalmartConfigSchema } from './config.js';

/** Shared by the connector's unit tests: a config, a virtual clock and a client on them. */
export const WALMART_BASE = 'https://marketplace.walmartapis.com';
export const T0 = Date.parse('2026-12-01T12:00:00Z');

export function walmartConfig(settings: Record<string, unknown> = {}): WalmartConfig & { id: string } {
  return {
    id: 'walmart-us',
    ...WalmartConfigSchema.parse({
      settings: { channel: 'walmart', locations: { '10000003527': 'wh-east' }, feedPollIntervalMs: 1000, ...settings },
      credentials: { clientId: 'client-id-123', clientSecret: 'client-secret-456' },
    }),
  };
}

export function walmartSetup(settings: Record<string, unknown> = {}, options: WalmartClientOptions = {}) {
  const clock = virtualClock(T0);
  const config = walmartConfig(settings);
  const deps = clockDeps(clock);
  const client = createWalmartClient(config, deps, { minRetryDelayMs: 1, ...options });
  return { clock, config, client, deps };
}

/** A Token API answer living `expiresIn` seconds. https://developer.walmart.com/us-marketplace/reference/tokenapi */
export const tokenBody = (token: string, expiresIn = 900) => ({ access_token: token, token_type: 'Bearer', expires_in: expiresIn });
