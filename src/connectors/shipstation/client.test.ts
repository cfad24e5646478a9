import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { AuthError, MappingError, RateLimitedError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import type { Order } from '../../core/model/index.js';
import { ShipStationConfigSchema } from './config.js';
import { createShipStationConnectorClient } from './index.js';
import { expectEveryMockUsed } from '../../../test/helpers/nock.js';

const BASE = 'https://ssapi.shipstation.com';
const config = {
  id: 'ss-main',
  ...ShipStationConfigSchema.parse({
    settings: { locations: { '16079': 'wh-east' }, maxThrottleWaitMs: 5_000 },
    credentials: { apiKey: 'key', apiSecret: 'secret', webhookToken: 'tok-0123456789abcdef' },
  }),
};

/** A clock that only moves when the client sleeps; returns the sleeps it was asked for. */
function fakeTime() {
  let t = Date.parse('2026-07-14T18:00:00Z');
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)), sleeps };
}
const logger = createLogger({ level: 'silent', pretty: false });

const order: Order = {
  channel: 'web',
  externalOrderId: '1001',
  orderNumber: '#1001',
  placedAt: '2026-07-14T16:00:00.000Z',
  currency: 'USD',
  total: { amount: '51.00', currency: 'USD' },
  customer: { email: 'jane@example.com', name: 'Jane Doe' },
  shipTo: { name: 'Jane Doe', address1: '1 Main St', city: 'Austin', province: 'TX', postalCode: '78701', country: 'US' },
  lines: [
    { externalLineId: 'L1', sku: 'TEE-M', quantity: 2, unitPrice: { amount: '19.50', currency: 'USD' }, title: 'Tee' },
    { externalLineId: 'L9', sku: null, skuUnmappedReason: 'gift card', quantity: 1, unitPrice: { amount: '12.00', currency: 'USD' }, title: 'Gift card' },
  ],
};

expectEveryMockUsed();

describe('ShipStation pushOrder', () => {
  it('creates the order keyed by the hub reference at the served warehouse, stock lines only', async () => {
    let sent: Record<string, unknown> = {};
    nock(BASE)
      .post('/orders/createorder', (b: Record<string, unknown>) => ((sent = b), true))
      .reply(200, { orderId: 43945660, orderNumber: '#1001', orderKey: 'web/1001', orderStatus: 'awaiting_shipment' });
    const client = createShipStationConnectorClient(config, { logger, ...fakeTime() });
    const pushed = await client.pushOrder(order, { location: 'wh-east' });
    expect(pushed).toEqual({ orderId: '43945660', orderKey: 'web/1001', orderStatus: 'awaiting_shipment', alreadyClosed: false });
    expect(sent).toMatchObject({
      orderNumber: '#1001',
      orderKey: 'web/1001',
      orderDate: '2026-07-14T09:00:00.0000000',
      orderStatus: 'awaiting_shipment',
      items: [{ lineItemKey: 'L1', sku: 'TEE-M', quantity: 2, unitPrice: 19.5 }],
      advancedOptions: { warehouseId: 16079 },
    });
    expect((sent['items'] as unknown[]).length).toBe(1);
  });

  it('reports an order that already shipped there as done on a replay, not as a failure', async () => {
    nock(BASE)
      .post('/orders/createorder')
      .reply(400, { Message: 'The request is invalid.', ExceptionMessage: 'Order has been shipped and cannot be updated' })
      .get('/orders')
      .query({ orderNumber: '#1001' })
      .reply(200, { orders: [{ orderId: 43945660, orderNumber: '#1001', orderKey: 'web/1001', orderStatus: 'shipped' }], total: 1, page: 1, pages: 1 });
    const client = createShipStationConnectorClient(config, { logger, ...fakeTime() });
    await expect(client.pushOrder(order, { location: 'wh-east' })).resolves.toMatchObject({ orderId: '43945660', alreadyClosed: true, orderStatus: 'shipped' });
  });

  it('refuses a location this 3PL does not serve without calling it', async () => {
    const client = createShipStationConnectorClient(config, { logger, ...fakeTime() });
    await expect(client.pushOrder(order, { location: 'wh-west' })).rejects.toBeInstanceOf(MappingError);
  });

  it('fails with AuthError on bad credentials, without echoing them', async () => {
    nock(BASE).post('/orders/createorder').reply(401, { message: 'Unauthorized' });
    const client = createShipStationConnectorClient(config, { logger, ...fakeTime() });
    const err = await client.pushOrder(order, { location: 'wh-east' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(String((err as Error).message)).not.toContain('secret');
  });
});

describe('ShipStation rate limit', () => {
  const page = { shipments: [], total: 0, page: 1, pages: 0 };

  it('waits out a 429 for the X-Rate-Limit-Reset seconds, then sends again', async () => {
    nock(BASE)
      .get('/shipments')
      .query(true)
      .reply(429, { message: 'Too Many Requests' }, { 'X-Rate-Limit-Limit': '40', 'X-Rate-Limit-Remaining': '0', 'X-Rate-Limit-Reset': '3' })
      .get('/shipments')
      .query(true)
      .reply(200, page, { 'X-Rate-Limit-Remaining': '39', 'X-Rate-Limit-Reset': '60' });
    const time = fakeTime();
    const client = createShipStationConnectorClient(config, { logger, ...time });
    for await (const _ of client.pollOrders(null)) void _;
    expect(time.sleeps).toEqual([3000]);
    expect(client.stats()).toEqual({ throttleWaitMs: 3000, throttledResponses: 1 });
  });

  it('gives the job back to the queue with the wait when it is longer than the in-call budget', async () => {
    nock(BASE).get('/shipments').query(true).reply(429, {}, { 'X-Rate-Limit-Remaining': '0', 'X-Rate-Limit-Reset': '45' });
    const client = createShipStationConnectorClient(config, { logger, ...fakeTime() });
    const err = await (async () => {
      for await (const _ of client.pollOrders(null)) void _;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(45_000);
  });

  it('holds the next call when the window says nothing is left', async () => {
    nock(BASE)
      .post('/orders/createorder')
      .reply(
        200,
        { orderId: 1, orderNumber: '#1001', orderKey: 'web/1001', orderStatus: 'awaiting_shipment' },
        { 'X-Rate-Limit-Remaining': '0', 'X-Rate-Limit-Reset': '2' },
      )
      .post('/orders/createorder')
      .reply(
        200,
        { orderId: 1, orderNumber: '#1001', orderKey: 'web/1001', orderStatus: 'awaiting_shipment' },
        { 'X-Rate-Limit-Remaining': '39', 'X-Rate-Limit-Reset': '60' },
      );
    const time = fakeTime();
    const client = createShipStationConnectorClient(config, { logger, ...time });
    await client.pushOrder(order, { location: 'wh-east' });
    expect(time.sleeps).toEqual([]);
    await client.pushOrder(order, { location: 'wh-east' });
    expect(time.sleeps).toEqual([2000]);
  });
});

describe('ShipStation backfill', () => {
  it('reads shipments created since the cursor, in the source zone, and yields one-shipment pages with the new cursor', async () => {
    const shipment = (id: number, createDate: string) => ({ shipmentId: id, orderKey: 'web/1', createDate, shipmentItems: [] });
    nock(BASE)
      .get('/shipments')
      .query({ createDateStart: '2026-07-14T05:00:00', sortBy: 'CreateDate', sortDir: 'ASC', includeShipmentItems: 'true', page: '1', pageSize: '100' })
      .reply(200, { shipments: [shipment(1, '2026-07-14T06:00:00.0000000'), shipment(2, '2026-07-14T07:30:00.0000000')], total: 2, page: 1, pages: 1 });
    const client = createShipStationConnectorClient(config, { logger, ...fakeTime() });
    const pages = [];
    for await (const p of client.pollOrders('2026-07-14T12:00:00.000Z')) pages.push(p);
    expect(pages).toHaveLength(1);
    expect(pages[0]?.topic).toBe('shipments');
    expect(pages[0]?.cursor).toBe('2026-07-14T14:30:00.000Z');
    // Ids come back as the strings ShipStation wrote as numbers.
    expect(pages[0]?.orders).toEqual([
      { shipments: [{ ...shipment(1, '2026-07-14T06:00:00.0000000'), shipmentId: '1' }], total: 1, page: 1, pages: 1 },
      { shipments: [{ ...shipment(2, '2026-07-14T07:30:00.0000000'), shipmentId: '2' }], total: 1, page: 1, pages: 1 },
    ]);
  });
});

describe('ShipStation check', () => {
  it('says which configured warehouse does not exist', async () => {
    nock(BASE)
      .get('/warehouses')
      .reply(200, [{ warehouseId: 16080, warehouseName: 'Other' }]);
    const client = createShipStationConnectorClient(config, { logger, ...fakeTime() });
    await expect(client.check()).resolves.toEqual({ ok: false, message: expect.stringContaining('16079') });
  });
  it('reports refused credentials without throwing', async () => {
    nock(BASE).get('/warehouses').reply(401, { message: 'Unauthorized' });
    const client = createShipStationConnectorClient(config, { logger, ...fakeTime() });
    await expect(client.check()).resolves.toMatchObject({ ok: false });
  });
});
