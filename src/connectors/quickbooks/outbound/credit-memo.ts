import { DependencyMissingError, MappingError, type MappingIssue } from '../../../core/errors.js';
import type { Refund } from '../../../core/model/index.js';
import { loadSkuTable } from '../../../mappings/sku-map.js';
import type { QboClient } from '../client.js';
import type { QuickBooksSettings } from '../config.js';
import { decimal } from '../money.js';
import { QboSalesTxnSchema } from '../shapes.js';
import { documentKey, orderMarker, requestIdFor } from './documents.js';
import { type BookedDocument, readBooked } from './push-invoice.js';

/**
 * Books a refund once as a CreditMemo for the customer of the order's document: one line per
 * refunded line (SKU → ItemRef, the refunded amount), or one line with settings.refundItemId for
 * an amount-only refund. Same three idempotency layers as pushInvoice (state, marker, requestid).
 * A refund of an order not booked yet waits (DependencyMissingError, retried).
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/creditmemo
 */
export async function pushCreditMemo(
  client: QboClient,
  settings: QuickBooksSettings,
  connectorId: string,
  refund: Refund,
  options: { externalIds?: Record<string, Record<string, string>> } = {},
): Promise<BookedDocument> {
  const key = documentKey('refund', refund.channel, refund.externalRefundId);
  const known = await readBooked(client, connectorId, key);
  if (known) return known;
  const orderDoc = await client.state.get(documentKey('order', refund.channel, refund.externalOrderId));
  if (!orderDoc) {
    throw new DependencyMissingError(
      `${connectorId}: refund ${refund.externalRefundId} is for order ${refund.channel}/${refund.externalOrderId}, which is not booked yet`,
      { connectorId },
    );
  }
  const [kind, id] = orderDoc.split(':') as [string, string];
  const { entity: original } = await client.read(kind, id, QboSalesTxnSchema);

  const items = loadSkuTable(settings.itemMap, settings.itemMap.csv);
  const issues: MappingIssue[] = [];
  const lines: Record<string, unknown>[] = [];
  refund.lines.forEach((line, i) => {
    const itemId =
      line.sku === null ? (settings.refundItemId ?? settings.defaultItemId) : (items.get(line.sku)?.sku ?? options.externalIds?.[line.sku]?.['itemId']);
    if (!itemId) {
      issues.push({
        code: 'unknown_sku',
        field: `lines[${i}].sku`,
        value: line.sku,
        message: `refund line ${i + 1} (SKU ${line.sku ?? 'none'}) has no QuickBooks item`,
      });
      return;
    }
    const amount = decimal(line.amount.amount);
    lines.push({
      DetailType: 'SalesItemLineDetail',
      Amount: amount,
      SalesItemLineDetail: { ItemRef: { value: itemId }, Qty: line.quantity, UnitPrice: amount.dividedBy(line.quantity) },
    });
  });
  const linesTotal = refund.lines.reduce((a, l) => a.plus(decimal(l.amount.amount)), decimal(0));
  const rest = decimal(refund.amount.amount).minus(linesTotal);
  if (rest.greaterThan(0)) {
    const itemId = settings.refundItemId ?? settings.defaultItemId;
    if (!itemId)
      issues.push({
        code: 'unknown_sku',
        field: 'amount',
        value: refund.amount.amount,
        message: 'the refund amount beyond its lines needs settings.refundItemId',
      });
    else
      lines.push({
        DetailType: 'SalesItemLineDetail',
        Amount: rest,
        Description: refund.reason,
        SalesItemLineDetail: { ItemRef: { value: itemId }, Qty: 1, UnitPrice: rest },
      });
  }
  if (issues.length > 0) throw new MappingError(issues, { connectorId, step: 'push' });

  const body: Record<string, unknown> = {
    CustomerRef: original.CustomerRef,
    TxnDate: refund.createdAt.slice(0, 10),
    PrivateNote: `${orderMarker(refund.channel, refund.externalOrderId)} refund ${refund.externalRefundId}`,
    ...(original.CurrencyRef ? { CurrencyRef: original.CurrencyRef } : {}),
    Line: lines,
  };
  const { entity } = await client.write('CreditMemo', body, requestIdFor(connectorId, key), QboSalesTxnSchema);
  await client.state.set(key, `CreditMemo:${entity.Id}`);
  return {
    kind: 'CreditMemo',
    externalId: entity.Id,
    syncToken: entity.SyncToken,
    created: true,
    total: { amount: decimal(entity.TotalAmt).toFixed(2), currency: entity.CurrencyRef?.value ?? settings.homeCurrency },
  };
}
