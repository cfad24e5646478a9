import { ValidationError } from '../../../core/errors.js';
import type { CanonicalEvent, InvoiceLine } from '../../../core/model/index.js';
import { loadSkuTable } from '../../../mappings/sku-map.js';
import type { Normalizer } from '../../types.js';
import { settingsOrDefaults } from '../config.js';
import { decimal, toDecimalString } from '../money.js';
import { QboSalesTxnSchema, type QboLine } from '../shapes.js';
import { orderRefOf, readEntity, toIsoUtc } from './common.js';

/**
 * One Invoice (or SalesReceipt) read response → `invoice.posted`.
 * - Lines: every line with an Id. SubTotalLineDetail lines are QuickBooks' own sums, have no Id
 *   and are skipped (counting them would double the total). Item lines map ItemRef → ERP SKU
 *   through settings.itemMap (reversed); the shipping line and unmapped items have sku null.
 *   A discount line is a line of quantity 1 with a negative price.
 * - Money: amounts are read from their exact JSON text into decimal strings.
 * - Order: a hub-made document carries `hub:<channel>/<externalOrderId>` in PrivateNote; others
 *   belong to settings.channel with no order.
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/salesreceipt
 */
export function normalizeSalesDocument(entity: 'Invoice' | 'SalesReceipt'): Normalizer {
  return (body, ctx) => {
    const settings = settingsOrDefaults((ctx.config as { settings?: unknown } | undefined)?.settings);
    const doc = readEntity(body, entity, QboSalesTxnSchema, ctx.connectorId);
    const currency = doc.CurrencyRef?.value ?? settings.homeCurrency;
    const skuOfItem = new Map([...loadSkuTable(settings.itemMap, settings.itemMap.csv)].map(([sku, row]) => [row.sku, sku]));
    const lines: InvoiceLine[] = [];
    doc.Line.forEach((line, i) => {
      if (line.Id === undefined || line.DetailType === 'SubTotalLineDetail') return;
      const converted = toInvoiceLine(
        line,
        i,
        currency,
        (itemId) => skuOfItem.get(itemId) ?? ctx.lookup.sku({ externalIds: { itemId } }),
        settings.shippingItemId,
        `${entity}.Line[${i}]`,
        ctx.connectorId,
      );
      if (converted) lines.push(converted);
    });
    const tax = doc.TxnTaxDetail?.TotalTax;
    if (lines.length > 0 && tax !== undefined && !decimal(tax).isZero())
      lines.push({ sku: null, description: 'Tax', quantity: 1, unitPrice: { amount: toDecimalString(tax), currency } });
    const ref = orderRefOf(doc.PrivateNote);
    const postedAt = toIsoUtc(doc.MetaData?.CreateTime) ?? toIsoUtc(doc.TxnDate) ?? ctx.receivedAt;
    const version = toIsoUtc(doc.MetaData?.LastUpdatedTime) ?? null;
    const channel = ref?.channel ?? settings.channel;
    const event = {
      id: `${ctx.connectorId}:${entity}:${doc.Id}:${doc.SyncToken}`,
      type: 'invoice.posted',
      idempotencyKey: `${ctx.connectorId}:invoice:${doc.Id}:${doc.SyncToken}`,
      source: { connector: ctx.connectorId, connectorType: ctx.connectorType, externalId: doc.Id, version },
      occurredAt: postedAt,
      data: {
        externalInvoiceId: doc.Id,
        ...(channel ? { channel } : {}),
        ...(ref ? { externalOrderId: ref.externalOrderId } : {}),
        postedAt,
        total: { amount: toDecimalString(doc.TotalAmt), currency },
        lines,
      },
    } as CanonicalEvent;
    return [event];
  };
}

function toInvoiceLine(
  line: QboLine,
  i: number,
  currency: string,
  skuOfItem: (itemId: string) => string | null,
  shippingItemId: string,
  field: string,
  connectorId: string,
): InvoiceLine | undefined {
  const amount = decimal(line.Amount);
  if (line.DetailType === 'DiscountLineDetail') {
    return {
      sku: null,
      description: line.Description ?? 'Discount',
      quantity: 1,
      unitPrice: { amount: toDecimalString(amount.negated().toFixed()), currency },
    };
  }
  const detail = line.SalesItemLineDetail;
  if (line.DetailType !== 'SalesItemLineDetail' || !detail) {
    return { sku: null, description: line.Description ?? line.DetailType, quantity: 1, unitPrice: { amount: toDecimalString(line.Amount), currency } };
  }
  const qty = detail.Qty === undefined ? decimal(1) : decimal(detail.Qty);
  if (!qty.isInteger() || qty.lessThanOrEqualTo(0)) {
    throw new ValidationError(`${connectorId}: ${field}.SalesItemLineDetail.Qty ${qty.toFixed()} is not a whole positive number of units (line ${i + 1})`, {
      connectorId,
      field: `${field}.SalesItemLineDetail.Qty`,
      value: qty.toFixed(),
    });
  }
  const unit = detail.UnitPrice !== undefined ? toDecimalString(detail.UnitPrice) : toDecimalString(amount.dividedBy(qty).toFixed());
  const itemId = detail.ItemRef?.value;
  const shipping = itemId === shippingItemId;
  return {
    sku: itemId !== undefined && !shipping ? skuOfItem(itemId) : null,
    description: line.Description ?? (shipping ? 'Shipping' : (detail.ItemRef?.name ?? '')),
    quantity: qty.toNumber(),
    unitPrice: { amount: unit, currency },
  };
}
