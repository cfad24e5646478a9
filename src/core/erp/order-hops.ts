import type { Queryable } from '../store/index.js';

/**
 * The hops of the order-to-cash flow, in the order an order normally makes them:
 * `placed` (a channel sent it), `allocated`, `pushed` (the 3PL holds it, external id = its order
 * id), `shipped` (per shipment), `fulfilment` (the selling channel holds the shipment),
 * `tracker` (the carrier tracks it, external id = tracker id), `invoiced` (accounting booked it,
 * external id = document id), `delivered` (per shipment), `closed`; and `cancelled`,
 * `refunded`, `credit-memo` (external id = credit memo id).
 */
export const ORDER_HOPS = [
  'placed',
  'allocated',
  'pushed',
  'shipped',
  'fulfilment',
  'tracker',
  'invoiced',
  'delivered',
  'closed',
  'cancelled',
  'refunded',
  'credit-memo',
] as const;
export type OrderHopName = (typeof ORDER_HOPS)[number];

/** One recorded hop of an order. */
export interface OrderHop {
  hop: OrderHopName;
  /** What the hop is about within the order: a location, a shipment id, a refund id, or ''. */
  ref: string;
  /** The connector instance that made (or reported) the hop. */
  connector: string | null;
  /** The id the external system gave it (3PL order id, tracker id, invoice id), exactly as written there. */
  externalId: string | null;
  detail: string | null;
  /** ISO UTC. */
  at: string;
}

export interface RecordHopInput {
  channel: string;
  externalOrderId: string;
  hop: OrderHopName;
  ref?: string;
  connector?: string | null;
  externalId?: string | null;
  detail?: string | null;
  /** Default: now. */
  at?: string;
}

/**
 * Records a hop once: a hop already recorded for (order, hop, ref) is kept as first recorded,
 * so a retried or replayed step changes nothing. Returns false when the hop was already there
 * or the order is unknown. The outbound steps record their hops through this function.
 */
export async function recordOrderHop(q: Queryable, h: RecordHopInput): Promise<boolean> {
  const res = await q.query(
    `INSERT INTO order_hop (order_id, hop, ref, connector, external_id, detail, at)
     SELECT id, $3, $4, $5, $6, $7, coalesce($8::timestamptz, now()) FROM sales_order WHERE channel = $1 AND external_order_id = $2
     ON CONFLICT DO NOTHING RETURNING 1`,
    [h.channel, h.externalOrderId, h.hop, h.ref ?? '', h.connector ?? null, h.externalId ?? null, h.detail ?? null, h.at ?? null],
  );
  return (res.rowCount ?? 0) > 0;
}

/** The hop recorded for (order, hop, ref), if any. */
export async function findOrderHop(q: Queryable, channel: string, externalOrderId: string, hop: OrderHopName, ref = ''): Promise<OrderHop | null> {
  const { rows } = await q.query<HopRow>(
    `SELECT h.hop, h.ref, h.connector, h.external_id, h.detail, h.at FROM order_hop h JOIN sales_order o ON o.id = h.order_id
     WHERE o.channel = $1 AND o.external_order_id = $2 AND h.hop = $3 AND h.ref = $4`,
    [channel, externalOrderId, hop, ref],
  );
  return rows[0] ? toHop(rows[0]) : null;
}

/** Every hop of an order (by internal id), oldest first. */
export async function listOrderHops(q: Queryable, orderId: number): Promise<OrderHop[]> {
  const { rows } = await q.query<HopRow>(
    `SELECT hop, ref, connector, external_id, detail, at FROM order_hop WHERE order_id = $1
     ORDER BY at, array_position($2::text[], hop), ref`,
    [orderId, [...ORDER_HOPS]],
  );
  return rows.map(toHop);
}

type HopRow = { hop: OrderHopName; ref: string; connector: string | null; external_id: string | null; detail: string | null; at: Date | string };

function toHop(r: HopRow): OrderHop {
  return { hop: r.hop, ref: r.ref, connector: r.connector, externalId: r.external_id, detail: r.detail, at: new Date(r.at).toISOString() };
}

/** One line per hop: `pushed wh-east via ss-main (external id 1001): at wh-east`. */
export function describeHop(h: OrderHop): string {
  const parts: string[] = [h.hop];
  if (h.ref) parts.push(h.ref);
  if (h.connector) parts.push(`via ${h.connector}`);
  if (h.externalId && h.externalId !== h.ref) parts.push(`(external id ${h.externalId})`);
  return parts.join(' ') + (h.detail ? `: ${h.detail}` : '');
}
