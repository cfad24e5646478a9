import { readFileSync } from 'node:fs';
import nock from 'nock';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContractError, UpstreamUnavailableError } from '../../core/errors.js';
import type { Shipment } from '../../core/model/index.js';
import type { AvailabilityUpdate } from '../types.js';
import { pushAvailability } from './outbound/push-availability.js';
import { shipOrder } from './outbound/ship-order.js';
import { WALMART_BASE, tokenBody, walmartSetup } from './test-support.js';

const api = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/api/${name}.json`, import.meta.url), 'utf8')) as {
    status: number;
    headers: Record<string, string>;
    body: Record<string, unknown>;
  };
const NODE = '10000003527';

function setup(settings: Record<string, unknown> = {}) {
  const s = walmartSetup(settings);
  nock(WALMART_BASE).post('/v3/token').reply(200, tokenBody('tok'));
  const deps = {
    client: s.client,
    settings: s.config.settings,
    connectorId: s.config.id,
    logger: pino({ level: 'silent' }),
    now: s.clock.now,
    sleep: s.clock.sleep,
  };
  return { ...s, push: deps };
}

const update = (sku: string, available: number, version = 1, externalIds: Record<string, string> = {}): AvailabilityUpdate => ({
  sku,
  channel: 'walmart',
  available,
  version,
  externalIds,
});

/**
 * Single-item updates as Walmart receives them (sku → amount), one interceptor per SKU, answering
 * 200 with the update or the given failure. https://developer.walmart.com/us-marketplace/reference/updateinventoryforanitem
 */
function singleUpdates(skus: string[], failures: Record<string, [number, unknown]> = {}) {
  const seen: Record<string, number> = {};
  for (const sku of skus) {
    const [status, reply] = failures[sku] ?? [200, undefined];
    nock(WALMART_BASE)
      .put('/v3/inventory', (b: { sku: string; quantity: { unit: string; amount: number } }) => {
        if (b.sku !== sku || b.quantity.unit !== 'EACH') return false;
        if (status === 200) seen[sku] = b.quantity.amount;
        return true;
      })
      .query({ sku, shipNode: NODE })
      .reply(status, reply ?? { sku, quantity: { unit: 'EACH', amount: 0 } });
  }
  return seen;
}

describe('walmart pushAvailability', () => {
  beforeEach(() => nock.cleanAll());
  afterEach(() => nock.cleanAll());

  it('updates a few SKUs one by one at the push ship node, newest value per SKU, seller SKU when the catalogue has one', async () => {
    const { push } = setup();
    const seen = singleUpdates(['TEE-M', 'MUG-01', 'WM-CAP-01']);
    const result = await pushAvailability(push, [
      update('TEE-M', 5, 1),
      update('TEE-M', 3, 2),
      update('MUG-01', -2, 1),
      update('ERP-CAP', 7, 1, { sellerSku: 'WM-CAP-01' }),
    ]);
    expect(seen).toEqual({ 'TEE-M': 3, 'MUG-01': 0, 'WM-CAP-01': 7 });
    expect(result).toEqual({ pushed: 4, calls: 4, failures: [] });
  });

  it('fails only the SKU Walmart rejects in a batch of single updates', async () => {
    const { push } = setup();
    const seen = singleUpdates(['A', 'GONE', 'B'], {
      GONE: [404, { errors: [{ code: 'CONTENT_NOT_FOUND.GMP_INVENTORY_API', description: 'Item not found' }] }],
    });
    const result = await pushAvailability(push, [update('A', 1), update('GONE', 2), update('B', 3)]);
    expect(seen).toEqual({ A: 1, B: 3 });
    expect(result.pushed).toBe(2);
    expect(result.failures.map((f) => f.sku)).toEqual(['GONE']);
    expect(result.failures[0]!.error).toBeInstanceOf(ContractError);
    expect(result.failures[0]!.error.code).toBe('not_found');
    expect(result.failures[0]!.error.retryable).toBe(false);
  });

  it('throws a retryable failure for the whole push: absolute values are simply sent again', async () => {
    const { push } = setup();
    nock(WALMART_BASE).put('/v3/inventory').query(true).times(3).reply(503, {});
    await expect(pushAvailability(push, [update('A', 1)])).rejects.toBeInstanceOf(UpstreamUnavailableError);
  });

  it('sends more SKUs as one bulk inventory feed and reads per-SKU results: a data error fails that SKU, a system error is resent alone', async () => {
    const { push, clock } = setup();
    const skus = Array.from({ length: 12 }, (_, i) => `SKU-${i}`);
    let file = '';
    nock(WALMART_BASE)
      .post('/v3/feeds', (body: string) => ((file = body), true))
      .query({ feedType: 'inventory', shipNode: NODE })
      .reply(200, { feedId: 'FFE538D9B25A4000AD2A067ACEDCF4C4@AUoBAQA' });
    const statusPath = `/v3/feeds/${encodeURIComponent('FFE538D9B25A4000AD2A067ACEDCF4C4@AUoBAQA')}`;
    nock(WALMART_BASE)
      .get(statusPath)
      .query(true)
      .reply(200, { feedId: 'FFE538D9B25A4000AD2A067ACEDCF4C4@AUoBAQA', feedStatus: 'INPROGRESS', itemsReceived: 12 });
    const processed = api('feed-status-partial');
    nock(WALMART_BASE).get(statusPath).query({ includeDetails: 'true', offset: '0', limit: '50' }).reply(processed.status, processed.body);
    const resent = singleUpdates(['SKU-7']);
    const result = await pushAvailability(
      push,
      skus.map((sku, i) => update(sku, i)),
    );

    const feed = JSON.parse(file.slice(file.indexOf('{'), file.lastIndexOf('}') + 1)) as {
      InventoryHeader: unknown;
      Inventory: { sku: string; quantity: { amount: number } }[];
    };
    expect(feed.InventoryHeader).toEqual({ version: '1.4' });
    expect(feed.Inventory.map((i) => [i.sku, i.quantity.amount])).toEqual(skus.map((s, i) => [s, i]));
    expect(clock.sleeps).toEqual([1000]);
    expect(resent).toEqual({ 'SKU-7': 7 });
    expect(result.pushed).toBe(11);
    expect(result.failures.map((f) => [f.sku, f.error.code])).toEqual([['SKU-3', 'contract_rejected']]);
    expect(result.failures[0]!.error.message).toMatch(/ERR_PDI_0034 SKU not found/);
  });

  it('never resends a feed in-call: a failed submission is thrown for the queue', async () => {
    const { push } = setup();
    nock(WALMART_BASE).post('/v3/feeds').query(true).reply(500, {});
    await expect(
      pushAvailability(
        push,
        Array.from({ length: 11 }, (_, i) => update(`S${i}`, 1)),
      ),
    ).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('walmart shipping updates', () => {
  beforeEach(() => nock.cleanAll());
  afterEach(() => nock.cleanAll());

  const shipment = (
    tracking: Shipment['tracking'] = { number: '1Z999AA10123456784', company: 'UPS', url: 'https://www.ups.com/track?tracknum=1Z999AA10123456784' },
  ): Shipment => ({
    externalShipmentId: 'wh-1',
    channel: 'walmart',
    externalOrderId: '1796277083022',
    location: 'wh-east',
    shippedAt: '2026-12-02T15:00:00.000Z',
    lines: [
      { sku: 'TEE-M', quantity: 2 },
      { sku: 'MUG-01', quantity: 1 },
    ],
    ...(tracking ? { tracking } : {}),
  });

  it('ships each unit on its own line of the same SKU, with tracking, once', async () => {
    const { client, config } = setup();
    const order = api('order-acknowledged');
    nock(WALMART_BASE).get('/v3/orders/1796277083022').reply(200, order.body);
    let sent:
      { orderShipment: { orderLines: { orderLine: { lineNumber: string; orderLineStatuses: { orderLineStatus: Record<string, unknown>[] } }[] } } } | undefined;
    nock(WALMART_BASE)
      .post('/v3/orders/1796277083022/shipping', (b: typeof sent) => ((sent = b), true))
      .reply(200, order.body);
    await shipOrder(client, config.settings, config.id, shipment(), {});
    const lines = sent!.orderShipment.orderLines.orderLine;
    expect(lines.map((l) => [l.lineNumber, (l.orderLineStatuses.orderLineStatus[0]!['statusQuantity'] as { amount: string }).amount])).toEqual([
      ['1', '1'],
      ['2', '1'],
      ['3', '1'],
    ]);
    expect(lines[0]!.orderLineStatuses.orderLineStatus[0]).toMatchObject({
      status: 'Shipped',
      trackingInfo: {
        shipDateTime: Date.parse('2026-12-02T15:00:00.000Z'),
        carrierName: { carrier: 'UPS' },
        methodCode: 'Standard',
        trackingNumber: '1Z999AA10123456784',
      },
    });

    // A retry after the update went through finds the tracking number on the order and sends nothing.
    const shipped = structuredClone(order.body) as {
      order: { orderLines: { orderLine: { orderLineStatuses: { orderLineStatus: Record<string, unknown>[] } }[] } };
    };
    shipped.order.orderLines.orderLine[0]!.orderLineStatuses.orderLineStatus[0] = {
      status: 'Shipped',
      statusQuantity: { amount: '1' },
      trackingInfo: { trackingNumber: '1Z999AA10123456784' },
    };
    nock(WALMART_BASE).get('/v3/orders/1796277083022').reply(200, shipped);
    await shipOrder(client, config.settings, config.id, shipment(), {});
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('refuses a shipment without tracking, and more units than the order has left, naming the line', async () => {
    const { client, config } = setup();
    await expect(shipOrder(client, config.settings, config.id, shipment(null as never), {})).rejects.toThrow(/requires a tracking number/);
    nock(WALMART_BASE).get('/v3/orders/1796277083022').reply(200, api('order-acknowledged').body);
    const tooMany = { ...shipment(), lines: [{ sku: 'TEE-M', quantity: 3 }] };
    const err = await shipOrder(client, config.settings, config.id, tooMany, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContractError);
    expect((err as ContractError).message).toMatch(/line 1 \(SKU TEE-M\) has 1 of 3 units with nothing left to ship/);
  });
});
