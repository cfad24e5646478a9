import type { CanonicalEvent, Order, OrderStatus } from '../model/index.js';
import type { Tx, WritePart } from '../store/index.js';
import { pairKey, type ErpContext } from './context.js';

/** The order an event names (by channel and external id), if it names one. */
export function namedOrder(e: CanonicalEvent): { channel: string; externalOrderId: string; key: string } | null {
  const d = e.data as { channel?: unknown; externalOrderId?: unknown };
  if (typeof d.channel !== 'string' || typeof d.externalOrderId !== 'string') return null;
  return { channel: d.channel, externalOrderId: d.externalOrderId, key: pairKey(d.channel, d.externalOrderId) };
}

/** A new order decided in memory (see placeNewOrder), not written yet. */
export interface NewOrder {
  id: number;
  order: Order;
  items: { lineId: string; sku: string; perUnit: number; required: number; allocated: number }[];
  allocations: { lineId: string; sku: string; location: string; quantity: number }[];
  status: OrderStatus;
}

/** An order's lines as the columns of `order_line` (after order_id), for an unnest. */
export function lineColumns(o: Order): unknown[][] {
  return [
    o.lines.map((l) => l.externalLineId),
    o.lines.map((_, i) => i),
    o.lines.map((l) => l.sku),
    o.lines.map((l) => (l.sku === null ? (l.skuUnmappedReason ?? 'unmapped') : null)),
    o.lines.map((l) => l.quantity),
    o.lines.map((l) => l.unitPrice.amount),
    o.lines.map((l) => l.unitPrice.currency),
    o.lines.map((l) => l.title),
  ];
}

/**
 * New orders' lines, items, allocation rows and status, for all of them as one write (their
 * headers exist already): a batch's new orders cost one round trip together instead of one each.
 */
export function newOrdersPart(orders: readonly NewOrder[]): WritePart | null {
  if (orders.length === 0) return null;
  const lines: unknown[][] = [[], [], [], [], [], [], [], [], []];
  const items: unknown[][] = [[], [], [], [], [], []];
  const allocs: unknown[][] = [[], [], [], [], []];
  for (const n of orders) {
    lines[0]!.push(...n.order.lines.map(() => n.id));
    lineColumns(n.order).forEach((col, i) => lines[i + 1]!.push(...col));
    for (const i of n.items) [n.id, i.lineId, i.sku, i.perUnit, i.required, i.allocated].forEach((v, c) => items[c]!.push(v));
    for (const a of n.allocations) [n.id, a.lineId, a.sku, a.location, a.quantity].forEach((v, c) => allocs[c]!.push(v));
  }
  return {
    steps: [
      [
        'new_lines',
        `INSERT INTO order_line (order_id, external_line_id, position, sku, unmapped_reason, quantity, unit_price, currency, title)
         SELECT l.oid, l.id, l.pos, l.sku, l.reason, l.qty, l.price::numeric, l.currency, l.title
         FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[])
           AS l(oid, id, pos, sku, reason, qty, price, currency, title)`,
      ],
      [
        'new_items',
        `INSERT INTO order_item (order_id, external_line_id, sku, per_unit, required, allocated)
         SELECT * FROM unnest($10::bigint[], $11::text[], $12::text[], $13::int[], $14::int[], $15::int[])`,
      ],
      [
        'new_allocations',
        `INSERT INTO order_allocation (order_id, external_line_id, sku, location, quantity)
         SELECT * FROM unnest($16::bigint[], $17::text[], $18::text[], $19::text[], $20::int[])`,
      ],
      [
        'new_status',
        `UPDATE sales_order o SET status = s.status, updated_at = now()
         FROM unnest($21::bigint[], $22::text[]) AS s(id, status) WHERE o.id = s.id AND o.status <> s.status`,
      ],
    ],
    params: [...lines, ...items, ...allocs, orders.map((n) => n.id), orders.map((n) => n.status)],
  };
}

/**
 * Inserts, in one statement in (channel, external id) order, the headers of the orders a batch
 * creates: those whose first event in the batch is an `order.upserted` on a known channel (an
 * order that does not exist has no applied version, so that event is never stale). Returns their
 * ids by channel and external id; an order that exists already (or that a concurrent transaction
 * inserts first) is left to its handler, which updates it.
 */
export async function createNewOrders(tx: Tx, events: readonly CanonicalEvent[], ctx: ErpContext): Promise<Map<string, number>> {
  const first = new Map<string, CanonicalEvent>();
  for (const e of events) {
    const named = namedOrder(e);
    if (named && !first.has(named.key)) first.set(named.key, e);
  }
  const create: Order[] = [];
  for (const e of first.values()) {
    if (e.type !== 'order.upserted' || !ctx.channels.has(e.data.channel)) continue;
    create.push(e.data);
  }
  const created = new Map<string, number>();
  if (create.length === 0) return created;
  create.sort((a, b) => (a.channel === b.channel ? (a.externalOrderId < b.externalOrderId ? -1 : 1) : a.channel < b.channel ? -1 : 1));
  const { rows } = await tx.query<{ id: number; channel: string; external_order_id: string }>(
    `INSERT INTO sales_order (channel, external_order_id, order_number, status, placed_at, currency, total, details)
     SELECT c, x, n, 'pending', p::timestamptz, cur, t::numeric, d::jsonb
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS h(c, x, n, p, cur, t, d, i)
     ORDER BY i
     ON CONFLICT (channel, external_order_id) DO NOTHING
     RETURNING id, channel, external_order_id`,
    [
      create.map((o) => o.channel),
      create.map((o) => o.externalOrderId),
      create.map((o) => o.orderNumber),
      create.map((o) => o.placedAt),
      create.map((o) => o.currency),
      create.map((o) => o.total.amount),
      create.map(orderDetails),
    ],
  );
  for (const r of rows) created.set(pairKey(r.channel, r.external_order_id), Number(r.id));
  return created;
}

/** Money and payment state as the channel computed them: accounting books the order from these. */
export function orderDetails(o: Order): string {
  const { customer, shipTo, financialStatus, subtotal, discounts, shipping, tax, taxesIncluded, currentTotal, presentment } = o;
  return JSON.stringify({ customer, shipTo, financialStatus, subtotal, discounts, shipping, tax, taxesIncluded, currentTotal, presentment });
}
