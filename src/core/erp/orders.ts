import type { OrderStatus } from '../model/index.js';
import type { Tx } from '../store/index.js';
import { sellableLocations, stockGroup, type ErpContext } from './context.js';
import { deriveStatus, transitionOrder, type OrderProgress } from './order-lifecycle.js';
import type { ApplySession } from './session.js';

/** An order row, read under its row lock. */
export interface OrderRow {
  id: number;
  channel: string;
  externalOrderId: string;
  status: OrderStatus;
  invoiced: boolean;
}

/** What one order line needs of one SKU (the line's own SKU, or a bundle component). */
export interface OrderItem {
  lineId: string;
  sku: string;
  perUnit: number;
  required: number;
  allocated: number;
  shipped: number;
}

export function orderLabel(o: Pick<OrderRow, 'channel' | 'externalOrderId'>): string {
  return `${o.channel}/${o.externalOrderId}`;
}

export function outstanding(i: OrderItem): number {
  return i.required - i.allocated - i.shipped;
}

const ORDER_COLUMNS = 'id, channel, external_order_id, status, invoiced';
type OrderDbRow = { id: number; channel: string; external_order_id: string; status: OrderStatus; invoiced: boolean };

function toOrder(r: OrderDbRow): OrderRow {
  return { id: r.id, channel: r.channel, externalOrderId: r.external_order_id, status: r.status, invoiced: r.invoiced };
}

/** Reads and locks an order; `null` when the hub has never seen it. */
export async function lockOrder(tx: Tx, channel: string, externalOrderId: string): Promise<OrderRow | null> {
  const { rows } = await tx.query<OrderDbRow>(`SELECT ${ORDER_COLUMNS} FROM sales_order WHERE channel = $1 AND external_order_id = $2 FOR UPDATE`, [
    channel,
    externalOrderId,
  ]);
  return rows[0] ? toOrder(rows[0]) : null;
}

export async function lockOrdersById(tx: Tx, ids: readonly number[]): Promise<OrderRow[]> {
  const { rows } = await tx.query<OrderDbRow>(`SELECT ${ORDER_COLUMNS} FROM sales_order WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`, [ids]);
  return rows.map(toOrder);
}

/** Items of an order in line order. */
export async function loadItems(tx: Tx, orderId: number): Promise<OrderItem[]> {
  const { rows } = await tx.query<{ external_line_id: string; sku: string; per_unit: number; required: number; allocated: number; shipped: number }>(
    `SELECT i.external_line_id, i.sku, i.per_unit, i.required, i.allocated, i.shipped
     FROM order_item i LEFT JOIN order_line l ON l.order_id = i.order_id AND l.external_line_id = i.external_line_id
     WHERE i.order_id = $1 ORDER BY l.position NULLS LAST, i.external_line_id, i.sku`,
    [orderId],
  );
  return rows.map((r) => ({ lineId: r.external_line_id, sku: r.sku, perUnit: r.per_unit, required: r.required, allocated: r.allocated, shipped: r.shipped }));
}

/** Current allocations of an item, per location. */
export async function loadAllocations(tx: Tx, orderId: number): Promise<{ lineId: string; sku: string; location: string; quantity: number }[]> {
  const { rows } = await tx.query<{ external_line_id: string; sku: string; location: string; quantity: number }>(
    'SELECT external_line_id, sku, location, quantity FROM order_allocation WHERE order_id = $1 AND quantity > 0',
    [orderId],
  );
  return rows.map((r) => ({ lineId: r.external_line_id, sku: r.sku, location: r.location, quantity: r.quantity }));
}

/** Moves `qty` units of an item into (positive) or out of (negative) allocation at a location. */
export async function changeAllocation(s: ApplySession, order: OrderRow, item: OrderItem, location: string, qty: number, reason: string): Promise<void> {
  if (qty === 0) return;
  s.move(item.sku, location, 'allocated', qty, reason, `order:${orderLabel(order)}`);
  // One round trip for the allocation row and the item's running total.
  const allocation =
    qty > 0
      ? `INSERT INTO order_allocation (order_id, external_line_id, sku, location, quantity) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (order_id, external_line_id, sku, location) DO UPDATE SET quantity = order_allocation.quantity + excluded.quantity`
      : `UPDATE order_allocation SET quantity = quantity + $5 WHERE order_id = $1 AND external_line_id = $2 AND sku = $3 AND location = $4`;
  await s.tx.query(`WITH a AS (${allocation}) UPDATE order_item SET allocated = allocated + $5 WHERE order_id = $1 AND external_line_id = $2 AND sku = $3`, [
    order.id,
    item.lineId,
    item.sku,
    location,
    qty,
  ]);
  item.allocated += qty;
}

/** The balance rows an order's channel can touch for one SKU: the stock group of its locations. */
export function orderScope(ctx: ErpContext, channel: string): readonly string[] {
  const first = ctx.channels.get(channel)?.locations[0];
  return first === undefined ? [] : stockGroup(ctx, first);
}

/**
 * Allocates what the order still needs, following the channel's routing: the first location in
 * priority order that can serve every outstanding item; only when none can, each item from the
 * first location that can serve it whole, else split across locations in priority order.
 * What no location can serve stays outstanding (backordered).
 */
export async function allocateOutstanding(
  s: ApplySession,
  order: OrderRow,
  onlySkus?: ReadonlySet<string>,
  loaded?: OrderItem[],
  /** How an allocation is made: {@link changeAllocation} unless the caller writes the rows itself. */
  allocate: (item: OrderItem, location: string, qty: number, reason: string) => Promise<void> | void = (item, location, qty, reason) =>
    changeAllocation(s, order, item, location, qty, reason),
): Promise<void> {
  if (order.status === 'cancelled' || order.status === 'closed' || order.status === 'shipped') return;
  const channel = s.ctx.channels.get(order.channel);
  if (!channel) return;
  const items = (loaded ?? (await loadItems(s.tx, order.id))).filter((i) => outstanding(i) > 0 && (!onlySkus || onlySkus.has(i.sku)));
  if (items.length === 0) return;
  const skus = [...new Set(items.map((i) => i.sku))];
  const scope = orderScope(s.ctx, order.channel);
  await s.lock(skus.flatMap((sku) => scope.map((l) => [sku, l] as const)));
  const locs = sellableLocations(s.ctx, channel);
  const need = new Map<string, number>();
  for (const i of items) need.set(i.sku, (need.get(i.sku) ?? 0) + outstanding(i));
  const single = locs.find((l) => [...need].every(([sku, n]) => s.available(sku, l) >= n));
  for (const item of items) {
    let rest = outstanding(item);
    const whole = single ?? locs.find((l) => s.available(item.sku, l) >= rest);
    const plan = whole ? [whole] : locs;
    for (const l of plan) {
      const take = Math.min(rest, Math.max(0, s.available(item.sku, l)));
      if (take > 0) await allocate(item, l, take, 'order.allocated');
      rest -= take;
      if (rest === 0) break;
    }
  }
}

/**
 * Recomputes an order's status from its items and moves it there (checked by the lifecycle).
 * Callers that hold the order's current items and unmapped-line count pass them to save a query.
 */
export async function refreshStatus(s: ApplySession, order: OrderRow, known?: { items: readonly OrderItem[]; unmappedLines: number }): Promise<void> {
  let p: OrderProgress;
  if (known) {
    p = { required: 0, allocated: 0, shipped: 0, unmappedLines: known.unmappedLines };
    for (const i of known.items) {
      p.required += i.required;
      p.allocated += i.allocated;
      p.shipped += i.shipped;
    }
  } else {
    const { rows } = await s.tx.query<{ required: number; allocated: number; shipped: number; unmapped: number }>(
      `SELECT coalesce((SELECT sum(required) FROM order_item WHERE order_id = $1), 0)::int AS required,
              coalesce((SELECT sum(allocated) FROM order_item WHERE order_id = $1), 0)::int AS allocated,
              coalesce((SELECT sum(shipped) FROM order_item WHERE order_id = $1), 0)::int AS shipped,
              (SELECT count(*) FROM order_line WHERE order_id = $1 AND sku IS NULL)::int AS unmapped`,
      [order.id],
    );
    const r = rows[0]!;
    p = { required: r.required, allocated: r.allocated, shipped: r.shipped, unmappedLines: r.unmapped };
  }
  await setStatus(s, order, deriveStatus(order.status, p, order.invoiced));
}

export async function setStatus(s: ApplySession, order: OrderRow, to: OrderStatus): Promise<void> {
  const from = order.status;
  await transitionOrder(s.tx, order.id, orderLabel(order), from, to);
  order.status = to;
  s.recordOrderChange(order.id, order.channel, order.externalOrderId, from, to);
}
