import { readFileSync } from 'node:fs';
import nock from 'nock';
import { clockDeps, virtualClock } from '../../../test/helpers/clock.js';
import { type AmazonClientOptions, createAmazonClient } from './client.js';
import { type AmazonSpConfig, AmazonSpConfigSchema } from './config.js';

/** Shared by the connector's unit tests: fixtures, a config, a virtual clock and nock helpers. */
export const BASE = 'https://sellingpartnerapi-na.amazon.com';
export const LWA = 'https://api.amazon.com';
export const T0 = Date.parse('2026-12-01T12:00:00Z');

export interface ApiFixture {
  doc: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}
export const api = (name: string): ApiFixture => JSON.parse(readFileSync(new URL(`./fixtures/api/${name}.json`, import.meta.url), 'utf8')) as ApiFixture;

export function testConfig(settings: Record<string, unknown> = {}): AmazonSpConfig & { id: string } {
  return {
    id: 'amazon-us',
    ...AmazonSpConfigSchema.parse({
      settings: { sellerId: 'A3TH9S8BH6GOGM', marketplaceId: 'ATVPDKIKX0DER', channel: 'amazon', locations: { DEFAULT: 'wh-east' }, ...settings },
      credentials: {
        clientId: 'amzn1.application-oa2-client.fixture',
        clientSecret: 'fixture-client-secret',
        refreshToken: 'Atzr|IwEBIFixtureRefresh',
        relaySecret: 'fixture-relay-secret-0123456789',
      },
    }),
  };
}

export function setup(settings: Record<string, unknown> = {}, options: AmazonClientOptions = {}) {
  const clock = virtualClock(T0);
  const config = testConfig(settings);
  const deps = clockDeps(clock);
  const client = createAmazonClient(config, deps, { minRetryDelayMs: 1, ...options });
  return { clock, config, client, deps };
}

/** The LWA token endpoint answers `times` exchanges, each with a new token: `Atza|token-<first>`, then the next number. */
export function lwa(times = 1, first = 1, expiresIn = 3600) {
  let n = first - 1;
  return nock(LWA)
    .post('/auth/o2/token', (body: Record<string, string>) => body['grant_type'] === 'refresh_token' && body['refresh_token'] === 'Atzr|IwEBIFixtureRefresh')
    .times(times)
    .reply(() => [200, { access_token: `Atza|token-${++n}`, token_type: 'bearer', expires_in: expiresIn }]);
}

export function reply(fixture: ApiFixture): [number, unknown, Record<string, string>] {
  return [fixture.status, fixture.body, fixture.headers];
}
