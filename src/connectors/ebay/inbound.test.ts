import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { MappingError, ValidationError } from '../../core/errors.js';
import type { CanonicalEvent, EventOf } from '../../core/model/index.js';
import { normalizePayload } from '../../cli/normalize.js';
import { createMappingLookup } from '../../mappings/lookup.js';
import type { NormalizeContext } from '../types.js';
import { type EbayConfig, EbayConfigSchema } from './config.js';
import { ebayWebhooks } from './index.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/api/${name}.json`, import.meta.url), 'utf8')) as { doc: string; body: { orders: Record<string, unknown>[] } };
const page1 = () => fixture('get-orders-page-1').body;
const page2 = () => fixture('get-orders-page-2').body;

/** A catalogue where the legacy listing 220011223344 is product POSTER-1 (no eBay SKU). */
function ctx(
  topic: string,
  externalIds: Record<string, Record<string, string>> = { legacyItemId: { '220011223344': 'POSTER-1' } },
): NormalizeContext<EbayConfig> {
  const external = new Map(Object.entries(externalIds).map(([k, v]) => [k, new Map(Object.entries(v))]));
  return {
    connectorId: 'ebay-main',
    connectorType: 'ebay',
    config: EbayConfigSchema.parse({
      settings: { channel: 'ebay', locations: { default: 'wh-east' } },
      credentials: { clientId: 'c', clientSecret: 's', refreshToken: 'r' },
    }),
    receivedAt: '2026-11-24T12:00:00.000Z',
    delivery: { dedupKey: 'test', topic },
    lookup: createMappingLookup({ skus: new Set(['TSHIRT-M', 'MUG-1', 'POSTER-1']), external, locations: { default: 'wh-east' } }),
  };
}
const normalizePage = (body: unknown, c = ctx('orders')) => ebayWebhooks.topics['orders']!(body, c);
const normalizeOne = (body: unknown, c = ctx('order')) => ebayWebhooks.topics['order']!(body, c);
const upserts = (events: CanonicalEvent[]) => events.filter((e): e is EventOf<'order.upserted'> => e.type === 'order.upserted');

describe('eBay getOrders normalizer', () => {
  it('turns a multi-line order into one order.upserted with every line, unit prices derived from the line totals', () => {
    const [order] = upserts(normalizePage(page1()));
    expect(order!.data).toMatchObject({
      channel: 'ebay',
      externalOrderId: '12-10001-00001',
      orderNumber: '12-10001-00001',
      placedAt: '2026-11-20T10:00:00.000Z',
      financialStatus: 'paid',
    });
    expect(order!.data.lines).toEqual([
      // lineItemCost "44.97" is 3 shirts together: the unit price is 14.99, never 44.97 (or 134.91).
      { externalLineId: '10000000001001', sku: 'TSHIRT-M', quantity: 3, unitPrice: { amount: '14.99', currency: 'USD' }, title: 'T-Shirt, size M' },
      { externalLineId: '10000000001002', sku: 'MUG-1', quantity: 1, unitPrice: { amount: '15.00', currency: 'USD' }, title: 'Coffee mug' },
    ]);
    expect(order!.data.total).toEqual({ amount: '64.97', currency: 'USD' });
    expect(order!.data.subtotal).toEqual({ amount: '59.97', currency: 'USD' });
    expect(order!.data.shipTo).toMatchObject({ name: 'Jane Doe', city: 'San Jose', country: 'US', postalCode: '95125' });
    expect(order!.source).toEqual({ connector: 'ebay-main', connectorType: 'ebay', externalId: '12-10001-00001', version: '2026-11-20T10:05:00.000Z' });
    expect(order!.idempotencyKey).toBe('ebay-main:order:12-10001-00001:2026-11-20T10:05:00.000Z');
  });

  it('derives a unit price exactly with decimals when the line total does not divide evenly', () => {
    const body = page1();
    const line = (body.orders[0]!['lineItems'] as Record<string, unknown>[])[0]!;
    line['lineItemCost'] = { value: '10.00', currency: 'USD' };
    const [order] = upserts(normalizePage(body));
    expect(order!.data.lines[0]!.unitPrice).toEqual({ amount: '3.3333', currency: 'USD' });
  });

  it('maps a legacy-listing line that has no sku key by its legacyItemId', () => {
    const body = page1();
    expect(Object.hasOwn((body.orders[1]!['lineItems'] as object[])[0]!, 'sku')).toBe(false);
    const [, order] = upserts(normalizePage(body));
    expect(order!.data.lines).toEqual([
      {
        externalLineId: '10000000002001',
        sku: 'POSTER-1',
        quantity: 2,
        unitPrice: { amount: '10.00', currency: 'USD' },
        title: 'Vintage poster (legacy listing)',
      },
    ]);
  });

  it('maps an eBay SKU that differs from the hub SKU through the product external ids', () => {
    const body = page1();
    (body.orders[0]!['lineItems'] as Record<string, unknown>[])[1]!['sku'] = 'EBAY-MUG';
    const [order] = upserts(normalizePage(body, ctx('orders', { sku: { 'EBAY-MUG': 'MUG-1' }, legacyItemId: { '220011223344': 'POSTER-1' } })));
    expect(order!.data.lines[1]!.sku).toBe('MUG-1');
  });

  it('fails an order whose legacy line maps to no product, naming the line and its legacyItemId', () => {
    const err = (() => {
      try {
        normalizePage(page1(), ctx('orders', {}));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MappingError);
    expect((err as MappingError).field).toBe('orders[1].lineItems[0].legacyItemId');
    expect((err as MappingError).message).toMatch(/line 1 \(lineItemId 10000000002001\) has no SKU and legacy item 220011223344/);
  });

  it('keeps collect-and-remit tax inside the total: total as written, tax reported, nothing added twice', () => {
    const [, order] = upserts(normalizePage(page1()));
    expect(order!.data.total).toEqual({ amount: '21.65', currency: 'USD' });
    expect(order!.data.tax).toEqual({ amount: '1.65', currency: 'USD' });
    expect(order!.data.taxesIncluded).toBe(false);
    // A "0.0" shipping amount is a real zero, kept as eBay wrote it.
    expect(order!.data.shipping).toEqual({ amount: '0.0', currency: 'USD' });
    const { subtotal, shipping, tax, total } = order!.data;
    expect(new Decimal(subtotal!.amount).plus(shipping!.amount).plus(tax!.amount).equals(total.amount)).toBe(true);
  });

  it('reads amounts only as decimal strings: a numeric amount is rejected naming the field', () => {
    const body = page1();
    (body.orders[0]!['pricingSummary'] as Record<string, unknown>)['total'] = { value: 64.97, currency: 'USD' };
    expect(() => normalizePage(body)).toThrow(ValidationError);
    try {
      normalizePage(body);
    } catch (e) {
      expect((e as ValidationError).field).toBe('orders[0].pricingSummary.total.value');
      expect((e as ValidationError).connectorId).toBe('ebay-main');
    }
  });

  it('reports a CANCELED order as order.cancelled, once per order whatever its modification date', () => {
    const events = normalizePage(page2());
    const cancelled = events.find((e) => e.type === 'order.cancelled')!;
    expect(cancelled.data).toEqual({ channel: 'ebay', externalOrderId: '14-10003-00003', cancelledAt: '2026-11-21T09:00:00.000Z' });
    expect(cancelled.idempotencyKey).toBe('ebay-main:order.cancelled:14-10003-00003');
    expect(events.filter((e) => e.source.externalId === '14-10003-00003').map((e) => e.type)).toEqual(['order.cancelled']);
  });

  it('treats an open cancellation request as a request: the order stays upserted and the request is recorded', () => {
    const events = normalizePage(page2()).filter((e) => e.source.externalId === '15-10004-00004');
    expect(events.map((e) => e.type)).toEqual(['order.upserted', 'order.cancellation.requested']);
    expect(events[1]!.data).toEqual({ channel: 'ebay', externalOrderId: '15-10004-00004', requestedAt: '2026-11-22T08:30:00.000Z', requestedBy: 'buyer' });
    const order = upserts(events)[0]!;
    expect(order.data.discounts).toEqual({ amount: '3.00', currency: 'USD' });
    expect(order.data.presentment).toEqual({ currency: 'GBP', total: { amount: '24.90', currency: 'GBP' } });
  });

  it('gives the same ids twice and a new key for a newer modification (stale never wins on version)', () => {
    const order = page1().orders[0]!;
    const a = normalizeOne(order);
    expect(normalizeOne(order)).toEqual(a);
    const newer = normalizeOne({ ...order, lastModifiedDate: '2026-11-20T11:00:00.000Z' });
    expect(newer[0]!.idempotencyKey).not.toBe(a[0]!.idempotencyKey);
    expect(newer[0]!.source.version).toBe('2026-11-20T11:00:00.000Z');
  });

  it('rejects a line with zero quantity instead of reading it as a cancellation', () => {
    const order = page1().orders[0]!;
    (order['lineItems'] as Record<string, unknown>[])[0]!['quantity'] = 0;
    expect(() => normalizeOne(order)).toThrow(/lines\[0\]\.quantity/);
  });

  it('previews a page with `hub normalize ebay orders <file>` and answers bad input with exit 2', async () => {
    const text = readFileSync(new URL('./fixtures/api/get-orders-page-1.json', import.meta.url), 'utf8');
    const ok = await normalizePayload('ebay', 'orders', text);
    expect(ok.exitCode).toBe(0);
    expect((ok.output as CanonicalEvent[]).map((e) => e.type)).toEqual(['order.upserted', 'order.upserted']);
    const bad = await normalizePayload('ebay', 'orders', JSON.stringify({ orders: [{ orderId: 'x' }], total: 1 }));
    expect(bad.exitCode).toBe(2);
    expect(bad.output).toMatchObject({ error: { code: 'missing_field', connector: 'ebay' } });
  });
});
