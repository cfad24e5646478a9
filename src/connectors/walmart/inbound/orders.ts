import { Decimal } from 'decimal.js';
import { type MappingIssue, MappingError } from '../../../core/errors.js';
import type { CanonicalEvent, CanonicalEventInput, Money, OrderLine } from '../../../core/model/index.js';
import type { Normalizer } from '../../types.js';
import { type WalmartOrder, type WalmartOrderLine, WalmartOrderSchema, WalmartOrdersPageSchema } from '../shapes.js';
import { toAlpha2 } from './countries.js';
import { amountText, decimalOf } from '../../http/money.js';
import { envelope, finalize, invalid, mapSku, parseShape } from '../../http/normalize.js';
import { type WalmartContext, epochMillisToIso } from './common.js';

/** The topic whose payload is one getAllOrders response page; polled orders arrive as one-order pages. */
export const WALMART_ORDERS_TOPIC = 'orders';

/** A line as read: quantities as integers, money as decimals, cancellations counted. */
interface ReadLine {
  raw: WalmartOrderLine;
  at: string;
  ordered: number;
  open: number;
  product: Decimal;
  shipping: Decimal;
  tax: Decimal;
  currency: string | undefined;
  cancelledAt: number | undefined;
  cancellationReason: string | undefined;
}

/**
 * One getAllOrders page (`list.elements.order[]`) → for each purchase order, `order.upserted`
 * (or `order.cancelled` when every unit of every line is cancelled).
 * - `externalOrderId` is the purchaseOrderId (what acknowledge and shipping updates address);
 *   `orderNumber` the customerOrderId the buyer sees.
 * - Lines are keyed on `lineNumber`: Walmart writes one line per unit, so the same SKU can sit on
 *   several lines; each stays its own line and the ERP core allocates their sum per SKU.
 * - Quantities arrive as strings (`"amount": "1"`) and become integers; units in `Cancelled`
 *   status are taken off the line, and a line with none left is left out.
 * - Charges belong to the line (not to one unit): the unit price is the line's PRODUCT charges
 *   divided by the ordered quantity, never a line amount multiplied again. A partly cancelled
 *   line counts its open share of product and tax charges. Money goes through decimal.js from
 *   the amounts' decimal text.
 * - Dates are epoch milliseconds; `source.version` is the latest line `statusDate`, so a page read
 *   before an acknowledgement or cancellation never overwrites what came after.
 * - Countries arrive as ISO alpha-3 (`USA`) and become alpha-2.
 * https://developer.walmart.com/us-marketplace/reference/getallorders
 */
export const normalizeOrdersPage: Normalizer<WalmartContext['config']> = (body, ctx) => {
  const page = parseShape(WalmartOrdersPageSchema, body, ctx, WALMART_ORDERS_TOPIC);
  return page.list.elements.order.flatMap((raw, i) => normalizeOrder(raw, ctx, `list.elements.order[${i}]`));
};

function normalizeOrder(raw: unknown, ctx: WalmartContext, at: string): CanonicalEvent[] {
  const topic = WALMART_ORDERS_TOPIC;
  const order = parseShape(WalmartOrderSchema, raw, ctx, topic, at);
  const po = order.purchaseOrderId;
  const seen = new Set<string>();
  const lines = order.orderLines.orderLine.map((line, j) => {
    const lineAt = `${at}.orderLines.orderLine[${j}]`;
    if (seen.has(line.lineNumber)) throw invalid(ctx, topic, `${lineAt}.lineNumber`, `lineNumber "${line.lineNumber}" appears twice in purchase order ${po}`);
    seen.add(line.lineNumber);
    return readLine(line, ctx, lineAt);
  });
  const placedAt = epochMillisToIso(order.orderDate, ctx, topic, `${at}.orderDate`);
  const version = new Date(Math.max(order.orderDate, ...lines.map((l) => l.raw.statusDate))).toISOString();
  const open = lines.filter((l) => l.open > 0);
  const channel = ctx.config.settings.channel;

  if (open.length === 0) {
    const cancelledAt = new Date(Math.max(...lines.map((l) => l.cancelledAt ?? l.raw.statusDate))).toISOString();
    const reason = lines.find((l) => l.cancellationReason)?.cancellationReason;
    const event: CanonicalEventInput = {
      // One key per order: an order is cancelled once, whichever read reports it first.
      ...envelope(ctx, topic, 'order.cancelled', po, version, `order.cancelled:${po}`),
      type: 'order.cancelled',
      occurredAt: cancelledAt,
      data: { channel, externalOrderId: po, cancelledAt, ...(reason ? { reason } : {}) },
    };
    return finalize([event], ctx, topic);
  }

  const currency = orderCurrency(order, lines, ctx, at);
  const money = (d: Decimal): Money => ({ amount: amountText(d), currency });
  const sum = (pick: (l: ReadLine) => Decimal) => open.reduce((acc, l) => acc.plus(pick(l)), new Decimal(0));
  // Product and tax charges cover the ordered units; a partly cancelled line keeps its open share.
  const share = (l: ReadLine, d: Decimal) => (l.open === l.ordered ? d : d.times(l.open).dividedBy(l.ordered).toDecimalPlaces(2));
  const subtotal = sum((l) => share(l, l.product));
  const shipping = sum((l) => l.shipping);
  const tax = sum((l) => share(l, l.tax));
  const summary = order.orderSummary?.totalAmount;
  // The order summary counts every line; once units are cancelled the open lines' charges are the total.
  const total =
    summary && open.length === lines.length && lines.every((l) => l.open === l.ordered) ? decimalOf(summary.currencyAmount) : subtotal.plus(shipping).plus(tax);

  const event: CanonicalEventInput = {
    ...envelope(ctx, topic, 'order.upserted', po, version, `order:${po}:${version}`),
    type: 'order.upserted',
    occurredAt: version,
    data: {
      channel,
      externalOrderId: po,
      orderNumber: order.customerOrderId,
      placedAt,
      currency,
      subtotal: money(subtotal),
      shipping: money(shipping),
      tax: money(tax),
      taxesIncluded: false,
      total: money(total),
      ...customerOf(order),
      shipTo: addressOf(order, ctx, at),
      lines: mapLines(open, po, currency, ctx),
    },
  };
  return finalize([event], ctx, topic);
}

function readLine(line: WalmartOrderLine, ctx: WalmartContext, at: string): ReadLine {
  const topic = WALMART_ORDERS_TOPIC;
  epochMillisToIso(line.statusDate, ctx, topic, `${at}.statusDate`);
  const ordered = Number(line.orderLineQuantity.amount);
  if (!Number.isSafeInteger(ordered) || ordered <= 0)
    throw invalid(ctx, topic, `${at}.orderLineQuantity.amount`, `must be at least 1 (got "${line.orderLineQuantity.amount}")`);
  let inStatuses = 0;
  let cancelled = 0;
  let cancellationReason: string | undefined;
  for (const s of line.orderLineStatuses.orderLineStatus) {
    const q = Number(s.statusQuantity.amount);
    inStatuses += q;
    if (s.status === 'Cancelled') {
      cancelled += q;
      cancellationReason ??= s.cancellationReason;
    }
  }
  if (inStatuses > ordered) throw invalid(ctx, topic, `${at}.orderLineStatuses`, `status quantities add up to ${inStatuses}, more than the ${ordered} ordered`);
  const currencies = new Set<string>();
  let product = new Decimal(0);
  let shipping = new Decimal(0);
  let tax = new Decimal(0);
  for (const c of line.charges.charge) {
    currencies.add(c.chargeAmount.currency);
    const amount = decimalOf(c.chargeAmount.amount);
    if (c.chargeType === 'SHIPPING') shipping = shipping.plus(amount);
    else product = product.plus(amount);
    if (c.tax) {
      currencies.add(c.tax.taxAmount.currency);
      tax = tax.plus(decimalOf(c.tax.taxAmount.amount));
    }
  }
  if (currencies.size > 1) throw invalid(ctx, topic, `${at}.charges`, `charges in several currencies (${[...currencies].join(', ')})`);
  return {
    raw: line,
    at,
    ordered,
    open: ordered - cancelled,
    product,
    shipping,
    tax,
    currency: [...currencies][0],
    cancelledAt: cancelled > 0 ? line.statusDate : undefined,
    cancellationReason,
  };
}

function orderCurrency(order: WalmartOrder, lines: ReadLine[], ctx: WalmartContext, at: string): string {
  const found = new Set(lines.flatMap((l) => (l.currency ? [l.currency] : [])));
  const summary = order.orderSummary?.totalAmount?.currencyUnit;
  if (summary) found.add(summary);
  if (found.size === 1) return [...found][0] as string;
  throw invalid(
    ctx,
    WALMART_ORDERS_TOPIC,
    `${at}.orderLines`,
    found.size === 0 ? 'no charge says the currency' : `charges in several currencies (${[...found].join(', ')})`,
  );
}

function mapLines(open: ReadLine[], po: string, currency: string, ctx: WalmartContext): OrderLine[] {
  const issues: MappingIssue[] = [];
  const lines: OrderLine[] = [];
  for (const l of open) {
    const channelSku = l.raw.item.sku.trim() || null;
    const sku = mapSku(
      ctx,
      { sku: channelSku, externalIds: { sellerSku: channelSku } },
      { where: `purchase order ${po} line ${l.raw.lineNumber}`, field: `${l.at}.item.sku`, issues },
    );
    if (sku === null) continue;
    lines.push({
      externalLineId: l.raw.lineNumber,
      sku,
      quantity: l.open,
      unitPrice: { amount: amountText(l.product.dividedBy(l.ordered).toDecimalPlaces(4)), currency },
      title: l.raw.item.productName ?? '',
    });
  }
  if (issues.length > 0) throw new MappingError(issues, { connectorId: ctx.connectorId, step: 'normalize' });
  return lines;
}

function customerOf(order: WalmartOrder): { customer?: { externalId?: string; email?: string } } {
  const customer = { ...(order.buyerId ? { externalId: order.buyerId } : {}), ...(order.customerEmailId ? { email: order.customerEmailId } : {}) };
  return Object.keys(customer).length > 0 ? { customer } : {};
}

function addressOf(order: WalmartOrder, ctx: WalmartContext, at: string) {
  const a = order.shippingInfo.postalAddress;
  let country: string | undefined;
  if (a.country) {
    country = toAlpha2(a.country) ?? undefined;
    if (!country) throw invalid(ctx, WALMART_ORDERS_TOPIC, `${at}.shippingInfo.postalAddress.country`, `"${a.country}" is not an ISO 3166 country code`);
  }
  const fields = {
    name: a.name,
    address1: a.address1,
    address2: a.address2 ?? undefined,
    city: a.city,
    province: a.state,
    postalCode: a.postalCode,
    country,
    phone: order.shippingInfo.phone,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === 'string' && v !== ''));
}
