import { readFileSync } from 'node:fs';
import nock from 'nock';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { previewLookup } from '../../mappings/lookup.js';
import { walmartWebhooks } from './index.js';
import { POLL_OVERLAP_MS, pollWalmartOrders } from './poll.js';
import { readWalmartOrders, readWalmartStockLevels } from './reconcile.js';
import { T0, WALMART_BASE, tokenBody, walmartSetup } from './test-support.js';
import { expectEveryMockUsed } from '../../../test/helpers/nock.js';

const api = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/api/${name}.json`, import.meta.url), 'utf8')) as {
    status: number;
    headers: Record<string, string>;
    body: Record<string, unknown>;
  };

function setup(settings: Record<string, unknown> = {}) {
  const s = walmartSetup(settings);
  nock(WALMART_BASE).post('/v3/token').reply(200, tokenBody('tok'));
  return s;
}

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

describe('walmart pollOrders', () => {
  expectEveryMockUsed();

  it('reads orders modified since the cursor across pages, acknowledges new ones, and moves the cursor only at the end', async () => {
    const { client, config, clock } = setup();
    const first = api('orders-page-1');
    const second = api('orders-page-2');
    nock(WALMART_BASE)
      .get('/v3/orders')
      .query({ lastModifiedStartDate: '2026-12-01T11:00:00.000Z', limit: '200', shipNodeType: 'SellerFulfilled' })
      .reply(200, first.body, first.headers);
    nock(WALMART_BASE).post('/v3/orders/4792701166430/acknowledge').reply(200, {});
    nock(WALMART_BASE)
      .get('/v3/orders')
      .query({
        limit: '1',
        hasMoreElements: 'true',
        soIndex: '2',
        poIndex: '1',
        partnerId: '100009',
        sellerId: '8',
        lastModifiedStartDate: '2026-12-01T11:00:00.000Z',
      })
      .reply(200, second.body);
    const pages = await collect(
      pollWalmartOrders(client, config.settings, '2026-12-01T11:00:00.000Z', { now: clock.now, logger: pino({ level: 'silent' }), connectorId: config.id }),
    );

    expect(pages.map((p) => [p.orders.length, p.cursor, p.topic])).toEqual([
      [1, '2026-12-01T11:00:00.000Z', 'orders'],
      [1, new Date(T0 - POLL_OVERLAP_MS).toISOString(), 'orders'],
    ]);
    // Each polled order is a one-order page the `orders` normalizer reads; the second, already acknowledged, was not acknowledged again.
    const ctx = {
      connectorId: 'walmart-us',
      connectorType: 'walmart',
      config,
      receivedAt: 'x',
      delivery: { dedupKey: 'x', topic: 'orders' },
      lookup: previewLookup(null),
    };
    const events = pages.flatMap((p) => p.orders.flatMap((o) => walmartWebhooks.topics['orders']!(o, ctx as never)));
    expect(events.map((e) => [e.type, e.source.externalId])).toEqual([
      ['order.upserted', '4792701166430'],
      ['order.upserted', '4792701166431'],
    ]);
  });

  it('fails before the cursor moves when an acknowledgement fails retryably', async () => {
    const { client, config, clock } = setup();
    nock(WALMART_BASE).get('/v3/orders').query(true).reply(200, api('orders-page-1').body);
    nock(WALMART_BASE).post('/v3/orders/4792701166430/acknowledge').times(3).reply(503, {});
    const pages: unknown[] = [];
    const run = async () => {
      for await (const p of pollWalmartOrders(client, config.settings, null, { now: clock.now, logger: pino({ level: 'silent' }), connectorId: config.id }))
        pages.push(p);
    };
    await expect(run()).rejects.toThrow(/acknowledgeOrders: HTTP 503/);
    expect(pages).toEqual([]);
  });

  it('still hands over an order Walmart refuses to acknowledge (cancelled meanwhile), and always yields a cursor', async () => {
    const { client, config, clock } = setup();
    nock(WALMART_BASE)
      .get('/v3/orders')
      .query(true)
      .reply(200, {
        list: {
          meta: { totalCount: 1, nextCursor: null },
          elements: { order: (api('orders-page-1').body as { list: { elements: { order: unknown[] } } }).list.elements.order },
        },
      });
    nock(WALMART_BASE)
      .post('/v3/orders/4792701166430/acknowledge')
      .reply(400, { errors: [{ code: 'INVALID_REQUEST_CONTENT.GMP_ORDER_API' }] });
    const pages = await collect(
      pollWalmartOrders(client, config.settings, null, { now: clock.now, logger: pino({ level: 'silent' }), connectorId: config.id }),
    );
    expect(pages).toHaveLength(1);
    expect(pages[0]!.orders).toHaveLength(1);
    nock(WALMART_BASE).post('/v3/token').reply(200, tokenBody('tok'));
    nock(WALMART_BASE)
      .get('/v3/orders')
      .query(true)
      .reply(200, { list: { meta: {}, elements: { order: [] } } });
    const empty = await collect(
      pollWalmartOrders(walmartSetup().client, config.settings, null, { now: clock.now, logger: pino({ level: 'silent' }), connectorId: config.id }),
    );
    expect(empty.map((p) => p.orders.length)).toEqual([0]);
  });

  it('refuses a cursor that is not an ISO instant', async () => {
    const { client, config, clock } = walmartSetup();
    await expect(
      collect(pollWalmartOrders(client, config.settings, 'yesterday', { now: clock.now, logger: pino({ level: 'silent' }), connectorId: config.id })),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('walmart reconciliation reads', () => {
  beforeEach(() => nock.cleanAll());
  afterEach(() => nock.cleanAll());

  it('reads inventories across pages, reporting the seller-set quantity at the push node and the mapped nodes only', async () => {
    const { client, config } = setup({ locations: { '10000003527': 'wh-east', '10000009999': 'wh-west' }, shipNode: '10000003527' });
    // https://developer.walmart.com/us-marketplace/reference/getmultinodeinventoryforallskuandallshipnodes
    nock(WALMART_BASE)
      .get('/v3/inventories')
      .query({ limit: '50' })
      .reply(200, {
        meta: { totalCount: 2, nextCursor: 'NTVmZjIxOWEtZjRkMy00MGIwLThkOGYtYzFkNzI1NGZlYmQxIDEw' },
        elements: {
          inventories: [
            {
              sku: 'TEE-M',
              nodes: [
                {
                  shipNode: '10000003527',
                  inputQty: { unit: 'EACH', amount: 9 },
                  availToSellQty: { unit: 'EACH', amount: 7 },
                  reservedQty: { unit: 'EACH', amount: 2 },
                },
                {
                  shipNode: '361451354333223041',
                  inputQty: { unit: 'EACH', amount: 4 },
                  availToSellQty: { unit: 'EACH', amount: 4 },
                  reservedQty: { unit: 'EACH', amount: 0 },
                },
              ],
            },
          ],
        },
      });
    nock(WALMART_BASE)
      .get('/v3/inventories')
      .query({ limit: '50', nextCursor: 'NTVmZjIxOWEtZjRkMy00MGIwLThkOGYtYzFkNzI1NGZlYmQxIDEw' })
      .reply(200, {
        meta: { totalCount: 2 },
        elements: { inventories: [{ sku: 'MUG-01', nodes: [{ shipNode: '10000009999', inputQty: { unit: 'EACH', amount: 3 } }] }] },
      });
    const pages = await collect(readWalmartStockLevels(client, config.settings));
    expect(pages).toEqual([
      [{ sku: 'TEE-M', externalIds: { sellerSku: 'TEE-M' }, levels: [{ location: '10000003527', available: 9, pushed: true }] }],
      [{ sku: 'MUG-01', externalIds: { sellerSku: 'MUG-01' }, levels: [{ location: '10000009999', available: 3, pushed: false }] }],
    ]);
  });

  it('reads orders by purchase order id as one-order pages, leaving out ids Walmart does not know', async () => {
    const { client } = setup();
    nock(WALMART_BASE).get('/v3/orders/1796277083022').reply(200, api('order-acknowledged').body);
    nock(WALMART_BASE)
      .get('/v3/orders/404404')
      .reply(404, { errors: [{ code: 'CONTENT_NOT_FOUND.GMP_ORDER_API' }] });
    const found = await readWalmartOrders(client, ['1796277083022', '404404']);
    expect(found.map((f) => [f.externalOrderId, f.topic])).toEqual([['1796277083022', 'orders']]);
    expect((found[0]!.body as { list: { elements: { order: { purchaseOrderId: string }[] } } }).list.elements.order[0]!.purchaseOrderId).toBe('1796277083022');
  });
});
