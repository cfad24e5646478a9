import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MappingError, ValidationError } from '../../core/errors.js';
import type { CanonicalEvent, Order } from '../../core/model/index.js';
import { createMappingLookup } from '../../mappings/lookup.js';
import type { NormalizeContext } from '../types.js';
import { walmartWebhooks } from './index.js';

const fixture = (name: string): unknown =>
  (JSON.parse(readFileSync(new URL(`./fixtures/orders/${name}.json`, import.meta.url), 'utf8')) as { body: unknown }).body;

function ctx(skus: string[] = ['TEE-M', 'MUG-01'], external: [string, string][] = []): NormalizeContext<never> {
  return {
    connectorId: 'walmart-us',
    connectorType: 'walmart',
    config: { settings: { channel: 'walmart' } } as never,
    receivedAt: '2026-12-01T12:00:00.000Z',
    delivery: { dedupKey: 'test', topic: 'orders' },
    lookup: createMappingLookup({ skus: new Set(skus), external: new Map([['sellerSku', new Map(external)]]), locations: {} }),
  };
}

const normalize = (body: unknown, c = ctx()) => walmartWebhooks.topics['orders']!(body, c);
const orderOf = (events: CanonicalEvent[]) => events[0]!.data as Order;

describe('walmart orders normalizer (one getAllOrders page)', () => {
  it('turns a multi-line purchase order into order.upserted keyed on lineNumber, with the same SKU on two lines', () => {
    const events = normalize(fixture('multi-line'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'order.upserted',
      idempotencyKey: 'walmart-us:order:1796277083022:2026-12-01T06:05:00.000Z',
      source: { connector: 'walmart-us', connectorType: 'walmart', externalId: '1796277083022', version: '2026-12-01T06:05:00.000Z' },
    });
    const order = orderOf(events);
    expect(order).toMatchObject({
      channel: 'walmart',
      externalOrderId: '1796277083022',
      orderNumber: '5281956426648',
      placedAt: '2026-12-01T06:00:00.000Z',
      currency: 'USD',
    });
    expect(order.lines.map((l) => [l.externalLineId, l.sku, l.quantity])).toEqual([
      ['1', 'TEE-M', 1],
      ['2', 'TEE-M', 1],
      ['3', 'MUG-01', 2],
    ]);
    // What allocation needs per SKU is the sum over lines.
    const perSku = order.lines.reduce<Record<string, number>>((acc, l) => ({ ...acc, [l.sku!]: (acc[l.sku!] ?? 0) + l.quantity }), {});
    expect(perSku).toEqual({ 'TEE-M': 2, 'MUG-01': 2 });
  });

  it('reads string quantities as integers and divides the line charge by the quantity instead of multiplying it again', () => {
    const order = orderOf(normalize(fixture('multi-line')));
    const mug = order.lines.find((l) => l.externalLineId === '3')!;
    expect(mug.quantity).toBe(2);
    expect(mug.unitPrice).toEqual({ amount: '12.99', currency: 'USD' });
    // 19.99 + 19.99 + 25.98 products, 5.99 shipping, 1.60 + 1.60 + 2.08 tax: decimal sums, not float ones.
    expect(order.subtotal).toEqual({ amount: '65.96', currency: 'USD' });
    expect(order.shipping).toEqual({ amount: '5.99', currency: 'USD' });
    expect(order.tax).toEqual({ amount: '5.28', currency: 'USD' });
    expect(order.total).toEqual({ amount: '77.23', currency: 'USD' });
  });

  it('writes the alpha-3 country as alpha-2 and epoch-millisecond dates as ISO UTC', () => {
    const order = orderOf(normalize(fixture('multi-line')));
    expect(order.shipTo).toMatchObject({ country: 'US', province: 'NY', postalCode: '13164', name: 'Kathryn Cole' });
    expect(order.placedAt).toBe('2026-12-01T06:00:00.000Z');
  });

  it('reports a purchase order whose every line is cancelled as order.cancelled, once per order', () => {
    const events = normalize(fixture('cancelled'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'order.cancelled',
      idempotencyKey: 'walmart-us:order.cancelled:3796235970012',
      data: { channel: 'walmart', externalOrderId: '3796235970012', cancelledAt: '2026-12-02T06:00:00.000Z', reason: 'CUSTOMER_REQUESTED_SELLER_TO_CANCEL' },
    });
  });

  it('takes cancelled units off their lines and leaves out a line with none left', () => {
    const order = orderOf(normalize(fixture('partly-cancelled')));
    expect(order.lines.map((l) => [l.externalLineId, l.quantity])).toEqual([
      ['2', 1],
      ['3', 1],
    ]);
    // Line 2 whole, half of line 3's product and tax, the shipping charge of line 3.
    expect([order.subtotal?.amount, order.tax?.amount, order.shipping?.amount, order.total.amount]).toEqual(['32.98', '2.64', '5.99', '41.61']);
    // The later cancellation date is the order's version: a read from before it never wins.
    expect(normalize(fixture('partly-cancelled'))[0]!.source.version).toBe('2026-12-02T06:00:00.000Z');
  });

  it('refuses a date written in epoch seconds instead of reading it as January 1970', () => {
    expect(() => normalize(fixture('date-in-seconds'))).toThrow(ValidationError);
    try {
      normalize(fixture('date-in-seconds'));
    } catch (err) {
      expect((err as ValidationError).field).toBe('list.elements.order[0].orderDate');
      expect((err as ValidationError).message).toMatch(/walmart-us: orders payload.*epoch milliseconds/);
    }
  });

  it('refuses a quantity that is not the documented string, naming the field', () => {
    try {
      normalize(fixture('quantity-not-a-string'));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe('list.elements.order[0].orderLines.orderLine[2].orderLineQuantity.amount');
    }
  });

  it('sends a line with an unknown SKU to mapping with every unknown line named', () => {
    try {
      normalize(fixture('multi-line'), ctx(['MUG-01']));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(MappingError);
      const e = err as MappingError;
      expect(e.code).toBe('unknown_sku');
      expect(e.issues.map((i) => i.field)).toEqual([
        'list.elements.order[0].orderLines.orderLine[0].item.sku',
        'list.elements.order[0].orderLines.orderLine[1].item.sku',
      ]);
      expect(e.message).toMatch(/purchase order 1796277083022 line 1 has unknown SKU "TEE-M"/);
    }
  });

  it("maps a Walmart seller SKU to the ERP SKU through the catalogue's external ids", () => {
    const order = orderOf(normalize(fixture('multi-line'), ctx(['MUG-01', 'ERP-TEE-M'], [['TEE-M', 'ERP-TEE-M']])));
    expect(order.lines.filter((l) => l.sku === 'ERP-TEE-M')).toHaveLength(2);
  });

  it('normalizes the same page twice to the same events (stable ids and keys)', () => {
    expect(normalize(fixture('multi-line'))).toEqual(normalize(fixture('multi-line')));
  });

  it('refuses a duplicated lineNumber and a page that is not a getAllOrders page', () => {
    const dup = structuredClone(fixture('multi-line')) as { list: { elements: { order: { orderLines: { orderLine: { lineNumber: string }[] } }[] } } };
    dup.list.elements.order[0]!.orderLines.orderLine[1]!.lineNumber = '1';
    expect(() => normalize(dup)).toThrow(/lineNumber "1" appears twice/);
    expect(() => normalize({ orders: [] })).toThrow(ValidationError);
  });
});
