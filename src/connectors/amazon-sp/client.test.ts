import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { AuthError, RateLimitedError } from '../../core/errors.js';
import { ItemSearchResultsSchema } from './shapes.js';
import { BASE, LWA, api, lwa, reply, setup } from './test-support.js';
import { expectEveryMockUsed } from '../../../test/helpers/nock.js';

const SEARCH = '/listings/2021-08-01/items/A3TH9S8BH6GOGM';
const searchCall = {
  operation: 'searchListingsItems' as const,
  method: 'GET' as const,
  path: SEARCH,
  query: { marketplaceIds: 'ATVPDKIKX0DER' },
  response: ItemSearchResultsSchema,
  idempotent: true,
};
const EMPTY = { numberOfResults: 0, items: [] };

expectEveryMockUsed();

describe('amazon-sp client: Login with Amazon tokens', () => {
  it('refreshes an expired token once for 10 concurrent calls, and sends the new token', async () => {
    const { client, clock } = setup();
    lwa(1);
    nock(BASE).get(SEARCH).query(true).matchHeader('x-amz-access-token', 'Atza|token-1').reply(200, EMPTY);
    await client.call(searchCall);
    clock.advance(3600 * 1000);
    lwa(1, 2);
    nock(BASE).get(SEARCH).query(true).times(10).matchHeader('x-amz-access-token', 'Atza|token-2').reply(200, EMPTY);
    await Promise.all(Array.from({ length: 10 }, () => client.call(searchCall)));
    expect(client.stats.tokenRefreshes).toBe(2);
  });

  it('keeps using a cached token until a minute before it expires', async () => {
    const { client, clock } = setup();
    lwa(1);
    nock(BASE).get(SEARCH).query(true).times(2).reply(200, EMPTY);
    await client.call(searchCall);
    clock.advance(3600 * 1000 - 61_000);
    await client.call(searchCall);
    expect(client.stats.tokenRefreshes).toBe(1);
  });

  it('drops a token Amazon refuses (403 "access token ... expired") and retries once with a fresh one, one exchange for 10 callers', async () => {
    const { client } = setup();
    lwa(2);
    nock(BASE)
      .get(SEARCH)
      .query(true)
      .times(10)
      .matchHeader('x-amz-access-token', 'Atza|token-1')
      .reply(...reply(api('expired-token')));
    nock(BASE).get(SEARCH).query(true).times(10).matchHeader('x-amz-access-token', 'Atza|token-2').reply(200, EMPTY);
    await Promise.all(Array.from({ length: 10 }, () => client.call(searchCall)));
    expect(client.stats.tokenRefreshes).toBe(2);
  });

  it('fails with AuthError when the refresh token is refused, without retrying', async () => {
    const { client } = setup();
    nock(LWA)
      .post('/auth/o2/token')
      .reply(...reply(api('lwa-invalid-grant')));
    const err = await client.call(searchCall).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(String((err as Error).message)).not.toContain('fixture-client-secret');
  });

  it('fails with AuthError when a fresh token is refused too (401 twice)', async () => {
    const { client } = setup();
    lwa(2);
    nock(BASE)
      .get(SEARCH)
      .query(true)
      .times(2)
      .reply(401, { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.' }] });
    await expect(client.call(searchCall)).rejects.toBeInstanceOf(AuthError);
  });
});

describe('amazon-sp client: rate limits', () => {
  it("waits for the operation's bucket: getOrders has a burst of 20, then one call per ~60 s", async () => {
    const { client, clock } = setup({}, { maxThrottleWaitMs: 120_000 });
    lwa(1);
    nock(BASE)
      .get('/orders/v0/orders')
      .query(true)
      .times(21)
      .reply(200, { payload: { Orders: [] } });
    const call = { operation: 'getOrders' as const, method: 'GET' as const, path: '/orders/v0/orders', idempotent: true };
    for (let i = 0; i < 20; i++) await client.call(call);
    expect(clock.sleeps).toEqual([]);
    await client.call(call);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThan(59_000);
  });

  it('answers a 429 with a long Retry-After with RateLimitedError carrying that wait', async () => {
    const { client } = setup();
    lwa(1);
    nock(BASE).get(SEARCH).query(true).reply(429, api('throttled').body, { 'Retry-After': '30' });
    const err = await client.call(searchCall).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(30_000);
    expect(client.stats.throttledResponses).toBe(1);
  });

  it('waits out a short Retry-After and resends', async () => {
    const { client, clock } = setup();
    lwa(1);
    nock(BASE).get(SEARCH).query(true).reply(429, api('throttled').body, { 'Retry-After': '2' });
    nock(BASE).get(SEARCH).query(true).reply(200, EMPTY);
    await expect(client.call(searchCall)).resolves.toEqual(EMPTY);
    expect(clock.sleeps).toContain(2000);
  });

  it("without any hint, waits the refill time of the operation's documented rate (getOrders: ~60 s → RateLimitedError)", async () => {
    const { client } = setup();
    lwa(1);
    nock(BASE)
      .get('/orders/v0/orders')
      .query(true)
      .reply(...reply(api('throttled')));
    const err = await client.call({ operation: 'getOrders', method: 'GET', path: '/orders/v0/orders', idempotent: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBeGreaterThan(59_000);
    expect((err as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('uses the rate in x-amzn-RateLimit-Limit as the hint when there is no Retry-After', async () => {
    const { client, clock } = setup();
    lwa(1);
    nock(BASE).get(SEARCH).query(true).reply(429, api('throttled').body, { 'x-amzn-RateLimit-Limit': '0.5' });
    nock(BASE).get(SEARCH).query(true).reply(200, EMPTY);
    await client.call(searchCall);
    expect(clock.sleeps).toContain(2000);
  });

  it('retries an idempotent call after a 503, and does not retry a non-idempotent one', async () => {
    const { client } = setup();
    lwa(1);
    nock(BASE)
      .get(SEARCH)
      .query(true)
      .reply(503, { errors: [{ code: 'ServiceUnavailable' }] });
    nock(BASE).get(SEARCH).query(true).reply(200, EMPTY);
    await expect(client.call(searchCall)).resolves.toEqual(EMPTY);
    nock(BASE).post('/orders/v0/orders/1/shipmentConfirmation').reply(503, {});
    await expect(
      client.call({ operation: 'confirmShipment', method: 'POST', path: '/orders/v0/orders/1/shipmentConfirmation', body: {}, idempotent: false }),
    ).rejects.toMatchObject({
      code: 'upstream_unavailable',
      retryable: true,
    });
  });
});
