import { pino } from 'pino';
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

/** A virtual clock: `sleep` advances time at once and records the wait. */
export function virtualClock(start = T0) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)),
    advance: (ms: number) => void (t += ms),
    sleeps,
  };
}

export function walmartSetup(settings: Record<string, unknown> = {}, options: WalmartClientOptions = {}) {
  const clock = virtualClock();
  const config = walmartConfig(settings);
  const deps = { logger: pino({ level: 'silent' }), now: clock.now, sleep: clock.sleep };
  const client = createWalmartClient(config, deps, { minRetryDelayMs: 1, ...options });
  return { clock, config, client, deps };
}

/** A Token API answer living `expiresIn` seconds. https://developer.walmart.com/us-marketplace/reference/tokenapi */
export const tokenBody = (token: string, expiresIn = 900) => ({ access_token: token, token_type: 'Bearer', expires_in: expiresIn });
