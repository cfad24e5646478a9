import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuthError, RateLimitedError, UpstreamUnavailableError } from '../../core/errors.js';
import type { WalmartRequest } from './client.js';
import { T0, WALMART_BASE, tokenBody, walmartSetup } from './test-support.js';
import { expectEveryMockUsed } from '../../../test/helpers/nock.js';

const ordersCall: WalmartRequest<unknown> = {
  operation: 'getAllOrders',
  method: 'GET',
  path: '/v3/orders',
  query: { limit: 1 },
  schema: z.unknown(),
  idempotent: true,
};
const BASIC = `Basic ${Buffer.from('client-id-123:client-secret-456').toString('base64')}`;

/** The Token API, answering `token` once per interceptor. https://developer.walmart.com/us-marketplace/reference/tokenapi */
function tokenEndpoint(token: string, expiresIn = 900) {
  return nock(WALMART_BASE)
    .post('/v3/token', 'grant_type=client_credentials')
    .matchHeader('authorization', BASIC)
    .matchHeader('wm_svc.name', 'Walmart Marketplace')
    .matchHeader('wm_qos.correlation_id', /^[0-9a-f-]{36}$/)
    .reply(200, tokenBody(token, expiresIn));
}

describe('walmart client', () => {
  expectEveryMockUsed();

  it('fetches a client-credentials token and sends the documented headers on every call', async () => {
    const { client } = walmartSetup();
    tokenEndpoint('tok-1');
    const correlationIds: string[] = [];
    nock(WALMART_BASE)
      .get('/v3/orders')
      .query({ limit: '1' })
      .times(2)
      .matchHeader('wm_sec.access_token', 'tok-1')
      .matchHeader('wm_svc.name', 'Walmart Marketplace')
      .matchHeader('accept', 'application/json')
      .matchHeader('wm_qos.correlation_id', (id: string | null) => {
        correlationIds.push(String(id));
        return /^[0-9a-f-]{36}$/.test(String(id));
      })
      .reply(200, { list: { meta: {}, elements: { order: [] } } });
    await client.call(ordersCall);
    await client.call(ordersCall);
    // One token for both calls; a fresh correlation id per call.
    expect(client.tokens.fetches).toBe(1);
    expect(new Set(correlationIds).size).toBe(2);
  });

  it('refreshes an expired token once for 10 concurrent calls', async () => {
    const { client, clock } = walmartSetup();
    tokenEndpoint('tok-old');
    nock(WALMART_BASE).get('/v3/orders').query(true).matchHeader('wm_sec.access_token', 'tok-old').reply(200, {});
    await client.call(ordersCall);
    clock.advance(900_000);
    tokenEndpoint('tok-new');
    nock(WALMART_BASE).get('/v3/orders').query(true).times(10).matchHeader('wm_sec.access_token', 'tok-new').reply(200, {});
    await Promise.all(Array.from({ length: 10 }, () => client.call(ordersCall)));
    expect(client.tokens.fetches).toBe(2);
  });

  it('refreshes a token a minute before it expires, not after', async () => {
    const { client, clock } = walmartSetup();
    tokenEndpoint('tok-a');
    nock(WALMART_BASE).get('/v3/orders').query(true).reply(200, {});
    await client.call(ordersCall);
    clock.advance(900_000 - 61_000);
    nock(WALMART_BASE).get('/v3/orders').query(true).matchHeader('wm_sec.access_token', 'tok-a').reply(200, {});
    await client.call(ordersCall);
    clock.advance(2_000);
    tokenEndpoint('tok-b');
    nock(WALMART_BASE).get('/v3/orders').query(true).matchHeader('wm_sec.access_token', 'tok-b').reply(200, {});
    await client.call(ordersCall);
    expect(client.tokens.fetches).toBe(2);
  });

  it('on a 401 fetches a new token once and resends; a second 401 is an AuthError', async () => {
    const { client } = walmartSetup();
    tokenEndpoint('tok-revoked');
    nock(WALMART_BASE)
      .get('/v3/orders')
      .query(true)
      .matchHeader('wm_sec.access_token', 'tok-revoked')
      .reply(401, { errors: [{ code: 'UNAUTHORIZED.GMP_GATEWAY_API', description: 'Unauthorized' }] });
    tokenEndpoint('tok-fresh');
    nock(WALMART_BASE).get('/v3/orders').query(true).matchHeader('wm_sec.access_token', 'tok-fresh').reply(200, { ok: true });
    await expect(client.call(ordersCall)).resolves.toEqual({ ok: true });

    nock(WALMART_BASE).get('/v3/orders').query(true).reply(401, {});
    tokenEndpoint('tok-again');
    nock(WALMART_BASE)
      .get('/v3/orders')
      .query(true)
      .reply(401, { errors: [{ code: 'UNAUTHORIZED.GMP_GATEWAY_API', description: 'Unauthorized' }] });
    const err = await client.call(ordersCall).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).message).toMatch(/walmart-us: walmart getAllOrders: HTTP 401: UNAUTHORIZED.GMP_GATEWAY_API Unauthorized/);
    expect((err as AuthError).message).not.toMatch(/tok-/);
  });

  it('refuses bad client credentials as an AuthError without echoing the secret', async () => {
    const { client } = walmartSetup();
    nock(WALMART_BASE).post('/v3/token').reply(401, { error: 'invalid_client' });
    const err = await client.call(ordersCall).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(String((err as Error).message)).not.toMatch(/client-secret-456/);
  });

  it('turns a 429 with Retry-After into a RateLimitedError carrying that wait, and waits it before the next call', async () => {
    const { client, clock } = walmartSetup();
    tokenEndpoint('tok');
    nock(WALMART_BASE)
      .get('/v3/orders')
      .query(true)
      .reply(429, { errors: [{ code: 'TOO_MANY_REQUESTS' }] }, { 'Retry-After': '7' });
    const err = await client.call(ordersCall).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(7000);
    expect((err as RateLimitedError).retryable).toBe(true);
    nock(WALMART_BASE).get('/v3/orders').query(true).reply(200, {});
    await client.call(ordersCall);
    expect(clock.sleeps.at(-1)).toBe(7000);
    expect(client.stats.throttledResponses).toBe(1);
  });

  it('turns a 429 without Retry-After into a RateLimitedError waiting for the replenishment time, or a default', async () => {
    const { client } = walmartSetup();
    tokenEndpoint('tok');
    nock(WALMART_BASE)
      .get('/v3/orders')
      .query(true)
      .reply(429, {}, { 'x-current-token-count': '0', 'x-next-replenishment-time': String(T0 + 12_000) });
    const hinted = await client.call(ordersCall).catch((e: unknown) => e);
    expect((hinted as RateLimitedError).retryAfterMs).toBe(12_000);

    const other = walmartSetup();
    tokenEndpoint('tok');
    nock(WALMART_BASE).get('/v3/inventories').query(true).reply(429, {});
    const bare = await other.client.call({ ...ordersCall, operation: 'getInventories', path: '/v3/inventories' }).catch((e: unknown) => e);
    expect(bare).toBeInstanceOf(RateLimitedError);
    expect((bare as RateLimitedError).retryAfterMs).toBeGreaterThanOrEqual(1000);
  });

  it('waits when Walmart says no calls are left in the window, instead of being throttled', async () => {
    const { client, clock } = walmartSetup();
    tokenEndpoint('tok');
    nock(WALMART_BASE)
      .get('/v3/orders')
      .query(true)
      .reply(200, {}, { 'x-current-token-count': '0', 'x-next-replenishment-time': String(T0 + 30_000) });
    await client.call(ordersCall);
    nock(WALMART_BASE).get('/v3/orders').query(true).reply(200, {});
    await client.call(ordersCall);
    expect(clock.sleeps).toEqual([30_000]);
  });

  it('retries an idempotent read on 503 and gives up as UpstreamUnavailable; never resends a non-idempotent call', async () => {
    const { client } = walmartSetup();
    tokenEndpoint('tok');
    nock(WALMART_BASE).get('/v3/orders').query(true).reply(503, {}).get('/v3/orders').query(true).reply(200, { ok: 1 });
    await expect(client.call(ordersCall)).resolves.toEqual({ ok: 1 });
    nock(WALMART_BASE).post('/v3/orders/1/shipping').reply(503, {});
    const err = await client
      .call({ operation: 'shippingUpdates', method: 'POST', path: '/v3/orders/1/shipping', json: {}, schema: z.unknown(), idempotent: false })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
  });
});
