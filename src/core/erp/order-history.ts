import type { Queryable } from '../store/index.js';
import { describeHop, listOrderHops } from './order-hops.js';
import { listOrderRequests } from './order-requests.js';

/** One thing that happened to an order, as the ops API lists it. */
export interface OrderHistoryEntry {
  at: string;
  kind: 'event' | 'movement' | 'dead-letter' | 'hop';
  eventId: string | null;
  eventType: string | null;
  connector: string | null;
  idempotencyKey: string | null;
  summary: string;
}

export interface OrderRef {
  id: number;
  channel: string;
  externalOrderId: string;
  orderNumber: string;
}

/** Orders matching an internal id, or an external order id or order number (optionally on one channel). */
export async function findOrders(db: Queryable, ref: string, by: 'id' | 'external', channel?: string): Promise<OrderRef[]> {
  const cols = 'id, channel, external_order_id AS "externalOrderId", order_number AS "orderNumber"';
  if (by === 'id') {
    if (!/^\d{1,18}$/.test(ref)) return [];
    return (await db.query<OrderRef>(`SELECT ${cols} FROM sales_order WHERE id = $1`, [ref])).rows;
  }
  const { rows } = await db.query<OrderRef>(
    `SELECT ${cols} FROM sales_order WHERE (external_order_id = $1 OR order_number = $1) AND ($2::text IS NULL OR channel = $2) ORDER BY id LIMIT 20`,
    [ref, channel ?? null],
  );
  return rows;
}

const iso = (d: Date | string) => new Date(d).toISOString();

/**
 * What the ERP recorded about an order: the ledger movements it caused, grouped per applied event
 * (allocations reference `order:<channel>/<id>`, shipments `shipment:<channel>/<id>`), the latest
 * order version applied, shipments, refunds and requests. The ops API adds the dead letters naming it. Order upserts that moved
 * no stock leave only their latest version: the ERP keeps no per-event order journal.
 */
export async function orderHistory(db: Queryable, order: OrderRef): Promise<OrderHistoryEntry[]> {
  const label = `${order.channel}/${order.externalOrderId}`;
  const [shipments, skus, version, refunds] = await Promise.all([
    db.query<{ channel: string; external_shipment_id: string; location: string; shipped_at: Date; tracking_status: string | null }>(
      'SELECT channel, external_shipment_id, location, shipped_at, tracking_status FROM shipment WHERE order_id = $1',
      [order.id],
    ),
    db.query<{ sku: string }>('SELECT DISTINCT sku FROM order_item WHERE order_id = $1', [order.id]),
    db.query<{ entity: string; version: string; event_id: string; updated_at: Date; event_type: string | null; idempotency_key: string | null }>(
      `SELECT v.entity, v.version, v.event_id, v.updated_at, a.event_type, a.idempotency_key
       FROM erp_entity_version v LEFT JOIN erp_applied_event a ON a.event_id = v.event_id
       WHERE substring(v.entity from position(':' in v.entity) + 1) = $1`,
      [`order/${label}`],
    ),
    db.query<{ external_refund_id: string; created_at: Date; amount: string; currency: string; reason: string | null }>(
      'SELECT external_refund_id, created_at, amount::text AS amount, currency, reason FROM refund WHERE channel = $1 AND external_order_id = $2',
      [order.channel, order.externalOrderId],
    ),
  ]);
  const refs = [`order:${label}`, ...shipments.rows.map((s) => `shipment:${s.channel}/${s.external_shipment_id}`)];
  const movements = await db.query<{
    idempotency_key: string;
    at: Date;
    event_id: string | null;
    event_type: string | null;
    connector: string | null;
    summary: string;
  }>(
    `SELECT m.idempotency_key, min(m.created_at) AS at, a.event_id, a.event_type, a.connector,
       string_agg(m.state || ' ' || CASE WHEN m.delta > 0 THEN '+' ELSE '' END || m.delta || ' ' || m.sku || ' at ' || m.location || ' (' || m.reason || ')', '; ' ORDER BY m.id) AS summary
     FROM inventory_movement m LEFT JOIN erp_applied_event a ON a.idempotency_key = m.idempotency_key
     WHERE m.sku = ANY($1::text[]) AND m.reference = ANY($2::text[])
     GROUP BY m.idempotency_key, a.event_id, a.event_type, a.connector`,
    [skus.rows.map((r) => r.sku), refs],
  );
  const out: OrderHistoryEntry[] = [];
  for (const m of movements.rows) {
    out.push({
      at: iso(m.at),
      kind: 'movement',
      eventId: m.event_id,
      eventType: m.event_type,
      connector: m.connector,
      idempotencyKey: m.idempotency_key,
      summary: m.summary,
    });
  }
  for (const v of version.rows) {
    const connector = v.entity.slice(0, v.entity.indexOf(':'));
    out.push({
      at: iso(v.updated_at),
      kind: 'event',
      eventId: v.event_id,
      eventType: v.event_type,
      connector,
      idempotencyKey: v.idempotency_key,
      summary: `latest order version applied: ${v.version}`,
    });
  }
  for (const s of shipments.rows) {
    out.push({
      at: iso(s.shipped_at),
      kind: 'event',
      eventId: null,
      eventType: 'shipment.confirmed',
      connector: null,
      idempotencyKey: null,
      summary: `shipment ${s.external_shipment_id} from ${s.location}${s.tracking_status ? ` (tracking: ${s.tracking_status})` : ''}`,
    });
  }
  for (const r of refunds.rows) {
    out.push({
      at: iso(r.created_at),
      kind: 'event',
      eventId: null,
      eventType: 'refund.created',
      connector: null,
      idempotencyKey: null,
      summary: `refund ${r.external_refund_id}: ${r.amount} ${r.currency}${r.reason ? ` (${r.reason})` : ''}`,
    });
  }
  for (const r of await listOrderRequests(db, { channel: order.channel, externalOrderId: order.externalOrderId })) {
    out.push({
      at: r.requestedAt,
      kind: 'event',
      eventId: null,
      eventType: 'order.cancellation.requested',
      connector: null,
      idempotencyKey: null,
      summary: `${r.kind} requested by the ${r.requestedBy} (${r.status})${r.reason ? `: ${r.reason}` : ''}`,
    });
  }
  for (const h of await listOrderHops(db, order.id)) {
    out.push({ at: h.at, kind: 'hop', eventId: null, eventType: null, connector: h.connector, idempotencyKey: null, summary: describeHop(h) });
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}
