import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuthError, RateLimitedError } from '../../core/errors.js';
import { createEbayConnectorClient } from './index.js';
import { BASE, api, ebayConfig, setup, tokenEndpoint } from './testing.js';

const ping = {
  operation: 'getOrders',
  bucket: 'fulfillment' as const,
  method: 'GET' as const,
  path: '/sell/fulfillment/v1/order',
  schema: z.looseObject({ total: z.number() }),
  idempotent: true,
};

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe('eBay client', () => {
  it('sends the refresh-token grant with the app credentials, then the bearer token and marketplace on every call', async () => {
    const { client } = setup();
    const token = tokenEndpoint();
    nock(BASE)
      .get('/sell/fulfillment/v1/order')
      .matchHeader('authorization', 'Bearer tok-1')
      .matchHeader('x-ebay-c-marketplace-id', 'EBAY_US')
      .times(2)
      .reply(200, { total: 0 });
    await client.call(ping);
    await client.call(ping);
    const grant = new URLSearchParams(token.grants[0]);
    expect(grant.get('grant_type')).toBe('refresh_token');
    expect(grant.get('refresh_token')).toBe('v^1.1#refresh');
    expect(grant.get('scope')).toContain('https://api.ebay.com/oauth/api_scope/sell.inventory');
    expect(token.minted()).toBe(1);
  });

  it('refreshes an expired token once for 10 concurrent calls', async () => {
    const { client, clock } = setup({ buckets: { fulfillment: { ratePerSec: 100, burst: 100 } } });
    const token = tokenEndpoint(2, 7200);
    nock(BASE).get('/sell/fulfillment/v1/order').matchHeader('authorization', 'Bearer tok-1').reply(200, { total: 0 });
    await client.call(ping);
    clock.advance(7200 * 1000);
    nock(BASE).get('/sell/fulfillment/v1/order').matchHeader('authorization', 'Bearer tok-2').times(10).reply(200, { total: 0 });
    await Promise.all(Array.from({ length: 10 }, () => client.call(ping)));
    expect(token.minted()).toBe(2);
    // Grants attempted, not only answered: a failed extra grant retried in-call would hide here otherwise.
    expect(client.stats.tokenRefreshes).toBe(2);
  });

  it('refreshes before the documented expiry, not after a failed call', async () => {
    const { client, clock } = setup();
    const token = tokenEndpoint(2, 7200);
    nock(BASE).get('/sell/fulfillment/v1/order').matchHeader('authorization', 'Bearer tok-1').reply(200, { total: 0 });
    await client.call(ping);
    clock.advance(7200 * 1000 - 30_000);
    nock(BASE).get('/sell/fulfillment/v1/order').matchHeader('authorization', 'Bearer tok-2').reply(200, { total: 0 });
    await client.call(ping);
    expect(token.minted()).toBe(2);
  });

  it('on a 401 mints one new token and resends; ten calls refused together still mint once', async () => {
    const { client } = setup({ buckets: { fulfillment: { ratePerSec: 100, burst: 100 } } });
    const token = tokenEndpoint(2);
    nock(BASE).get('/sell/fulfillment/v1/order').matchHeader('authorization', 'Bearer tok-1').reply(200, { total: 0 });
    await client.call(ping);
    nock(BASE)
      .get('/sell/fulfillment/v1/order')
      .matchHeader('authorization', 'Bearer tok-1')
      .times(10)
      .reply(401, { errors: [{ errorId: 1001, message: 'Invalid access token' }] });
    nock(BASE).get('/sell/fulfillment/v1/order').matchHeader('authorization', 'Bearer tok-2').times(10).reply(200, { total: 0 });
    await Promise.all(Array.from({ length: 10 }, () => client.call(ping)));
    expect(token.minted()).toBe(2);
    expect(client.stats.tokenRefreshes).toBe(2);
  });

  it('fails with AuthError when the refresh token is refused, without echoing credentials', async () => {
    const { client } = setup();
    nock(BASE).post('/identity/v1/oauth2/token').reply(400, api('token-invalid-grant').body);
    const err = await client.call(ping).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/invalid_grant/);
    expect((err as Error).message).not.toMatch(/refresh#|cert-id|app-id/);
  });

  it('turns a 429 with Retry-After into a retryable RateLimitedError with that wait', async () => {
    const { client } = setup();
    tokenEndpoint();
    const fixture = api('rate-limited');
    nock(BASE).get('/sell/fulfillment/v1/order').reply(429, fixture.body, { 'Retry-After': '7' });
    const err = await client.call(ping).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryable).toBe(true);
    expect((err as RateLimitedError).retryAfterMs).toBe(7000);
    expect((err as Error).message).toMatch(/2001/);
  });

  it('turns a 429 without a hint into RateLimitedError with the default wait, and holds the bucket meanwhile', async () => {
    const { client, clock } = setup();
    tokenEndpoint();
    nock(BASE).get('/sell/fulfillment/v1/order').reply(429, api('rate-limited').body);
    const err = await client.call(ping).catch((e: unknown) => e);
    expect((err as RateLimitedError).retryAfterMs).toBe(60_000);
    // The next call within the pause is handed back to the queue without reaching eBay.
    const next = await client.call(ping).catch((e: unknown) => e);
    expect(next).toBeInstanceOf(RateLimitedError);
    expect((next as RateLimitedError).retryAfterMs).toBeGreaterThan(30_000);
    expect(clock.sleeps).toEqual([]);
  });

  it('spaces calls by the bucket rate once the burst is spent', async () => {
    const { client, clock } = setup({ buckets: { fulfillment: { ratePerSec: 2, burst: 2 } } });
    tokenEndpoint();
    nock(BASE).get('/sell/fulfillment/v1/order').times(4).reply(200, { total: 0 });
    for (let i = 0; i < 4; i++) await client.call(ping);
    expect(clock.sleeps).toEqual([500, 500]);
  });

  it('retries an idempotent read after a 503 and succeeds', async () => {
    const { client } = setup();
    tokenEndpoint();
    nock(BASE).get('/sell/fulfillment/v1/order').reply(503, {});
    nock(BASE).get('/sell/fulfillment/v1/order').reply(200, { total: 3 });
    expect((await client.call(ping)).data.total).toBe(3);
  });

  it('check() reports a refused refresh token as not ok, and a working one as ok', async () => {
    const { config, deps } = setup();
    nock(BASE).post('/identity/v1/oauth2/token').reply(400, api('token-invalid-grant').body);
    expect(await createEbayConnectorClient(config, deps).check()).toMatchObject({ ok: false, message: expect.stringMatching(/refresh-token grant refused/) });
    tokenEndpoint();
    nock(BASE).get('/sell/fulfillment/v1/order').query({ limit: 1 }).reply(200, { total: 0, orders: [] });
    expect(await createEbayConnectorClient(config, deps).check()).toMatchObject({ ok: true });
  });
});

describe('eBay manifest', () => {
  it('discovers what an instance can do from the OAuth scopes it asks for', async () => {
    const { ebayConnector } = await import('./index.js');
    const inventoryOnly = ebayConfig({ scopes: ['https://api.ebay.com/oauth/api_scope/sell.inventory'] });
    expect(ebayConnector.discover!(inventoryOnly)).toEqual(['push.availability', 'reconcile.inventory']);
    expect(ebayConnector.discover!(ebayConfig()).sort()).toEqual([...ebayConnector.capabilities].sort());
  });

  it('declares the per-listing daily revision cap as a per-SKU budget of the availability push', async () => {
    const { ebayConnector } = await import('./index.js');
    expect(ebayConnector.budgets).toContainEqual(expect.objectContaining({ max: 250, windowMs: 86_400_000, per: 'sku', operation: 'push.availability' }));
    expect(ebayConnector.pushBatchSize).toBe(25);
  });
});
