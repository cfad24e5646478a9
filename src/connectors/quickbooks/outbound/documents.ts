import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { MappingError, ValidationError, type MappingIssue } from '../../../core/errors.js';
import type { Money, Order } from '../../../core/model/index.js';
import { loadSkuTable } from '../../../mappings/sku-map.js';
import type { QuickBooksSettings } from '../config.js';
import { decimal } from '../money.js';

/** An order to book: the canonical order, with the money fields the channel computed (shipping, tax, discounts). */
export type BookableOrder = Order;

export interface BookOptions {
  /** Per ERP SKU, the product's externalIds for this instance (`{ itemId }`), when the catalogue has them. */
  externalIds?: Record<string, Record<string, string>>;
  /** Date of the document (ISO); default the order's placedAt. */
  txnDate?: string;
}

/** The key of a hub-made document in the connector state and in the requestid. */
export function documentKey(kind: string, channel: string, ref: string): string {
  return `${kind}:${channel}:${ref}`;
}

/** A requestid (max 50 characters) derived from the document, so every resend of it is the same request. */
export function requestIdFor(connectorId: string, key: string): string {
  return `hub-${createHash('sha256').update(`${connectorId}\n${key}`).digest('hex').slice(0, 40)}`;
}

/** The marker a hub-made document carries in PrivateNote, read back by the normalizers. */
export function orderMarker(channel: string, externalOrderId: string): string {
  return `hub:${channel}/${externalOrderId}`;
}

/** Escapes a value for a query string literal. https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Max DocNumber length. https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice */
const DOC_NUMBER_MAX = 21;

export function docNumberOf(settings: QuickBooksSettings, orderNumber: string): string | undefined {
  const n = orderNumber.replace(/^#/, '');
  return settings.docNumber === 'orderNumber' && n.length > 0 && n.length <= DOC_NUMBER_MAX ? n : undefined;
}

/**
 * The Line array of an Invoice or SalesReceipt: one SalesItemLine per order line (SKU → ItemRef),
 * a discount line, the shipping line, and a tax line in tax mode "line". Amounts are Decimals,
 * written to JSON with their exact digits. Every unmapped SKU is reported at once.
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice#create-an-invoice
 */
export function buildLines(order: BookableOrder, settings: QuickBooksSettings, connectorId: string, options: BookOptions): Record<string, unknown>[] {
  const items = loadSkuTable(settings.itemMap, settings.itemMap.csv);
  const issues: MappingIssue[] = [];
  const taxable = settings.tax.mode === 'override' && order.tax !== undefined && !decimal(order.tax.amount).isZero();
  const lines: Record<string, unknown>[] = [];
  order.lines.forEach((line, i) => {
    assertCurrency(order, line.unitPrice, `lines[${i}].unitPrice`, connectorId);
    const itemId = line.sku === null ? settings.defaultItemId : (items.get(line.sku)?.sku ?? options.externalIds?.[line.sku]?.['itemId'] ?? undefined);
    if (!itemId) {
      issues.push({
        code: 'unknown_sku',
        field: `lines[${i}].sku`,
        value: line.sku,
        message:
          line.sku === null
            ? `line ${i + 1} (${line.externalLineId}) has no SKU and settings.defaultItemId is not set`
            : `SKU ${line.sku} (line ${i + 1}) has no QuickBooks item in settings.itemMap`,
      });
      return;
    }
    const unit = decimal(line.unitPrice.amount);
    lines.push({
      DetailType: 'SalesItemLineDetail',
      Amount: unit.times(line.quantity),
      Description: line.title || undefined,
      SalesItemLineDetail: {
        ItemRef: { value: itemId },
        Qty: line.quantity,
        UnitPrice: unit,
        ...(taxable ? { TaxCodeRef: { value: settings.tax.taxCodeId } } : {}),
      },
    });
  });
  if (issues.length > 0) throw new MappingError(issues, { connectorId, step: 'push' });
  if (order.discounts && !decimal(order.discounts.amount).isZero()) {
    assertCurrency(order, order.discounts, 'discounts', connectorId);
    lines.push({ DetailType: 'DiscountLineDetail', Amount: decimal(order.discounts.amount).abs(), DiscountLineDetail: { PercentBased: false } });
  }
  if (order.shipping && !decimal(order.shipping.amount).isZero()) {
    assertCurrency(order, order.shipping, 'shipping', connectorId);
    const amount = decimal(order.shipping.amount);
    lines.push({
      DetailType: 'SalesItemLineDetail',
      Amount: amount,
      Description: 'Shipping',
      SalesItemLineDetail: { ItemRef: { value: settings.shippingItemId }, UnitPrice: amount, Qty: 1 },
    });
  }
  if (settings.tax.mode === 'line' && order.tax && !order.taxesIncluded && !decimal(order.tax.amount).isZero()) {
    assertCurrency(order, order.tax, 'tax', connectorId);
    const amount = decimal(order.tax.amount);
    lines.push({
      DetailType: 'SalesItemLineDetail',
      Amount: amount,
      Description: 'Tax',
      SalesItemLineDetail: { ItemRef: { value: settings.tax.taxItemId }, UnitPrice: amount, Qty: 1 },
    });
  }
  return lines;
}

/** The transaction-level tax of tax mode "override": QuickBooks honours an explicit total and prorates it. */
export function taxDetail(order: BookableOrder, settings: QuickBooksSettings): Record<string, unknown> {
  if (settings.tax.mode !== 'override' || !order.tax) return {};
  // https://developer.intuit.com/hub/blog/2017/12/11/using-quickbooks-online-api-automated-sales-tax/
  return { TxnTaxDetail: { TotalTax: decimal(order.tax.amount) }, ...(order.taxesIncluded ? { GlobalTaxCalculation: 'TaxInclusive' } : {}) };
}

function assertCurrency(order: BookableOrder, money: Money, field: string, connectorId: string): void {
  if (money.currency !== order.currency) {
    throw new ValidationError(`${connectorId}: order ${order.orderNumber} ${field} is in ${money.currency}, the order in ${order.currency}`, {
      connectorId,
      field,
      value: money.currency,
    });
  }
}

export function sum(values: Decimal[]): Decimal {
  return values.reduce((a, b) => a.plus(b), new Decimal(0));
}
