import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createMappingLookup } from '../../mappings/lookup.js';
import { amazonSpWebhooks } from './index.js';
import { pollAmazonOrders } from './poll.js';
import { BASE, T0, api, lwa, reply, setup } from './test-support.js';
import { expectEveryMockUsed } from '../../../test/helpers/nock.js';

expectEveryMockUsed();

const ctx = {
  connectorId: 'amazon-us',
  connectorType: 'amazon-sp',
  config: { settings: { channel: 'amazon' } as never },
  receivedAt: '2026-12-01T00:00:00.000Z',
  delivery: { dedupKey: 'poll', topic: 'orders' },
  lookup: createMappingLookup({ skus: new Set(['TSHIRT-M', 'MUG-BLUE']), external: new Map(), locations: {} }),
};

describe('amazon-sp pollOrders', () => {
  it('follows NextToken across pages, reads items per priced order only, and yields payloads the orders normalizer reads', async () => {
    const { client, config, clock } = setup({}, { maxThrottleWaitMs: 0 });
    lwa(1);
    const since = '2026-11-30T00:00:00.000Z';
    nock(BASE)
      .get('/orders/v0/orders')
      .query({ MarketplaceIds: 'ATVPDKIKX0DER', MaxResultsPerPage: '100', LastUpdatedAfter: since })
      .reply(...reply(api('get-orders-page-1')));
    nock(BASE)
      .get('/orders/v0/orders')
      .query({ MarketplaceIds: 'ATVPDKIKX0DER', NextToken: '2YgYW55IGNhcm5hbCBwbGVhc3VyZS4=' })
      .reply(...reply(api('get-orders-page-2')));
    nock(BASE)
      .get('/orders/v0/orders/902-0000001-0000001/orderItems')
      .reply(...reply(api('get-order-items-1')));
    nock(BASE)
      .get('/orders/v0/orders/902-0000003-0000003/orderItems')
      .reply(...reply(api('get-order-items-3')));

    const pages = [];
    for await (const page of pollAmazonOrders(client, config.settings, since, clock.now)) pages.push(page);

    // The first page keeps the old cursor (getOrders is not sorted); the last moves it to now - 2 min.
    expect(pages.map((p) => p.cursor)).toEqual([since, new Date(T0 - 120_000).toISOString()]);
    expect(pages.every((p) => p.topic === 'orders')).toBe(true);
    const events = pages.flatMap((p) => p.orders).flatMap((o) => amazonSpWebhooks.topics['orders']!(o, ctx));
    expect(events.map((e) => [e.type, e.source.externalId])).toEqual([
      ['order.upserted', '902-0000001-0000001'],
      ['order.upserted', '902-0000003-0000003'],
      ['order.cancelled', '902-0000004-0000004'],
    ]);
  });

  it('never moves the cursor backwards', async () => {
    const { client, config, clock } = setup();
    lwa(1);
    nock(BASE)
      .get('/orders/v0/orders')
      .query(true)
      .reply(200, { payload: { Orders: [] } });
    const ahead = new Date(T0 - 30_000).toISOString();
    const pages = [];
    for await (const page of pollAmazonOrders(client, config.settings, ahead, clock.now)) pages.push(page);
    expect(pages).toEqual([{ orders: [], cursor: ahead, topic: 'orders' }]);
  });
});
