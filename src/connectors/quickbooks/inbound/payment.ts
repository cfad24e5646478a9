import type { CanonicalEvent } from '../../../core/model/index.js';
import type { Normalizer } from '../../types.js';
import { settingsOrDefaults } from '../config.js';
import { toDecimalString } from '../money.js';
import { QboPaymentSchema } from '../shapes.js';
import { readEntity, toIsoUtc } from './common.js';

/**
 * One Payment read response → one `invoice.payment.recorded` per invoice it is applied to
 * (Line[].LinkedTxn with TxnType Invoice), with the amount applied to that invoice. Amounts not
 * applied to an invoice (UnappliedAmt, credit memos) record nothing.
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/payment
 * https://developer.intuit.com/app/developer/qbo/docs/workflows/manage-linked-transactions
 */
export const normalizePayment: Normalizer = (body, ctx) => {
  const settings = settingsOrDefaults((ctx.config as { settings?: unknown } | undefined)?.settings);
  const payment = readEntity(body, 'Payment', QboPaymentSchema, ctx.connectorId);
  const currency = payment.CurrencyRef?.value ?? settings.homeCurrency;
  const paidAt = toIsoUtc(payment.TxnDate) ?? toIsoUtc(payment.MetaData?.CreateTime) ?? ctx.receivedAt;
  const version = toIsoUtc(payment.MetaData?.LastUpdatedTime) ?? null;
  const events: CanonicalEvent[] = [];
  for (const line of payment.Line) {
    for (const linked of line.LinkedTxn) {
      if (linked.TxnType !== 'Invoice') continue;
      events.push({
        id: `${ctx.connectorId}:Payment:${payment.Id}:${payment.SyncToken}:${linked.TxnId}`,
        type: 'invoice.payment.recorded',
        idempotencyKey: `${ctx.connectorId}:payment:${payment.Id}:${linked.TxnId}`,
        source: { connector: ctx.connectorId, connectorType: ctx.connectorType, externalId: payment.Id, version },
        occurredAt: paidAt,
        data: { externalInvoiceId: linked.TxnId, externalPaymentId: payment.Id, amount: { amount: toDecimalString(line.Amount), currency }, paidAt },
      });
    }
  }
  return events;
};
