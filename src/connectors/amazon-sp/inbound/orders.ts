import type { MappingIssue } from '../../../core/errors.js';
import type { CanonicalEvent, CanonicalEventInput, OrderLine } from '../../../core/model/index.js';
import type { Normalizer } from '../../types.js';
import type { AmazonSpConfig } from '../config.js';
import { type AmazonMoney, type AmazonOrder, type AmazonOrderItem, type AmazonOrdersPage, AmazonOrdersPageSchema } from '../shapes.js';
import { sumAmounts } from '../../http/money.js';
import { assertMapped, envelope, finalize, invalid, parseShape, toUtc } from '../../http/normalize.js';
import { type AmazonContext, channelOf, mapSellerSku, money, unitPriceOf } from './common.js';
import { cancellationRequested, orderCancelled } from './order-events.js';

export const ORDERS_TOPIC = 'orders';

/** Statuses before payment authorization: Amazon sends no prices yet. */
const UNPRICED = new Set(['Pending', 'PendingAvailability']);

/**
 * `orders`: one getOrders page with each order's getOrderItems answer → canonical events, order by
 * order (the page is validated as a whole first).
 * - Canceled → `order.cancelled` (one key per order, whoever reports it first).
 * - Pending / PendingAvailability → nothing yet: Amazon has not priced the order, and a canonical
 *   order needs prices; inventing "0.00" would book a false total. The order is read again when it
 *   leaves Pending (its LastUpdateDate moves, so the next poll sees it).
 * - Amazon-fulfilled (AFN) orders ship from Amazon's stock, not the hub's: skipped.
 * - Otherwise → `order.upserted` at `source.version` = LastUpdateDate, with each line's unit price
 *   = ItemPrice (the line total) ÷ QuantityOrdered; a line cancelled down to 0 units is left out.
 * - A line whose `BuyerRequestedCancel.IsBuyerRequestedCancel` is the string "true" adds an
 *   `order.cancellation.requested`: recorded for operators, the order stays as it is.
 * https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#getorders
 */
export const normalizeOrdersPage: Normalizer<Pick<AmazonSpConfig, 'settings'>> = (body, ctx) => {
  const page = parseShape(AmazonOrdersPageSchema, body, ctx, ORDERS_TOPIC);
  return page.orders.payload.Orders.flatMap((order, i) => normalizeOrder(order, i, page, ctx));
};

function normalizeOrder(order: AmazonOrder, index: number, page: AmazonOrdersPage, ctx: AmazonContext): CanonicalEvent[] {
  const id = order.AmazonOrderId;
  const version = toUtc(order.LastUpdateDate);
  if (order.OrderStatus === 'Canceled') return orderCancelled(ctx, ORDERS_TOPIC, id, version, version, undefined);
  if (UNPRICED.has(order.OrderStatus) || order.FulfillmentChannel === 'AFN') return [];
  const at = `orders.payload.Orders[${index}]`;
  if (!order.OrderTotal) throw invalid(ctx, ORDERS_TOPIC, `${at}.OrderTotal`, `missing on a ${order.OrderStatus} order ${id}`, { code: 'missing_field' });
  const itemsBody = Object.hasOwn(page.orderItems, id) ? page.orderItems[id] : undefined;
  if (!itemsBody) throw invalid(ctx, ORDERS_TOPIC, `orderItems.${id}`, `no getOrderItems answer for order ${id}`, { code: 'missing_field' });
  const items = itemsBody.payload.OrderItems;
  const lines = mapLines(items, id, ctx);
  const events: CanonicalEvent[] = [];
  if (lines.length === 0) return orderCancelled(ctx, ORDERS_TOPIC, id, version, version, 'all_items_cancelled');
  const event: CanonicalEventInput = {
    ...envelope(ctx, ORDERS_TOPIC, 'order.upserted', id, version, `order:${id}:${version}`),
    type: 'order.upserted',
    occurredAt: version,
    data: {
      channel: channelOf(ctx),
      externalOrderId: id,
      orderNumber: id,
      placedAt: toUtc(order.PurchaseDate),
      currency: order.OrderTotal.CurrencyCode,
      total: money(order.OrderTotal),
      ...totalsOf(items, order.OrderTotal.CurrencyCode),
      ...customerOf(order),
      ...shipToOf(order),
      lines,
    },
  };
  events.push(...finalize([event], ctx, ORDERS_TOPIC));
  const request = items.find((item) => item.BuyerRequestedCancel?.IsBuyerRequestedCancel === 'true');
  if (request) events.push(...cancellationRequested(ctx, ORDERS_TOPIC, id, version, request.BuyerRequestedCancel?.BuyerCancelReason));
  return events;
}

function mapLines(items: AmazonOrderItem[], orderId: string, ctx: AmazonContext): OrderLine[] {
  const issues: MappingIssue[] = [];
  const lines: OrderLine[] = [];
  items.forEach((item, j) => {
    if (item.QuantityOrdered === 0) return;
    const at = `orderItems.${orderId}.payload.OrderItems[${j}]`;
    if (!item.ItemPrice)
      throw invalid(ctx, ORDERS_TOPIC, `${at}.ItemPrice`, `missing on order item ${item.OrderItemId} of a priced order`, { code: 'missing_field' });
    const sku = mapSellerSku(
      ctx,
      { sellerSku: item.SellerSKU, asin: item.ASIN },
      `orders: order ${orderId} item ${j + 1} (OrderItemId ${item.OrderItemId})`,
      `${at}.SellerSKU`,
      issues,
    );
    if (sku === null) return;
    lines.push({
      externalLineId: item.OrderItemId,
      sku,
      quantity: item.QuantityOrdered,
      unitPrice: unitPriceOf(item.ItemPrice, item.QuantityOrdered),
      title: item.Title ?? '',
    });
  });
  assertMapped(issues, ctx);
  return lines;
}

/**
 * Order-level sums of the item amounts Amazon gives (each item's amounts are already line totals):
 * subtotal = Σ ItemPrice, shipping = Σ ShippingPrice, tax = Σ (ItemTax + ShippingTax),
 * discounts = Σ PromotionDiscount. A sum nobody sent stays absent.
 */
function totalsOf(items: AmazonOrderItem[], currency: string) {
  const sum = (pick: (i: AmazonOrderItem) => (AmazonMoney | undefined)[]) => {
    const amounts = items.flatMap(pick).filter((m): m is AmazonMoney => m !== undefined);
    if (amounts.length === 0) return undefined;
    return { amount: sumAmounts(amounts.map((m) => m.Amount)), currency };
  };
  const fields = {
    subtotal: sum((i) => [i.ItemPrice]),
    shipping: sum((i) => [i.ShippingPrice]),
    tax: sum((i) => [i.ItemTax, i.ShippingTax]),
    discounts: sum((i) => [i.PromotionDiscount]),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** Buyer name and email come back only with a Restricted Data Token: absent, never made up. */
function customerOf(order: AmazonOrder) {
  const name = order.BuyerInfo?.BuyerName;
  const email = order.BuyerInfo?.BuyerEmail;
  if (!name && !email) return {};
  return { customer: { ...(email ? { email } : {}), ...(name ? { name } : {}) } };
}

/** Without an RDT only city, region, postal code and country are sent. */
function shipToOf(order: AmazonOrder) {
  const a = order.ShippingAddress;
  if (!a) return {};
  const fields = {
    name: a.Name,
    company: a.CompanyName,
    address1: a.AddressLine1,
    address2: a.AddressLine2,
    city: a.City,
    province: a.StateOrRegion,
    postalCode: a.PostalCode,
    country: a.CountryCode,
    phone: a.Phone,
  };
  const shipTo = Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === 'string' && v !== ''));
  return Object.keys(shipTo).length > 0 ? { shipTo } : {};
}
