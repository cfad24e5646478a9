import type { Logger } from '../../../core/logger.js';
import { ContractError } from '../../../core/errors.js';
import type { Money } from '../../../core/model/index.js';
import type { QboClient } from '../client.js';
import type { QuickBooksSettings } from '../config.js';
import { toDecimalString } from '../money.js';
import { QboSalesTxnSchema, type QboSalesTxn } from '../shapes.js';
import { findOrCreateCustomer } from './customer.js';
import { type BookOptions, type BookableOrder, buildLines, docNumberOf, documentKey, orderMarker, quote, requestIdFor, taxDetail } from './documents.js';

export type QboDocumentKind = 'Invoice' | 'SalesReceipt' | 'CreditMemo';

/** A document the hub booked (or found already booked) in QuickBooks. */
export interface BookedDocument {
  kind: QboDocumentKind;
  /** The QuickBooks entity Id. */
  externalId: string;
  docNumber?: string;
  syncToken: string;
  /** False when a replay found the document booked before: nothing was created this time. */
  created: boolean;
  total: Money;
}

/** Orders whose money was taken at checkout become sales receipts in `auto` mode. */
const PAID = new Set(['paid', 'partially_refunded', 'refunded']);

export function documentKindFor(settings: QuickBooksSettings, order: BookableOrder): 'Invoice' | 'SalesReceipt' {
  if (settings.document === 'invoice') return 'Invoice';
  if (settings.document === 'salesReceipt') return 'SalesReceipt';
  return order.financialStatus !== undefined && PAID.has(order.financialStatus) ? 'SalesReceipt' : 'Invoice';
}

/**
 * Books a shipped order once: an Invoice, or a SalesReceipt when it was paid at checkout.
 * Exactly once, in three layers:
 * 1. the connector state remembers `order:<channel>:<externalOrderId>` → the document it became;
 * 2. without that (a crash after the create, before the state write), a document with the
 *    order's DocNumber and the hub's PrivateNote marker is found by query;
 * 3. the create carries a requestid derived from the order, so a resend after a lost response
 *    gets QuickBooks' first answer instead of a second document.
 * https://blogs.intuit.com/2015/04/06/15346/ (requestid)
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/salesreceipt
 */
export async function pushInvoice(
  client: QboClient,
  settings: QuickBooksSettings,
  connectorId: string,
  order: BookableOrder,
  options: BookOptions & { logger?: Logger } = {},
): Promise<BookedDocument> {
  const key = documentKey('order', order.channel, order.externalOrderId);
  const marker = orderMarker(order.channel, order.externalOrderId);
  const known = await readBooked(client, connectorId, key);
  if (known) return known;

  const kind = documentKindFor(settings, order);
  const docNumber = docNumberOf(settings, order.orderNumber);
  if (docNumber) {
    const found = (await client.query(`select * from ${kind} where DocNumber = ${quote(docNumber)}`, kind, QboSalesTxnSchema)).find((d) =>
      d.PrivateNote?.includes(marker),
    );
    if (found) return remember(client, key, kind, found, false, settings);
  }

  const lines = buildLines(order, settings, connectorId, options);
  const customerId = await findOrCreateCustomer(client, settings, connectorId, order.customer, order.orderNumber);
  const ref = `${order.channel}/${order.externalOrderId}`;
  const body: Record<string, unknown> = {
    CustomerRef: { value: customerId },
    TxnDate: (options.txnDate ?? order.placedAt).slice(0, 10),
    ...(docNumber ? { DocNumber: docNumber } : {}),
    PrivateNote: marker,
    ...(settings.orderRefCustomFieldId ? { CustomField: [{ DefinitionId: settings.orderRefCustomFieldId, Type: 'StringType', StringValue: ref }] } : {}),
    ...(order.currency !== settings.homeCurrency ? { CurrencyRef: { value: order.currency } } : {}),
    Line: lines,
    ...taxDetail(order, settings),
  };
  const { entity } = await client.write(kind, body, requestIdFor(connectorId, `${key}:${kind}`), QboSalesTxnSchema);
  const booked = await remember(client, key, kind, entity, true, settings);
  if (booked.total.amount !== toDecimalString(order.total.amount)) {
    options.logger?.warn(
      { connectorId, kind, externalId: booked.externalId, total: booked.total.amount, orderTotal: order.total.amount },
      'quickbooks total differs from the order total',
    );
  }
  return booked;
}

/** The document stored under `key`, read back (so a replay reports what QuickBooks holds now). */
export async function readBooked(client: QboClient, connectorId: string, key: string): Promise<BookedDocument | undefined> {
  const stored = await client.state.get(key);
  if (!stored) return undefined;
  const [kind, id] = stored.split(':') as [QboDocumentKind, string];
  try {
    const { entity } = await client.read(kind, id, QboSalesTxnSchema);
    return describe(kind, entity, false, undefined);
  } catch (err) {
    if (err instanceof ContractError && err.code === 'not_found') {
      throw new ContractError(`${connectorId}: ${key} was booked as ${kind} ${id}, which QuickBooks no longer has; not booking it again`, {
        connectorId,
        code: 'not_found',
      });
    }
    throw err;
  }
}

async function remember(
  client: QboClient,
  key: string,
  kind: QboDocumentKind,
  doc: QboSalesTxn,
  created: boolean,
  settings: QuickBooksSettings,
): Promise<BookedDocument> {
  await client.state.set(key, `${kind}:${doc.Id}`);
  return describe(kind, doc, created, settings.homeCurrency);
}

function describe(kind: QboDocumentKind, doc: QboSalesTxn, created: boolean, homeCurrency: string | undefined): BookedDocument {
  return {
    kind,
    externalId: doc.Id,
    ...(doc.DocNumber ? { docNumber: doc.DocNumber } : {}),
    syncToken: doc.SyncToken,
    created,
    total: { amount: toDecimalString(doc.TotalAmt), currency: doc.CurrencyRef?.value ?? homeCurrency ?? 'USD' },
  };
}
