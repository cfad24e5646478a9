import type { EventOf } from '../model/index.js';
import type { Queryable } from '../store/index.js';
import type { HandlerResult } from './handler.js';
import type { ApplySession } from './session.js';

/**
 * `order.cancellation.requested`: a request is not a cancellation. It is recorded (once per
 * order and request time) for an operator to act on, and nothing is released.
 */
export async function applyCancellationRequested(s: ApplySession, d: EventOf<'order.cancellation.requested'>['data']): Promise<HandlerResult> {
  const { rowCount } = await s.tx.query(
    `INSERT INTO order_request (channel, external_order_id, kind, requested_at, requested_by, reason, event_id)
     VALUES ($1, $2, 'cancellation', $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [d.channel, d.externalOrderId, d.requestedAt, d.requestedBy, d.reason ?? null, s.event.id],
  );
  const label = `${d.channel}/${d.externalOrderId}`;
  return rowCount === 0
    ? { status: 'duplicate', message: `cancellation request for ${label} at ${d.requestedAt} already recorded` }
    : { message: `cancellation requested by the ${d.requestedBy} for ${label}: recorded for an operator, nothing released` };
}

export interface OrderRequest {
  channel: string;
  externalOrderId: string;
  kind: 'cancellation';
  requestedAt: string;
  requestedBy: string;
  reason: string | null;
  status: 'open' | 'resolved';
}

/** Requests on orders, open ones first, newest first; filtered to one order when given. */
export async function listOrderRequests(
  db: Queryable,
  filter: { channel?: string; externalOrderId?: string; status?: 'open' | 'resolved' } = {},
): Promise<OrderRequest[]> {
  const { rows } = await db.query<OrderRequest & { requestedAt: Date }>(
    `SELECT channel, external_order_id AS "externalOrderId", kind, requested_at AS "requestedAt", requested_by AS "requestedBy", reason, status
     FROM order_request
     WHERE ($1::text IS NULL OR channel = $1) AND ($2::text IS NULL OR external_order_id = $2) AND ($3::text IS NULL OR status = $3)
     ORDER BY status, requested_at DESC LIMIT 500`,
    [filter.channel ?? null, filter.externalOrderId ?? null, filter.status ?? null],
  );
  return rows.map((r) => ({ ...r, requestedAt: new Date(r.requestedAt).toISOString() }));
}
