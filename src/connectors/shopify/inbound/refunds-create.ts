import { Decimal } from 'decimal.js';
import type { MappingIssue } from '../../../core/errors.js';
import type { CanonicalEventInput, RefundLine, ReturnLine } from '../../../core/model/index.js';
import type { Normalizer } from '../../types.js';
import type { ShopifyConfig } from '../config.js';
import { type ShopifyMoneySet, type ShopifyRefundWebhook, ShopifyRefundWebhookSchema } from '../shapes.js';
import { assertMapped, envelope, finalize, parseShape, toUtc } from '../../http/normalize.js';
import { type ShopifyContext, lookupLocation, mapLineSku } from './common.js';

const TOPIC = 'refunds/create';
type RefundLineItem = ShopifyRefundWebhook['refund_line_items'][number];

/**
 * refunds/create → `refund.created` for the money, plus one `return.received` per restock location
 * for the units that came back.
 *
 * Restock types (https://shopify.dev/docs/api/admin-graphql/2025-07/enums/RefundLineItemRestockType):
 * - `return`: fulfilled units came back to `location_id` → returned with disposition `restock`.
 * - `cancel`: unfulfilled units were taken off the order; they never left, so nothing is received,
 *   and `cancelledLines` lets the ERP release their reservation at once (the orders/updated that
 *   follows carries the same smaller `current_quantity`, and is not counted twice).
 * - `no_restock`: money only; the goods stay with the customer or are written off outside the hub.
 * - `legacy_restock` (deprecated, either of the two above): a return when the line had been
 *   fulfilled (`fulfillment_status` fulfilled or partial), otherwise treated as `cancel`.
 *
 * Money is what moved: the successful refund transactions, in their currency. Shopify refunds in
 * the presentment currency and the payload carries no shop-currency total for transactions, so
 * refund amounts (total and lines) are in that currency, unlike orders (shop currency); each Money
 * names its currency, so the two are never mixed silently.
 */
export const normalizeRefundCreate: Normalizer<ShopifyConfig> = (body, ctx) => {
  const refund = parseShape(ShopifyRefundWebhookSchema, body, ctx, TOPIC);
  const version = toUtc(refund.created_at);
  const occurredAt = toUtc(refund.processed_at ?? refund.created_at);
  const issues: MappingIssue[] = [];
  const returns = returnsByLocation(refund, ctx, issues);
  const refundLines = refund.refund_line_items.map((item) => refundLine(item, ctx));
  const cancelled = refund.refund_line_items
    .filter((item) => isCancelled(item) && item.quantity > 0)
    .map((item) => ({ externalLineId: item.line_item_id, quantity: item.quantity }));
  assertMapped(issues, ctx);

  const events: CanonicalEventInput[] = [];
  const money = refundedMoney(refund);
  if (money) {
    events.push({
      ...envelope(ctx, TOPIC, 'refund.created', refund.id, version, `refund:${refund.id}`),
      type: 'refund.created',
      occurredAt,
      data: {
        externalRefundId: refund.id,
        channel: ctx.config.settings.channel,
        externalOrderId: refund.order_id,
        createdAt: version,
        amount: money,
        ...(refund.note ? { reason: refund.note } : {}),
        lines: refundLines.filter((l): l is RefundLine => l !== null),
        ...(cancelled.length > 0 ? { cancelledLines: cancelled } : {}),
      },
    });
  }
  for (const [location, lines] of returns) {
    const externalReturnId = returns.size > 1 ? `${refund.id}@${location}` : refund.id;
    events.push({
      ...envelope(ctx, TOPIC, 'return.received', externalReturnId, version, `return:${refund.id}:${location}`),
      type: 'return.received',
      occurredAt,
      data: { externalReturnId, channel: ctx.config.settings.channel, externalOrderId: refund.order_id, location, receivedAt: occurredAt, lines },
    });
  }
  return finalize(events, ctx, TOPIC);
};

function isReturned(item: RefundLineItem): boolean {
  if (item.restock_type === 'return') return true;
  if (item.restock_type !== 'legacy_restock') return false;
  return item.line_item.fulfillment_status === 'fulfilled' || item.line_item.fulfillment_status === 'partial';
}

/** Units taken off the order before they shipped: `cancel`, or a `legacy_restock` of an unfulfilled line. */
function isCancelled(item: RefundLineItem): boolean {
  return item.restock_type === 'cancel' || (item.restock_type === 'legacy_restock' && !isReturned(item));
}

function returnsByLocation(refund: ShopifyRefundWebhook, ctx: ShopifyContext, issues: MappingIssue[]): Map<string, ReturnLine[]> {
  const byLocation = new Map<string, ReturnLine[]>();
  refund.refund_line_items.forEach((item, i) => {
    if (!isReturned(item) || item.quantity <= 0) return;
    const where = `${TOPIC} ${refund.id} line ${i + 1} (externalLineId ${item.line_item_id})`;
    const sku = mapLineSku(ctx, item.line_item, where, `refund_line_items[${i}].line_item.sku`, issues);
    const field = `refund_line_items[${i}].location_id`;
    let location: string | null = null;
    if (!item.location_id) {
      issues.push({ code: 'missing_field', field, value: null, message: `${where} is restocked without a location_id` });
    } else {
      location = lookupLocation(ctx, item.location_id);
      if (location === null) {
        issues.push({
          code: 'unmapped_location',
          field,
          value: item.location_id,
          message: `${where}: Shopify location ${item.location_id} is not mapped to a hub location`,
        });
      }
    }
    if (sku === null || location === null) return;
    const lines = byLocation.get(location) ?? [];
    lines.push({ externalLineId: item.line_item_id, sku, quantity: item.quantity, disposition: 'restock' });
    byLocation.set(location, lines);
  });
  return byLocation;
}

/** A money line of the refund; its SKU may stay unknown (null) without blocking the money. */
function refundLine(item: RefundLineItem, ctx: ShopifyContext): RefundLine | null {
  if (item.quantity <= 0 || !item.subtotal_set) return null;
  const channelSku = item.line_item.sku?.trim() || null;
  const sku = ctx.lookup.sku({ sku: channelSku, externalIds: { variantId: item.line_item.variant_id ?? null } });
  const subtotal = presentment(item.subtotal_set);
  const tax = item.total_tax_set ? presentment(item.total_tax_set) : undefined;
  return {
    externalLineId: item.line_item_id,
    sku,
    quantity: item.quantity,
    amount: { amount: sumDecimals([subtotal.amount, ...(tax ? [tax.amount] : [])]), currency: subtotal.currency },
  };
}

function presentment(set: ShopifyMoneySet): { amount: string; currency: string } {
  const money = set.presentment_money ?? set.shop_money;
  return { amount: money.amount, currency: money.currency_code };
}

function refundedMoney(refund: ShopifyRefundWebhook): { amount: string; currency: string } | null {
  const paid = refund.transactions.filter((t) => t.kind === 'refund' && t.status === 'success');
  const currency = paid[0]?.currency ?? refund.refund_line_items.map((i) => i.subtotal_set && presentment(i.subtotal_set).currency).find(Boolean);
  if (!currency) return null;
  return {
    amount: sumDecimals(
      paid.map((t) => t.amount),
      2,
    ),
    currency,
  };
}

/** Exact decimal sum, keeping the largest number of decimal places among the inputs. */
export function sumDecimals(values: string[], minPlaces = 0): string {
  const places = Math.max(minPlaces, ...values.map((v) => v.split('.')[1]?.length ?? 0));
  return values.reduce((sum, v) => sum.plus(v), new Decimal(0)).toFixed(places);
}
