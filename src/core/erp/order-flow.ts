import type { Order, OrderStatus, Refund, Shipment } from '../model/index.js';
import type { Queryable, WritePart } from '../store/index.js';
import { recordOrderHop } from './order-hops.js';
import type { ApplySession, TxState } from './session.js';

/** What a flow_outbox row asks the outbound side to do. */
export type FlowKind = 'order' | 'tracker' | 'invoice' | 'credit-memo';

/**
 * Writes the next hops of the order-to-cash flow in the transaction of the event that caused
 * them (so once per event, and never for an event rolled back), and records the hops the event
 * itself made. The ERP knows no connector: the relay routes each outbox row by config.
 * - an order that became `allocated`: one `order` row per location holding its allocation;
 * - a confirmed shipment with tracking: a `tracker` row;
 * - an order that became `shipped` (all of it) and is not invoiced yet: an `invoice` row;
 * - a refund of a known order: a `credit-memo` row.
 */
export async function emitOrderFlow(s: ApplySession): Promise<void> {
  const e = s.event;
  const source = e.source.connector;
  if (e.type === 'shipment.confirmed') {
    const d = e.data;
    s.shared.hops.push({
      channel: d.channel,
      externalOrderId: d.externalOrderId,
      hop: 'shipped',
      ref: d.externalShipmentId,
      connector: source,
      externalId: d.externalShipmentId,
      detail: d.tracking ? `${d.tracking.company ?? 'carrier'} ${d.tracking.number}` : null,
      at: d.shippedAt,
    });
    if (d.tracking?.number) outbox(s, 'tracker', d.channel, d.externalOrderId, d.location, d);
  }
  if (e.type === 'refund.created') {
    const d = e.data;
    if (
      await recordOrderHop(s.tx, {
        channel: d.channel,
        externalOrderId: d.externalOrderId,
        hop: 'refunded',
        ref: d.externalRefundId,
        connector: source,
        externalId: d.externalRefundId,
        detail: `${d.amount.amount} ${d.amount.currency}`,
        at: d.createdAt,
      })
    ) {
      outbox(s, 'credit-memo', d.channel, d.externalOrderId, null, d);
    }
  }
  for (const c of s.orderChanges()) {
    const ref = { channel: c.channel, externalOrderId: c.externalOrderId };
    if (c.from === null && e.type === 'order.upserted')
      s.shared.hops.push({ ...ref, hop: 'placed', connector: source, externalId: c.externalOrderId, at: e.data.placedAt });
    if (c.to === 'allocated') {
      s.shared.hops.push({ ...ref, hop: 'allocated' });
      // A new order placed by this event says where it allocated; any other is read back.
      const locations =
        s.newOrderLocations.get(`${c.channel}\u0000${c.externalOrderId}`) ??
        (
          await s.tx.query<{ location: string }>(
            `SELECT DISTINCT a.location FROM order_allocation a JOIN sales_order o ON o.id = a.order_id
             WHERE o.channel = $1 AND o.external_order_id = $2 AND a.quantity > 0 ORDER BY 1`,
            [c.channel, c.externalOrderId],
          )
        ).rows.map((r) => r.location);
      for (const location of locations) outbox(s, 'order', c.channel, c.externalOrderId, location, null);
    }
    if (c.to === 'shipped') {
      const shipment = e.type === 'shipment.confirmed' ? e.data : null;
      outbox(s, 'invoice', c.channel, c.externalOrderId, shipment?.location ?? null, { shippedAt: shipment?.shippedAt ?? e.occurredAt });
    }
    if (c.to === 'closed' || c.to === 'cancelled') s.shared.hops.push({ ...ref, hop: c.to, connector: source });
  }
}

function outbox(
  s: ApplySession,
  kind: FlowKind,
  channel: string,
  externalOrderId: string,
  location: string | null,
  payload: Shipment | Refund | Record<string, unknown> | null,
): void {
  s.shared.flows.push({ kind, channel, externalOrderId, location, payload: payload === null ? null : JSON.stringify(payload) });
}

/**
 * The hops and flow rows the transaction's events left for the end (one event's, or a batch's),
 * in the order they were made, as one write each, whatever their number; taken out of `shared`.
 * Nothing in the apply reads them back, so writing them last changes no decision.
 */
export function orderFlowParts(shared: TxState): WritePart[] {
  const hops = shared.hops.splice(0);
  const flows = shared.flows.splice(0);
  const parts: WritePart[] = [];
  if (hops.length > 0) {
    parts.push({
      steps: [
        [
          'hops',
          `INSERT INTO order_hop (order_id, hop, ref, connector, external_id, detail, at)
           SELECT o.id, h.hop, h.ref, h.connector, h.external_id, h.detail, coalesce(h.at, now())
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
             WITH ORDINALITY AS h(channel, external_order_id, hop, ref, connector, external_id, detail, at, n)
           JOIN sales_order o ON o.channel = h.channel AND o.external_order_id = h.external_order_id
           ORDER BY h.n
           ON CONFLICT DO NOTHING`,
        ],
      ],
      params: [
        hops.map((h) => h.channel),
        hops.map((h) => h.externalOrderId),
        hops.map((h) => h.hop),
        hops.map((h) => h.ref ?? ''),
        hops.map((h) => h.connector ?? null),
        hops.map((h) => h.externalId ?? null),
        hops.map((h) => h.detail ?? null),
        hops.map((h) => h.at ?? null),
      ],
    });
  }
  if (flows.length > 0) {
    parts.push({
      steps: [
        [
          'flows',
          `INSERT INTO flow_outbox (kind, channel, external_order_id, location, payload)
           SELECT kind, channel, external_order_id, location, payload::jsonb
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS f(kind, channel, external_order_id, location, payload, n)
           ORDER BY n`,
        ],
      ],
      params: [
        flows.map((f) => f.kind),
        flows.map((f) => f.channel),
        flows.map((f) => f.externalOrderId),
        flows.map((f) => f.location),
        flows.map((f) => f.payload),
      ],
    });
  }
  return parts;
}

/** An order as the hub holds it, rebuilt as the canonical order (for a push to a 3PL or accounting). */
export interface OrderDocument {
  id: number;
  status: OrderStatus;
  invoiced: boolean;
  order: Order;
}

/**
 * Reads an order back as a canonical `Order`: header and money as the channel last sent them,
 * lines as stored. `null` when the hub does not know it.
 */
export async function loadOrderDocument(q: Queryable, channel: string, externalOrderId: string): Promise<OrderDocument | null> {
  const { rows } = await q.query<{
    id: number;
    order_number: string;
    status: OrderStatus;
    invoiced: boolean;
    placed_at: Date | string;
    currency: string;
    total: string;
    details: Record<string, unknown> | null;
  }>(
    `SELECT id, order_number, status, invoiced, placed_at, currency, total::text AS total, details FROM sales_order WHERE channel = $1 AND external_order_id = $2`,
    [channel, externalOrderId],
  );
  const row = rows[0];
  if (!row) return null;
  const lines = await q.query<{
    external_line_id: string;
    sku: string | null;
    unmapped_reason: string | null;
    quantity: number;
    unit_price: string;
    currency: string;
    title: string;
  }>(
    'SELECT external_line_id, sku, unmapped_reason, quantity, unit_price::text AS unit_price, currency, title FROM order_line WHERE order_id = $1 ORDER BY position',
    [row.id],
  );
  const details = row.details ?? {};
  const pick = <K extends keyof Order>(key: K): Partial<Pick<Order, K>> =>
    details[key] === undefined || details[key] === null ? {} : ({ [key]: details[key] } as Partial<Pick<Order, K>>);
  const order: Order = {
    channel,
    externalOrderId,
    orderNumber: row.order_number,
    status: row.status,
    placedAt: new Date(row.placed_at).toISOString(),
    currency: row.currency,
    total: { amount: row.total, currency: row.currency },
    ...pick('financialStatus'),
    ...pick('subtotal'),
    ...pick('discounts'),
    ...pick('shipping'),
    ...pick('tax'),
    ...pick('taxesIncluded'),
    ...pick('currentTotal'),
    ...pick('presentment'),
    ...pick('customer'),
    ...pick('shipTo'),
    lines: lines.rows.map((l) => ({
      externalLineId: l.external_line_id,
      sku: l.sku,
      ...(l.sku === null ? { skuUnmappedReason: l.unmapped_reason ?? 'unmapped' } : {}),
      quantity: l.quantity,
      unitPrice: { amount: l.unit_price, currency: l.currency },
      title: l.title,
    })),
  };
  return { id: row.id, status: row.status, invoiced: row.invoiced, order };
}
