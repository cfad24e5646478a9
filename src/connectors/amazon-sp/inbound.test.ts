import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HubError, MappingError, ValidationError } from '../../core/errors.js';
import type { CanonicalEvent } from '../../core/model/index.js';
import { createMappingLookup } from '../../mappings/lookup.js';
import { parseJsonPreservingIds } from '../http/json.js';
import type { NormalizeContext } from '../types.js';
import type { AmazonSpConfig } from './config.js';
import { amazonSpWebhooks } from './index.js';

/** Fixtures are { doc, apiVersion, headers, body } built from Amazon's documented shapes. */
function fixture(path: string): { doc: string; body: Record<string, any> } {
  return parseJsonPreservingIds(readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8')) as { doc: string; body: Record<string, any> };
}

const ctx = (skus = ['TSHIRT-M', 'MUG-BLUE', 'SOCKS-3PK']): NormalizeContext<Pick<AmazonSpConfig, 'settings'>> => ({
  connectorId: 'amazon-us',
  connectorType: 'amazon-sp',
  config: { settings: { channel: 'amazon' } as AmazonSpConfig['settings'] },
  receivedAt: '2026-12-01T00:00:00.000Z',
  delivery: { dedupKey: 'test', topic: 'orders' },
  lookup: createMappingLookup({
    skus: new Set(skus),
    external: new Map([['asin', new Map([['B0SOCKS003', 'SOCKS-3PK']])]]),
    locations: { DEFAULT: 'wh-east' },
  }),
});

const orders = (body: unknown, c = ctx()) => amazonSpWebhooks.topics['orders']!(body, c);
const orderChange = (body: unknown, c = ctx()) => amazonSpWebhooks.topics['ORDER_CHANGE']!(body, c);
const catchError = (fn: () => unknown): HubError => {
  try {
    fn();
  } catch (err) {
    return err as HubError;
  }
  throw new Error('expected an error');
};

describe('amazon-sp orders (getOrders page + getOrderItems)', () => {
  it('normalizes a multi-line order with string money, without multiplying the line totals again', () => {
    const f = fixture('orders/multi-line.json');
    expect(f.doc).toMatch(/^https:\/\/developer-docs\.amazon\.com\//);
    const [event, ...rest] = orders(f.body) as [CanonicalEvent];
    expect(rest).toEqual([]);
    expect(event.type).toBe('order.upserted');
    expect(event.idempotencyKey).toBe('amazon-us:order:902-3159896-1390916:2026-11-30T18:45:33.000Z');
    expect(event.source).toEqual({
      connector: 'amazon-us',
      connectorType: 'amazon-sp',
      externalId: '902-3159896-1390916',
      version: '2026-11-30T18:45:33.000Z',
    });
    const data = event.data as Extract<CanonicalEvent, { type: 'order.upserted' }>['data'];
    expect(data.total).toEqual({ amount: '71.47', currency: 'USD' });
    expect(data.lines).toEqual([
      // ItemPrice 39.98 is the price of both units: 19.99 each, not 39.98 each.
      { externalLineId: '68828574383266', sku: 'TSHIRT-M', quantity: 2, unitPrice: { amount: '19.99', currency: 'USD' }, title: 'Commerce Hub T-Shirt, M' },
      { externalLineId: '79039765272157', sku: 'MUG-BLUE', quantity: 1, unitPrice: { amount: '21.50', currency: 'USD' }, title: 'Commerce Hub Mug, blue' },
    ]);
    expect(data.subtotal).toEqual({ amount: '61.48', currency: 'USD' });
    expect(data.shipping).toEqual({ amount: '4.99', currency: 'USD' });
    expect(data.tax).toEqual({ amount: '5.00', currency: 'USD' });
    // No Restricted Data Token: no buyer, and only the unrestricted address fields.
    expect(data.customer).toBeUndefined();
    expect(data.shipTo).toEqual({ city: 'SEATTLE', province: 'WA', postalCode: '98109-4321', country: 'US' });
  });

  it('keeps a unit price that does not divide evenly exact to 10 places instead of rounding the line', () => {
    const [event] = orders(fixture('orders/buyer-requested-cancel.json').body);
    const line = (event!.data as { lines: { unitPrice: { amount: string }; quantity: number }[] }).lines[0]!;
    expect(line).toMatchObject({ quantity: 3, unitPrice: { amount: '3.3333333333' } });
  });

  it('turns a Canceled order into order.cancelled keyed once per order', () => {
    const events = orders(fixture('orders/cancelled.json').body);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'order.cancelled',
      idempotencyKey: 'amazon-us:order.cancelled:113-4558122-7770617',
      source: { version: '2026-11-30T20:01:10.000Z' },
      data: { channel: 'amazon', externalOrderId: '113-4558122-7770617', cancelledAt: '2026-11-30T20:01:10.000Z' },
    });
  });

  it('emits nothing for a Pending order: its prices are absent, never zero', () => {
    const f = fixture('orders/pending-without-prices.json');
    expect(f.body['orderItems']['114-2235813-4401063'].payload.OrderItems[0].ItemPrice).toBeUndefined();
    expect(orders(f.body)).toEqual([]);
  });

  it('records a buyer\'s cancellation request ("true" as a string) next to the unchanged order, never as a cancellation', () => {
    const events = orders(fixture('orders/buyer-requested-cancel.json').body);
    expect(events.map((e) => e.type)).toEqual(['order.upserted', 'order.cancellation.requested']);
    expect(events[1]).toMatchObject({
      idempotencyKey: 'amazon-us:order.cancellation.requested:111-9028410-2277834',
      data: { channel: 'amazon', externalOrderId: '111-9028410-2277834', requestedBy: 'buyer', reason: 'Found cheaper somewhere else.' },
    });
  });

  it('reads "false" as false, and refuses a flag that is neither string (a boolean here is not the documented shape)', () => {
    const f = fixture('orders/buyer-requested-cancel.json');
    const item = f.body['orderItems']['111-9028410-2277834'].payload.OrderItems[0];
    item.BuyerRequestedCancel.IsBuyerRequestedCancel = 'false';
    expect(orders(f.body).map((e) => e.type)).toEqual(['order.upserted']);
    item.BuyerRequestedCancel.IsBuyerRequestedCancel = true;
    const err = catchError(() => orders(f.body));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.field).toBe('orderItems.111-9028410-2277834.payload.OrderItems[0].BuyerRequestedCancel.IsBuyerRequestedCancel');
  });

  it('refuses a priced order whose item has no ItemPrice, naming the field; never books zero', () => {
    const f = fixture('orders/multi-line.json');
    delete f.body['orderItems']['902-3159896-1390916'].payload.OrderItems[1].ItemPrice;
    const err = catchError(() => orders(f.body));
    expect(err).toMatchObject({ code: 'missing_field', field: 'orderItems.902-3159896-1390916.payload.OrderItems[1].ItemPrice' });
  });

  it('refuses a number where Amazon documents a string Amount', () => {
    const f = fixture('orders/multi-line.json');
    f.body['orders'].payload.Orders[0].OrderTotal.Amount = 71.47;
    expect(catchError(() => orders(f.body))).toMatchObject({ code: 'invalid_value', field: 'orders.payload.Orders[0].OrderTotal.Amount' });
  });

  it('maps by ASIN through the catalogue when the seller SKU is not an ERP SKU, and names an unknown SKU', () => {
    const f = fixture('orders/buyer-requested-cancel.json');
    f.body['orderItems']['111-9028410-2277834'].payload.OrderItems[0].SellerSKU = 'AMZ-SOCKS';
    expect((orders(f.body)[0]!.data as { lines: { sku: string }[] }).lines[0]!.sku).toBe('SOCKS-3PK');
    const err = catchError(() => orders(fixture('orders/multi-line.json').body, ctx(['TSHIRT-M'])));
    expect(err).toBeInstanceOf(MappingError);
    expect((err as MappingError).issues).toEqual([
      expect.objectContaining({ code: 'unknown_sku', field: 'orderItems.902-3159896-1390916.payload.OrderItems[1].SellerSKU', value: 'MUG-BLUE' }),
    ]);
  });
});

describe('amazon-sp ORDER_CHANGE notifications', () => {
  it('records a buyer cancellation request (a JSON boolean here) with the same key as the poll that sees it', () => {
    const events = orderChange(fixture('notifications/buyer-requested-cancel.json').body);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'order.cancellation.requested',
      idempotencyKey: 'amazon-us:order.cancellation.requested:111-9028410-2277834',
      data: { requestedAt: '2026-11-30T22:13:58.284Z', requestedBy: 'buyer', reason: 'Buyer Requested Cancel' },
    });
    const polled = orders(fixture('orders/buyer-requested-cancel.json').body).find((e) => e.type === 'order.cancellation.requested');
    expect(polled?.idempotencyKey).toBe(events[0]!.idempotencyKey);
  });

  it('refuses the string "true" where the notification documents a boolean', () => {
    const f = fixture('notifications/buyer-requested-cancel.json');
    f.body['Payload'].OrderChangeNotification.Summary.OrderItems[0].IsBuyerRequestedCancel = 'true';
    expect(catchError(() => orderChange(f.body))).toMatchObject({ field: 'Payload.OrderChangeNotification.Summary.OrderItems[0].IsBuyerRequestedCancel' });
  });

  it("turns a Canceled status into order.cancelled at the time of the change, with the poll's key", () => {
    const [event] = orderChange(fixture('notifications/cancelled.json').body);
    expect(event).toMatchObject({
      type: 'order.cancelled',
      idempotencyKey: 'amazon-us:order.cancelled:902-3159896-1390916',
      source: { version: '2026-11-30T23:00:00.000Z' },
      data: { cancelledAt: '2026-11-30T23:00:00.000Z', reason: 'Order Canceled by Seller' },
    });
  });

  it('unwraps an EventBridge event and reads the notification inside', () => {
    expect(orderChange(fixture('notifications/eventbridge-wrapped.json').body).map((e) => e.type)).toEqual(['order.cancellation.requested']);
  });

  it('emits nothing for a status change it cannot price (the poll reads the order)', () => {
    const f = fixture('notifications/buyer-requested-cancel.json');
    const n = f.body['Payload'].OrderChangeNotification;
    n.OrderChangeType = 'OrderStatusChange';
    n.Summary.OrderItems[0].IsBuyerRequestedCancel = false;
    expect(orderChange(f.body)).toEqual([]);
  });
});
