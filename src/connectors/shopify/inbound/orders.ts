import { type MappingIssue, ValidationError } from '../../../core/errors.js';
import type { CanonicalEvent, CanonicalEventInput, OrderLine } from '../../../core/model/index.js';
import type { Normalizer } from '../../types.js';
import type { ShopifyConfig } from '../config.js';
import { type ShopifyMoneySet, type ShopifyOrderWebhook, ShopifyOrderWebhookSchema } from '../shapes.js';
import { assertMapped, envelope, finalize, parseShape, toUtc } from '../../http/normalize.js';
import { type ShopifyContext, mapLineSku, shopMoney } from './common.js';
import { shipmentOf } from './fulfillments-create.js';

/**
 * orders/create and orders/updated → `order.upserted`, the order as it stands now.
 * - `source.version` is `updated_at` as a UTC instant, and the idempotency key is built from the
 *   order id and that instant: a redelivered update is a duplicate, a newer one is applied, and the
 *   ERP core's stale guard compares instants, never the offset strings Shopify writes.
 * - Line quantities are `current_quantity` (after edits and removals); a line reduced to zero is left
 *   out, and an order with no line left is reported as cancelled.
 * - Money is in the shop currency (`currency`, `*_set.shop_money`), the currency the ledger and the
 *   books use. The presentment currency the customer saw is deliberately dropped: it stays in the raw
 *   payload kept by the inbox and the dead-letter queue.
 * - A cancelled order (`cancelled_at` set), whatever the topic, becomes `order.cancelled`, so a late
 *   update can never bring a cancelled order back.
 * - The snapshot is read per line: each line's fulfilled units come from its `fulfillment_status`
 *   and `fulfillable_quantity`, and each shipped fulfilment embedded in `fulfillments` (with its
 *   tracking) becomes a `shipment.confirmed` keyed like fulfillments/create's, so an update ships
 *   what it shows whether or not that webhook arrived (the second of the two is a duplicate).
 * https://shopify.dev/docs/api/admin-rest/latest/resources/order
 */
export function normalizeOrderUpsert(topic: string): Normalizer<ShopifyConfig> {
  return (body, ctx) => {
    const order = parseShape(ShopifyOrderWebhookSchema, body, ctx, topic);
    if (order.cancelled_at) return cancelled(order, ctx, topic, toUtc(order.cancelled_at), order.cancel_reason ?? undefined);
    const lines = mapLines(order, ctx, topic);
    if (lines.length === 0) return cancelled(order, ctx, topic, toUtc(order.updated_at), 'all_lines_removed');
    const version = toUtc(order.updated_at);
    const event: CanonicalEventInput = {
      ...envelope(ctx, topic, 'order.upserted', order.id, version, `order:${order.id}:${version}`),
      type: 'order.upserted',
      occurredAt: version,
      data: {
        channel: ctx.config.settings.channel,
        externalOrderId: order.id,
        orderNumber: order.name,
        placedAt: toUtc(order.created_at),
        currency: order.currency,
        ...moneyOf(order),
        customer: customerOf(order),
        shipTo: addressOf(order),
        lines,
      },
    };
    return finalize([event, ...embeddedShipments(order, lines, ctx, topic)], ctx, topic);
  };
}

/** Shipped fulfilments the snapshot carries, their lines named by the order's own line mapping. */
function embeddedShipments(order: ShopifyOrderWebhook, lines: OrderLine[], ctx: ShopifyContext, topic: string): CanonicalEventInput[] {
  const skuOf = (lineId: string) => {
    const line = lines.find((l) => l.externalLineId === lineId);
    return line ? line.sku : undefined;
  };
  const issues: MappingIssue[] = [];
  const events = order.fulfillments.flatMap((f, i) => {
    const event = shipmentOf({ ...f, order_id: f.order_id ?? order.id }, ctx, topic, issues, skuOf, `fulfillments[${i}].`);
    return event ? [event] : [];
  });
  assertMapped(issues, ctx);
  return events;
}

/**
 * Units of a line Shopify counts as fulfilled: all when `fulfilled`; when `partial`, those no
 * longer fulfillable; none when unfulfilled (null) or `not_eligible` (a tip, a service). Unknown
 * when the payload carries neither field.
 */
function fulfilledOf(item: ShopifyOrderWebhook['line_items'][number], quantity: number): number | undefined {
  if (item.fulfillment_status === 'fulfilled') return quantity;
  if (item.fulfillment_status === 'partial') {
    return item.fulfillable_quantity == null ? undefined : Math.min(quantity, Math.max(0, quantity - item.fulfillable_quantity));
  }
  return item.fulfillment_status === undefined && item.fulfillable_quantity === undefined ? undefined : 0;
}

/** orders/cancelled → `order.cancelled`. https://shopify.dev/docs/api/admin-rest/2025-07/resources/order#post-orders-order-id-cancel */
export const normalizeOrderCancelled: Normalizer<ShopifyConfig> = (body, ctx) => {
  const topic = 'orders/cancelled';
  const order = parseShape(ShopifyOrderWebhookSchema, body, ctx, topic);
  const at = toUtc(order.cancelled_at ?? order.updated_at);
  return cancelled(order, ctx, topic, at, order.cancel_reason ?? undefined);
};

function cancelled(order: ShopifyOrderWebhook, ctx: ShopifyContext, topic: string, cancelledAt: string, reason?: string): CanonicalEvent[] {
  const version = toUtc(order.updated_at);
  // One key per order: an order is cancelled once, whichever topic reports it first.
  const event: CanonicalEventInput = {
    ...envelope(ctx, topic, 'order.cancelled', order.id, version, `order.cancelled:${order.id}`),
    type: 'order.cancelled',
    occurredAt: cancelledAt,
    data: {
      channel: ctx.config.settings.channel,
      externalOrderId: order.id,
      cancelledAt,
      ...(reason ? { reason } : {}),
      // The order as the payload describes it, for a cancellation that reaches the hub before the order.
      orderNumber: order.name,
      currency: order.currency,
      total: shopMoney(order.total_price_set, order.total_price, order.currency),
      placedAt: toUtc(order.created_at),
    },
  };
  return finalize([event], ctx, topic);
}

/**
 * Lines as they stand. A zero or negative `quantity` is invalid data (never a cancellation); a line
 * whose `current_quantity` is 0 was edited away and is left out. A line without a SKU that the
 * mapping does not know either (a custom item, a tip, engraving) moves no stock: kept with
 * `sku: null` and the reason. An unknown SKU is a mapping failure naming the line.
 */
function mapLines(order: ShopifyOrderWebhook, ctx: ShopifyContext, topic: string): OrderLine[] {
  const issues: MappingIssue[] = [];
  const lines: OrderLine[] = [];
  order.line_items.forEach((item, i) => {
    const where = `${topic} line ${i + 1} (externalLineId ${item.id})`;
    if (item.quantity <= 0) {
      throw new ValidationError(`${ctx.connectorId}: ${where} has quantity ${item.quantity}; an order line needs at least 1`, {
        code: 'invalid_value',
        connectorId: ctx.connectorId,
        step: 'normalize',
        field: `line_items[${i}].quantity`,
        value: item.quantity,
      });
    }
    const quantity = item.current_quantity ?? item.quantity;
    if (quantity <= 0) return;
    const channelSku = item.sku?.trim() || null;
    const mapped = channelSku === null ? ctx.lookup.sku({ sku: null, externalIds: { variantId: item.variant_id ?? null } }) : null;
    const sku = channelSku === null ? mapped : mapLineSku(ctx, item, where, `line_items[${i}].sku`, issues);
    if (channelSku !== null && sku === null) return;
    lines.push({
      externalLineId: item.id,
      sku,
      ...(sku === null ? { skuUnmappedReason: nonStockReason(item) } : {}),
      quantity,
      ...(fulfilledOf(item, quantity) === undefined ? {} : { fulfilledQuantity: fulfilledOf(item, quantity) }),
      unitPrice: shopMoney(item.price_set, item.price, order.currency),
      title: item.name ?? item.title ?? '',
    });
  });
  assertMapped(issues, ctx);
  return lines;
}

function nonStockReason(item: ShopifyOrderWebhook['line_items'][number]): string {
  if (item.gift_card) return 'gift card: no SKU, moves no stock';
  if (item.variant_id == null) return 'custom line (no SKU, no variant): moves no stock';
  if (item.requires_shipping === false) return 'no SKU and ships nothing (a service): moves no stock';
  return 'no SKU on the line and none mapped for its variant: moves no stock';
}

/** Shop-currency totals, the current total after edits, and the same in the buyer's currency when it differs. */
function moneyOf(order: ShopifyOrderWebhook) {
  const shop = (set: ShopifyMoneySet | undefined) => (set ? { amount: set.shop_money.amount, currency: set.shop_money.currency_code } : undefined);
  const buyer = (set: ShopifyMoneySet | undefined) =>
    set?.presentment_money ? { amount: set.presentment_money.amount, currency: set.presentment_money.currency_code } : undefined;
  const total = shopMoney(order.total_price_set, order.total_price, order.currency);
  const presentmentCurrency = order.total_price_set?.presentment_money?.currency_code ?? order.presentment_currency ?? null;
  const presentmentTotal = buyer(order.total_price_set);
  const parts = {
    subtotal: order.subtotal_price_set,
    discounts: order.total_discounts_set,
    shipping: order.total_shipping_price_set,
    tax: order.total_tax_set,
  };
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    ...(order.financial_status ? { financialStatus: order.financial_status } : {}),
    ...defined({ subtotal: shop(parts.subtotal), discounts: shop(parts.discounts), shipping: shop(parts.shipping), tax: shop(parts.tax) }),
    ...(order.taxes_included != null ? { taxesIncluded: order.taxes_included } : {}),
    total,
    ...(order.current_total_price_set ? { currentTotal: shop(order.current_total_price_set) } : {}),
    ...(presentmentCurrency && presentmentCurrency !== order.currency && presentmentTotal
      ? {
          presentment: {
            currency: presentmentCurrency,
            ...defined({ subtotal: buyer(parts.subtotal), discounts: buyer(parts.discounts), shipping: buyer(parts.shipping), tax: buyer(parts.tax) }),
            total: presentmentTotal,
          },
        }
      : {}),
  };
}

function customerOf(order: ShopifyOrderWebhook) {
  const c = order.customer;
  const name = [c?.first_name, c?.last_name].filter(Boolean).join(' ');
  const email = order.email || c?.email || undefined;
  if (!c && !email) return undefined;
  return { ...(c?.id ? { externalId: c.id } : {}), ...(email ? { email } : {}), ...(name ? { name } : {}) };
}

function addressOf(order: ShopifyOrderWebhook) {
  const a = order.shipping_address;
  if (!a) return undefined;
  const name = a.name || [a.first_name, a.last_name].filter(Boolean).join(' ');
  const fields = {
    name,
    company: a.company,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    province: a.province,
    postalCode: a.zip,
    country: a.country_code || a.country,
    phone: a.phone,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === 'string' && v !== ''));
}
