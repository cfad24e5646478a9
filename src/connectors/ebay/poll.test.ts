import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { createEbayConnectorClient } from './index.js';
import { POLL_OVERLAP_MS } from './poll.js';
import { BASE, api, setup, tokenEndpoint } from './testing.js';

const ORDERS = '/sell/fulfillment/v1/order';

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

describe('eBay order poll (getOrders on lastmodifieddate, offset and limit)', () => {
  it('reads every page by offset and hands each order to the `order` normalizer, advancing the cursor at the end', async () => {
    const { config, deps, clock } = setup({}, { ordersPageSize: 2 });
    tokenEndpoint();
    const queries: Record<string, string>[] = [];
    const record = (q: Record<string, string>) => (queries.push(q), true);
    nock(BASE).get(ORDERS).query(record).reply(200, api('get-orders-page-1').body);
    nock(BASE).get(ORDERS).query(record).reply(200, api('get-orders-page-2').body);
    const cursor = '2026-11-19T12:00:00.000Z';
    const pages = await collect(createEbayConnectorClient(config, deps).pollOrders(cursor));
    expect(queries).toEqual([
      { filter: 'lastmodifieddate:[2026-11-19T12:00:00.000Z..]', limit: '2', offset: '0' },
      { filter: 'lastmodifieddate:[2026-11-19T12:00:00.000Z..]', limit: '2', offset: '2' },
    ]);
    expect(pages.map((p) => p.orders.map((o) => (o as { orderId: string }).orderId))).toEqual([
      ['12-10001-00001', '13-10002-00002'],
      ['14-10003-00003', '15-10004-00004'],
    ]);
    expect(pages.every((p) => p.topic === 'order')).toBe(true);
    // A crash after page 1 re-reads the window; the last page moves the cursor to the poll's start less the overlap.
    expect(pages[0]!.cursor).toBe(cursor);
    expect(pages[1]!.cursor).toBe(new Date(clock.now() - POLL_OVERLAP_MS).toISOString());
  });

  it('without a cursor starts the configured lookback ago, and an empty window still yields its cursor', async () => {
    const { config, deps, clock } = setup();
    tokenEndpoint();
    let filter = '';
    nock(BASE)
      .get(ORDERS)
      .query((q: Record<string, string>) => ((filter = q['filter']!), true))
      .reply(200, { total: 0, limit: 50, offset: 0, orders: [] });
    const pages = await collect(createEbayConnectorClient(config, deps).pollOrders(null));
    expect(filter).toBe(`lastmodifieddate:[${new Date(clock.now() - 24 * 3600 * 1000).toISOString()}..]`);
    expect(pages).toEqual([{ orders: [], cursor: new Date(clock.now() - POLL_OVERLAP_MS).toISOString(), topic: 'order' }]);
  });

  it('percent-encodes the filter brackets as eBay documents them', async () => {
    const { config, deps } = setup();
    tokenEndpoint();
    let raw = '';
    nock(BASE)
      .get((uri) => ((raw = uri), uri.startsWith(ORDERS)))
      .reply(200, { total: 0, orders: [] });
    await collect(createEbayConnectorClient(config, deps).pollOrders('2026-11-19T12:00:00.000Z'));
    expect(raw).toContain('filter=lastmodifieddate%3A%5B2026-11-19T12%3A00%3A00.000Z..%5D');
  });

  it('refuses a malformed cursor', async () => {
    const { config, deps } = setup();
    await expect(collect(createEbayConnectorClient(config, deps).pollOrders('yesterday'))).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('eBay reconciliation reads', () => {
  it('reads stock page by page following eBay next links, as ship-to-home levels', async () => {
    const { config, deps } = setup();
    tokenEndpoint();
    nock(BASE).get('/sell/inventory/v1/inventory_item').query({ limit: '100', offset: '0' }).reply(200, api('inventory-items').body);
    nock(BASE)
      .get('/sell/inventory/v1/inventory_item')
      .query({ limit: '2', offset: '1' })
      .reply(200, { total: 3, size: 2, inventoryItems: [{ sku: 'POSTER-1', availability: { shipToLocationAvailability: { quantity: 2 } } }] });
    const pages = await collect(createEbayConnectorClient(config, deps).readStockLevels());
    expect(pages.flat()).toEqual([
      { sku: 'TSHIRT-M', externalIds: { sku: 'TSHIRT-M' }, levels: [{ location: 'default', available: 9, pushed: true }] },
      { sku: 'MUG-1', externalIds: { sku: 'MUG-1' }, levels: [{ location: 'default', available: 0, pushed: true }] },
      { sku: 'POSTER-1', externalIds: { sku: 'POSTER-1' }, levels: [{ location: 'default', available: 2, pushed: true }] },
    ]);
  });

  it('lists orders of a window as summaries and reads full orders by id', async () => {
    const { config, deps } = setup();
    tokenEndpoint();
    nock(BASE)
      .get(ORDERS)
      .query({ filter: 'lastmodifieddate:[2026-11-19T00:00:00.000Z..2026-11-23T00:00:00.000Z]', limit: '50', offset: '0' })
      .reply(200, api('get-orders-page-2').body);
    const client = createEbayConnectorClient(config, deps);
    const summaries = (await collect(client.listOrders({ since: '2026-11-19T00:00:00.000Z', until: '2026-11-23T00:00:00.000Z' }))).flat();
    expect(summaries).toEqual([
      { externalOrderId: '14-10003-00003', orderNumber: '14-10003-00003', updatedAt: '2026-11-21T09:00:05.000Z', cancelled: true },
      { externalOrderId: '15-10004-00004', orderNumber: '15-10004-00004', updatedAt: '2026-11-22T08:30:00.000Z', cancelled: false },
    ]);
    nock(BASE)
      .get(ORDERS)
      .query({ orderIds: '14-10003-00003,missing' })
      .reply(200, { total: 1, orders: [(api('get-orders-page-2').body['orders'] as unknown[])[0]] });
    const full = await client.readOrders(['14-10003-00003', 'missing']);
    expect(full.map((o) => [o.externalOrderId, o.topic])).toEqual([['14-10003-00003', 'order']]);
  });
});
