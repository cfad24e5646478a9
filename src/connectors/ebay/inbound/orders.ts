import type { MappingIssue } from '../../../core/errors.js';
import type { CanonicalEvent, CanonicalEventInput, OrderLine } from '../../../core/model/index.js';
import type { Normalizer } from '../../types.js';
import type { EbayConfig } from '../config.js';
import { type EbayOrder, EbayOrderSchema, EbayOrdersPageSchema } from '../shapes.js';
import { assertMapped, envelope, finalize, parseShape, toUtc } from '../../http/normalize.js';
import { type EbayContext, buyerMoney, magnitude, money, sum, unitPriceOf } from './common.js';

/** The topic of one order (what the poll records per order). */
export const EBAY_ORDER_TOPIC = 'order';
/** The topic of one getOrders response page (the preview contract: `hub normalize ebay orders <file>`). */
export const EBAY_ORDERS_PAGE_TOPIC = 'orders';

/** One getOrders page → the events of every order in it, in page order. */
export const normalizeOrdersPage: Normalizer<EbayConfig> = (body, ctx) => {
  const page = parseShape(EbayOrdersPageSchema, body, ctx, EBAY_ORDERS_PAGE_TOPIC);
  return page.orders.flatMap((raw, i) =>
    orderEvents(parseShape(EbayOrderSchema, raw, ctx, EBAY_ORDERS_PAGE_TOPIC, `orders[${i}]`), ctx, EBAY_ORDERS_PAGE_TOPIC, `orders[${i}].`),
  );
};

/** One order as getOrders/getOrder return it → its events. */
export const normalizeOrder: Normalizer<EbayConfig> = (body, ctx) =>
  orderEvents(parseShape(EbayOrderSchema, body, ctx, EBAY_ORDER_TOPIC), ctx, EBAY_ORDER_TOPIC, '');

/**
 * An order → `order.upserted`, or `order.cancelled` once eBay says CANCELED (so a late page can never
 * bring a cancelled order back). An open cancellation request (IN_PROGRESS) is only a request: the
 * order is upserted as it stands and the request is reported as `order.cancellation.requested`.
 * - `source.version` is `lastModifiedDate` (UTC), and the idempotency key is the order id and that
 *   instant: a page read twice is a duplicate, a newer modification is applied, an older one is stale.
 * - `lineItemCost` is the line total: the unit price is that total ÷ quantity (decimal.js), never
 *   the total taken as a unit price and multiplied again.
 * - A line without a `sku` key (a legacy listing) is mapped by `legacyItemId` through the instance's
 *   external ids; a line that maps to nothing fails the order with a MappingError naming the line.
 * - eBay collect-and-remit tax is already inside `pricingSummary.total`: `total` is that figure as
 *   written, and `tax` reports the amount (pricingSummary.tax, else the lines' collect-and-remit sum).
 * https://developer.ebay.com/api-docs/sell/fulfillment/types/sel:Order
 */
function orderEvents(order: EbayOrder, ctx: EbayContext, topic: string, at: string): CanonicalEvent[] {
  const version = toUtc(order.lastModifiedDate);
  const channel = ctx.config.settings.channel;
  if (order.cancelStatus.cancelState === 'CANCELED') {
    const cancelledAt = toUtc(order.cancelStatus.cancelledDate ?? order.lastModifiedDate);
    // One key per order: an order is cancelled once, whichever page reports it first.
    const event: CanonicalEventInput = {
      ...envelope(ctx, topic, 'order.cancelled', order.orderId, version, `order.cancelled:${order.orderId}`),
      type: 'order.cancelled',
      occurredAt: cancelledAt,
      data: { channel, externalOrderId: order.orderId, cancelledAt },
    };
    return finalize([event], ctx, topic);
  }
  const p = order.pricingSummary;
  const collected = sum(order.lineItems.flatMap((l) => (l.ebayCollectAndRemitTaxes ?? []).map((t) => t.amount)));
  const tax = p.tax ? money(p.tax) : collected;
  const presentmentTotal = buyerMoney(p.total);
  const events: CanonicalEventInput[] = [
    {
      ...envelope(ctx, topic, 'order.upserted', order.orderId, version, `order:${order.orderId}:${version}`),
      type: 'order.upserted',
      occurredAt: version,
      data: {
        channel,
        externalOrderId: order.orderId,
        orderNumber: order.orderId,
        placedAt: toUtc(order.creationDate),
        currency: p.total.currency,
        ...(order.orderPaymentStatus ? { financialStatus: financialStatusOf(order.orderPaymentStatus) } : {}),
        ...(p.priceSubtotal ? { subtotal: money(p.priceSubtotal) } : {}),
        ...(p.priceDiscountSubtotal ? { discounts: magnitude(p.priceDiscountSubtotal) } : {}),
        ...(p.deliveryCost ? { shipping: money(p.deliveryCost) } : {}),
        ...(tax ? { tax, taxesIncluded: false } : {}),
        total: money(p.total),
        ...(presentmentTotal ? { presentment: { currency: presentmentTotal.currency, total: presentmentTotal } } : {}),
        customer: customerOf(order),
        shipTo: addressOf(order),
        lines: mapLines(order, ctx, topic, at),
      },
    },
  ];
  if (order.cancelStatus.cancelState === 'IN_PROGRESS') {
    // getOrders returns cancelRequests empty, so the request is dated by the order's modification.
    events.push({
      ...envelope(ctx, topic, 'order.cancellation.requested', order.orderId, version, `order.cancellation.requested:${order.orderId}`),
      type: 'order.cancellation.requested',
      occurredAt: version,
      data: { channel, externalOrderId: order.orderId, requestedAt: version, requestedBy: 'buyer' },
    });
  }
  return finalize(events, ctx, topic);
}

function mapLines(order: EbayOrder, ctx: EbayContext, topic: string, at: string): OrderLine[] {
  const issues: MappingIssue[] = [];
  const lines: OrderLine[] = [];
  order.lineItems.forEach((item, i) => {
    const where = `${topic} order ${order.orderId} line ${i + 1} (lineItemId ${item.lineItemId})`;
    const channelSku = item.sku?.trim() || null;
    // A SKU the catalogue knows wins; else the product whose eBay `sku` or `legacyItemId` this is.
    const sku = ctx.lookup.sku({ sku: channelSku, externalIds: { sku: channelSku, legacyItemId: item.legacyItemId } });
    if (sku === null) {
      issues.push(
        channelSku === null
          ? {
              code: 'unknown_sku',
              field: `${at}lineItems[${i}].legacyItemId`,
              value: item.legacyItemId,
              message: `${where} has no SKU and legacy item ${item.legacyItemId} is linked to no product`,
            }
          : { code: 'unknown_sku', field: `${at}lineItems[${i}].sku`, value: channelSku, message: `${where} has unknown SKU "${channelSku}"` },
      );
      return;
    }
    lines.push({
      externalLineId: item.lineItemId,
      sku,
      quantity: item.quantity,
      // Division by a non-positive quantity is left to the line schema, which rejects the quantity.
      unitPrice: item.quantity > 0 ? unitPriceOf(item.lineItemCost, item.quantity) : money(item.lineItemCost),
      title: item.title,
    });
  });
  assertMapped(issues, ctx);
  return lines;
}

/** https://developer.ebay.com/api-docs/sell/fulfillment/types/sel:OrderPaymentStatusEnum */
function financialStatusOf(status: string): string {
  return (
    ({ PAID: 'paid', PENDING: 'pending', FAILED: 'failed', FULLY_REFUNDED: 'refunded', PARTIALLY_REFUNDED: 'partially_refunded' } as Record<string, string>)[
      status
    ] ?? status.toLowerCase()
  );
}

function customerOf(order: EbayOrder) {
  const shipTo = order.fulfillmentStartInstructions[0]?.shippingStep?.shipTo;
  const fields = { externalId: order.buyer?.username, email: shipTo?.email, name: shipTo?.fullName };
  const present = Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === 'string' && v !== ''));
  return Object.keys(present).length > 0 ? present : undefined;
}

function addressOf(order: EbayOrder) {
  const shipTo = order.fulfillmentStartInstructions[0]?.shippingStep?.shipTo;
  if (!shipTo) return undefined;
  const a = shipTo.contactAddress;
  const fields = {
    name: shipTo.fullName,
    company: shipTo.companyName,
    address1: a?.addressLine1,
    address2: a?.addressLine2,
    city: a?.city,
    province: a?.stateOrProvince,
    postalCode: a?.postalCode,
    country: a?.countryCode,
    phone: shipTo.primaryPhone?.phoneNumber,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === 'string' && v !== ''));
}
