import { pino } from 'pino';
import { type QuickBooksConfig, QuickBooksConfigSchema } from './config.js';
import type { ConnectorState } from './oauth.js';

// Shared by this connector's unit tests (not a test file itself).

export const API = 'https://quickbooks.api.intuit.com';
export const TOKEN_HOST = 'https://oauth.platform.intuit.com';
export const TOKEN_PATH = '/oauth2/v1/tokens/bearer';
export const REALM = '9130350000000001';
export const COMPANY = `/v3/company/${REALM}`;
export const logger = pino({ level: 'silent' });

export function testConfig(settings: Record<string, unknown> = {}, credentials: Record<string, unknown> = {}): QuickBooksConfig & { id: string } {
  return {
    id: 'qbo-main',
    ...QuickBooksConfigSchema.parse({
      settings: { realmId: REALM, channel: 'web', itemMap: { entries: { 'SKU-1': '11', 'SKU-2': '12' } }, ...settings },
      credentials: { clientId: 'client-id', clientSecret: 'client-secret', refreshToken: 'rt-config', webhookVerifierToken: 'verifier-token', ...credentials },
    }),
  };
}

/** A state store that records its writes in order and can be made to fail. */
export function recordingState(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  const log: string[] = [];
  let failSets = false;
  const state: ConnectorState = {
    get: async (key) => values.get(key) ?? null,
    set: async (key, value) => {
      if (failSets) throw new Error('database unavailable');
      values.set(key, value);
      log.push(`set ${key}=${value}`);
    },
  };
  return { state, values, log, failSetsFrom: (on: boolean) => void (failSets = on) };
}
