import type { Invoice, InvoicePayment, Refund } from '../model/index.js';
import type { HandlerResult } from './handler.js';
import { lockOrder, orderLabel, setStatus } from './orders.js';
import { releaseCancelledLines } from './refund-cancels.js';
import type { ApplySession } from './session.js';

/**
 * `refund.created`: money, recorded once per refund id. Goods coming back are a `return.received`;
 * units the refund cancelled before they shipped release their reservation here, once.
 */
export async function applyRefundCreated(s: ApplySession, d: Refund): Promise<HandlerResult> {
  const res = await s.tx.query(
    `INSERT INTO refund (channel, external_refund_id, external_order_id, created_at, amount, currency, reason, lines)
     VALUES ($1, $2, $3, $4, $5::numeric, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING 1`,
    [d.channel, d.externalRefundId, d.externalOrderId, d.createdAt, d.amount.amount, d.amount.currency, d.reason ?? null, JSON.stringify(d.lines)],
  );
  if (res.rowCount === 0) return { status: 'duplicate', message: `refund ${d.channel}/${d.externalRefundId} was already recorded` };
  return { message: await releaseCancelledLines(s, d) };
}

/** `invoice.posted`: recorded once per (connector, invoice id); an invoiced order that has shipped is closed. */
export async function applyInvoicePosted(s: ApplySession, d: Invoice): Promise<HandlerResult> {
  const res = await s.tx.query(
    `INSERT INTO invoice (connector, external_invoice_id, channel, external_order_id, posted_at, total, currency, lines)
     VALUES ($1, $2, $3, $4, $5, $6::numeric, $7, $8) ON CONFLICT DO NOTHING RETURNING 1`,
    [
      s.event.source.connector,
      d.externalInvoiceId,
      d.channel ?? null,
      d.externalOrderId ?? null,
      d.postedAt,
      d.total.amount,
      d.total.currency,
      JSON.stringify(d.lines),
    ],
  );
  if (res.rowCount === 0) return { status: 'duplicate', message: `invoice ${d.externalInvoiceId} was already posted` };
  if (d.channel === undefined || d.externalOrderId === undefined) return {};
  const order = await lockOrder(s.tx, d.channel, d.externalOrderId);
  if (!order) return { message: `order ${d.channel}/${d.externalOrderId} is unknown; invoice recorded on its own` };
  await s.tx.query('UPDATE sales_order SET invoiced = true, updated_at = now() WHERE id = $1', [order.id]);
  order.invoiced = true;
  if (order.status === 'shipped') await setStatus(s, order, 'closed');
  return { message: order.status === 'closed' ? `order ${orderLabel(order)} closed` : undefined };
}

/**
 * `invoice.payment.recorded`: recorded once per (connector, payment, invoice). The invoice's
 * balance follows the payment when the invoice is known; a payment for an invoice the hub has not
 * seen is recorded on its own (the invoice may come later, or was never the hub's).
 */
export async function applyInvoicePaymentRecorded(s: ApplySession, d: InvoicePayment): Promise<HandlerResult> {
  const c = s.event.source.connector;
  const res = await s.tx.query(
    `INSERT INTO invoice_payment (connector, external_payment_id, external_invoice_id, amount, currency, paid_at)
     VALUES ($1, $2, $3, $4::numeric, $5, $6) ON CONFLICT DO NOTHING RETURNING 1`,
    [c, d.externalPaymentId, d.externalInvoiceId, d.amount.amount, d.amount.currency, d.paidAt],
  );
  if (res.rowCount === 0) return { status: 'duplicate', message: `payment ${d.externalPaymentId} on invoice ${d.externalInvoiceId} was already recorded` };
  const updated = await s.tx.query(
    'UPDATE invoice SET balance = COALESCE($3::numeric, balance) WHERE connector = $1 AND external_invoice_id = $2 RETURNING 1',
    [c, d.externalInvoiceId, d.balance?.amount ?? null],
  );
  return { message: updated.rowCount === 0 ? `invoice ${d.externalInvoiceId} is unknown; payment recorded on its own` : undefined };
}
