import { readFileSync } from 'node:fs';
import nock from 'nock';
import { clockDeps, virtualClock } from '../../../test/helpers/clock.js';
import { type EbayClientOptions, createEbayClient } from './client.js';
import { type EbayConfig, EbayConfigSchema } from './config.js';

/** Shared by the eBay unit tests: fixtures, a config, a virtual clock and a nock token endpoint. */
export const BASE = 'https://api.ebay.com';
const T0 = Date.parse('2026-11-24T12:00:00Z');

export interface ApiFixture {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}
export const api = (name: string): ApiFixture => JSON.parse(readFileSync(new URL(`./fixtures/api/${name}.json`, import.meta.url), 'utf8')) as ApiFixture;

export function ebayConfig(settings: Record<string, unknown> = {}): EbayConfig & { id: string } {
  return {
    id: 'ebay-main',
    ...EbayConfigSchema.parse({
      settings: { channel: 'ebay', locations: { default: 'wh-east' }, ...settings },
      credentials: { clientId: 'app-id', clientSecret: 'cert-id', refreshToken: 'v^1.1#refresh' },
    }),
  };
}

export function setup(options: EbayClientOptions = {}, settings: Record<string, unknown> = {}) {
  const clock = virtualClock(T0);
  const deps = clockDeps(clock);
  const config = ebayConfig(settings);
  return { clock, config, deps, client: createEbayClient(config, deps, { minRetryDelayMs: 1, ...options }) };
}

/** Answers the refresh-token grant `times` times with tokens tok-1, tok-2, ... valid `expiresIn` seconds. */
export function tokenEndpoint(times = 1, expiresIn = 7200) {
  let n = 0;
  const grants: string[] = [];
  const scope = nock(BASE)
    .post('/identity/v1/oauth2/token', (body: string | Record<string, string>) => {
      grants.push(typeof body === 'string' ? body : new URLSearchParams(body).toString());
      return true;
    })
    .matchHeader('authorization', `Basic ${Buffer.from('app-id:cert-id').toString('base64')}`)
    .matchHeader('content-type', 'application/x-www-form-urlencoded')
    .times(times)
    .reply(() => [200, { ...api('token').body, access_token: `tok-${++n}`, expires_in: expiresIn }]);
  return { scope, grants, minted: () => n };
}
