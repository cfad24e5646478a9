import type { Order, OrderStatus } from '../model/index.js';
import type { EventOf } from '../model/events.js';
import { ValidationError } from '../errors.js';
import { pairKey } from './context.js';
import type { HandlerResult } from './handler.js';
import { lineColumns, orderDetails } from './new-orders.js';
import { assertTransition, deriveStatus } from './order-lifecycle.js';
import {
  allocateOutstanding,
  changeAllocation,
  loadAllocations,
  loadItems,
  lockOrder,
  orderLabel,
  orderScope,
  refreshStatus,
  setStatus,
  type OrderItem,
  type OrderRow,
} from './orders.js';
import { sessionProducts } from './products.js';
import type { ApplySession } from './session.js';

function assertChannel(s: ApplySession, channel: string): void {
  if (!s.ctx.channels.has(channel)) {
    throw new ValidationError(`data.channel: unknown channel "${channel}"`, { field: 'data.channel', value: channel });
  }
}

const itemKey = (lineId: string, sku: string) => `${lineId}\u0000${sku}`;

/**
 * `order.upserted`: creates or updates the order, then allocates only the difference: grown or
 * new lines are allocated, shrunk or removed lines release their excess. Lines whose SKU is
 * unmapped (`sku: null`) or unknown to the ERP are stored and stay backordered; an unknown SKU
 * is filled once stock for it arrives. A cancelled order keeps its lines but allocates nothing.
 */
export async function applyOrderUpserted(s: ApplySession, o: Order): Promise<HandlerResult> {
  assertChannel(s, o.channel);
  const row = await upsertHeader(s, o);
  const order: OrderRow = { id: row.id, channel: o.channel, externalOrderId: o.externalOrderId, status: row.status, invoiced: row.invoiced };
  if (row.created) s.recordOrderChange(order.id, order.channel, order.externalOrderId, null, 'pending');
  const desired = await desiredItems(s, o);
  if (row.created) return placeNewOrder(s, order, o, desired);
  // An existing order may now want stock a receipt later in the batch could fill.
  s.shared.backorderFree = undefined;
  await s.tx.query('DELETE FROM order_line WHERE order_id = $1', [order.id]);
  await s.tx.query(
    `INSERT INTO order_line (order_id, external_line_id, position, sku, unmapped_reason, quantity, unit_price, currency, title)
     SELECT $1, l.id, l.pos, l.sku, l.reason, l.qty, l.price::numeric, l.currency, l.title
     FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[])
       AS l(id, pos, sku, reason, qty, price, currency, title)`,
    [order.id, ...lineColumns(o)],
  );
  const existing = await loadItems(s.tx, order.id);
  const skus = new Set([...existing.map((i) => i.sku), ...[...desired.values()].map((i) => i.sku)]);
  const scope = orderScope(s.ctx, order.channel);
  await s.lock([...skus].flatMap((sku) => scope.map((l) => [sku, l] as const)));
  const items: OrderItem[] = [];
  for (const item of existing) {
    const want = desired.get(itemKey(item.lineId, item.sku));
    const required = want?.required ?? 0;
    if (required < item.shipped) {
      const field = want ? `data.lines[${want.index}].quantity` : 'data.lines';
      throw new ValidationError(`${field}: order ${orderLabel(order)} line ${item.lineId} already shipped ${item.shipped} of ${item.sku}`, {
        field,
        value: required,
      });
    }
    await releaseExcess(s, order, item, required - item.shipped);
    if (want) {
      desired.delete(itemKey(item.lineId, item.sku));
      if (required !== item.required) {
        await s.tx.query('UPDATE order_item SET required = $4 WHERE order_id = $1 AND external_line_id = $2 AND sku = $3', [
          order.id,
          item.lineId,
          item.sku,
          required,
        ]);
      }
      items.push({ ...item, required });
    } else if (item.shipped === 0) {
      await s.tx.query(
        `WITH a AS (DELETE FROM order_allocation WHERE order_id = $1 AND external_line_id = $2 AND sku = $3)
         DELETE FROM order_item WHERE order_id = $1 AND external_line_id = $2 AND sku = $3`,
        [order.id, item.lineId, item.sku],
      );
    } else {
      items.push(item);
    }
  }
  const added = [...desired.values()].map((d) => ({ lineId: d.lineId, sku: d.sku, perUnit: d.perUnit, required: d.required, allocated: 0, shipped: 0 }));
  if (added.length > 0) {
    await s.tx.query(
      `INSERT INTO order_item (order_id, external_line_id, sku, per_unit, required)
       SELECT $1, i.line, i.sku, i.per, i.req FROM unnest($2::text[], $3::text[], $4::int[], $5::int[]) AS i(line, sku, per, req)`,
      [order.id, added.map((i) => i.lineId), added.map((i) => i.sku), added.map((i) => i.perUnit), added.map((i) => i.required)],
    );
    items.push(...added);
  }
  await allocateOutstanding(s, order, undefined, items);
  await refreshStatus(s, order, { items, unmappedLines: o.lines.filter((l) => l.sku === null).length });
  return {};
}

/**
 * Creates or updates the order's header and locks the row; `created` marks a fresh insert. A
 * batch inserted the headers of the orders it creates up front (see createNewOrders).
 */
async function upsertHeader(s: ApplySession, o: Order): Promise<{ id: number; status: OrderStatus; invoiced: boolean; created: boolean }> {
  const key = pairKey(o.channel, o.externalOrderId);
  const id = s.shared.created.get(key);
  if (id !== undefined) {
    s.shared.created.delete(key);
    return { id, status: 'pending', invoiced: false, created: true };
  }
  // One statement; xmax = 0 marks a fresh insert.
  const { rows } = await s.tx.query<{ id: number; status: OrderStatus; invoiced: boolean; created: boolean }>(
    `INSERT INTO sales_order (channel, external_order_id, order_number, status, placed_at, currency, total, details)
     VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7)
     ON CONFLICT (channel, external_order_id) DO UPDATE SET order_number = excluded.order_number, placed_at = excluded.placed_at,
       currency = excluded.currency, total = excluded.total, details = sales_order.details || excluded.details, updated_at = now()
     RETURNING id, status, invoiced, (xmax = 0) AS created`,
    [o.channel, o.externalOrderId, o.orderNumber, o.placedAt, o.currency, o.total.amount, orderDetails(o)],
  );
  return rows[0]!;
}

/**
 * A new order: its allocations are decided in memory against the locked balances (the ledger
 * moves as for any allocation); its lines, items, allocation rows and status are written later,
 * with every other new order of the transaction, in ONE statement (see writeNewOrders), instead
 * of one per line set, item set, allocation and status change.
 */
async function placeNewOrder(s: ApplySession, order: OrderRow, o: Order, desired: Awaited<ReturnType<typeof desiredItems>>): Promise<HandlerResult> {
  const items: OrderItem[] = [...desired.values()].map((d) => ({
    lineId: d.lineId,
    sku: d.sku,
    perUnit: d.perUnit,
    required: d.required,
    allocated: 0,
    shipped: 0,
  }));
  const scope = orderScope(s.ctx, order.channel);
  await s.lock([...new Set(items.map((i) => i.sku))].flatMap((sku) => scope.map((l) => [sku, l] as const)));
  const allocations = new Map<string, { item: OrderItem; location: string; quantity: number }>();
  await allocateOutstanding(s, order, undefined, items, (item, location, qty, reason) => {
    s.move(item.sku, location, 'allocated', qty, reason, `order:${orderLabel(order)}`);
    item.allocated += qty;
    const key = `${itemKey(item.lineId, item.sku)}\u0000${location}`;
    const a = allocations.get(key) ?? { item, location, quantity: 0 };
    a.quantity += qty;
    allocations.set(key, a);
  });
  const progress = { required: 0, allocated: 0, shipped: 0, unmappedLines: o.lines.filter((l) => l.sku === null).length };
  for (const i of items) {
    progress.required += i.required;
    progress.allocated += i.allocated;
  }
  const to = deriveStatus(order.status, progress, order.invoiced);
  if (to !== order.status) assertTransition(orderLabel(order), order.status, to);
  const allocs = [...allocations.values()];
  // Written with the transaction's other new orders, before anything reads the order tables.
  s.shared.newOrders.push({
    id: order.id,
    order: o,
    items,
    allocations: allocs.map((a) => ({ lineId: a.item.lineId, sku: a.item.sku, location: a.location, quantity: a.quantity })),
    status: to,
  });
  // Its unfilled demand is backordered demand a later receipt of the batch must see.
  for (const i of items) if (i.allocated < i.required) s.shared.backorderFree?.delete(i.sku);
  s.recordOrderChange(order.id, order.channel, order.externalOrderId, order.status, to);
  order.status = to;
  s.newOrderLocations.set(`${order.channel}\u0000${order.externalOrderId}`, [...new Set(allocs.map((a) => a.location))].sort());
  return {};
}

/** The stock each line needs: its SKU, or each bundle component times the line quantity. */
async function desiredItems(s: ApplySession, o: Order): Promise<Map<string, Omit<OrderItem, 'allocated' | 'shipped'> & { index: number }>> {
  const products = await sessionProducts(
    s,
    o.lines.flatMap((l) => (l.sku === null ? [] : [l.sku])),
  );
  const out = new Map<string, Omit<OrderItem, 'allocated' | 'shipped'> & { index: number }>();
  const seen = new Set<string>();
  o.lines.forEach((line, index) => {
    if (seen.has(line.externalLineId)) {
      throw new ValidationError(`data.lines[${index}].externalLineId: "${line.externalLineId}" appears twice`, {
        field: `data.lines[${index}].externalLineId`,
        value: line.externalLineId,
      });
    }
    seen.add(line.externalLineId);
    if (line.sku === null) return;
    const p = products.get(line.sku);
    const parts = p?.isBundle ? p.components : [{ sku: line.sku, quantity: 1 }];
    for (const c of parts) {
      const key = itemKey(line.externalLineId, c.sku);
      const prev = out.get(key);
      out.set(key, { lineId: line.externalLineId, sku: c.sku, perUnit: c.quantity, required: (prev?.required ?? 0) + c.quantity * line.quantity, index });
    }
  });
  return out;
}

/** Releases allocation above `keep`, lowest-priority location first. */
export async function releaseExcess(s: ApplySession, order: OrderRow, item: OrderItem, keep: number): Promise<void> {
  let excess = item.allocated - keep;
  if (excess <= 0) return;
  const priority = s.ctx.channels.get(order.channel)?.locations ?? [];
  const allocs = (await loadAllocations(s.tx, order.id))
    .filter((a) => a.lineId === item.lineId && a.sku === item.sku)
    .sort((a, b) => priority.indexOf(b.location) - priority.indexOf(a.location));
  for (const a of allocs) {
    const take = Math.min(excess, a.quantity);
    await changeAllocation(s, order, item, a.location, -take, 'order.released');
    excess -= take;
    if (excess === 0) break;
  }
}

/**
 * `order.cancelled`: releases every allocation. A cancellation for an order the hub has not
 * seen yet (webhooks arrive out of order) is kept as a cancelled order, so the late creation
 * allocates nothing.
 */
export async function applyOrderCancelled(s: ApplySession, d: EventOf<'order.cancelled'>['data']): Promise<HandlerResult> {
  assertChannel(s, d.channel);
  const order = await lockOrder(s.tx, d.channel, d.externalOrderId);
  const note = JSON.stringify({ cancelledAt: d.cancelledAt, cancelReason: d.reason ?? null });
  if (!order) {
    // What the cancellation says of the order; placeholders only for what it leaves out.
    const { rows } = await s.tx.query<{ id: number }>(
      `INSERT INTO sales_order (channel, external_order_id, order_number, status, placed_at, currency, total, details)
       VALUES ($1, $2, $3, 'cancelled', $4, $5, $6::numeric, $7) RETURNING id`,
      [
        d.channel,
        d.externalOrderId,
        d.orderNumber ?? d.externalOrderId,
        d.placedAt ?? d.cancelledAt,
        d.total?.currency ?? d.currency ?? 'XXX',
        d.total?.amount ?? '0',
        note,
      ],
    );
    s.recordOrderChange(rows[0]!.id, d.channel, d.externalOrderId, null, 'cancelled');
    return { message: `order ${d.channel}/${d.externalOrderId} not seen yet; recorded as cancelled` };
  }
  if (order.status === 'cancelled') return { message: `order ${orderLabel(order)} was already cancelled` };
  assertTransition(orderLabel(order), order.status, 'cancelled');
  const allocs = await loadAllocations(s.tx, order.id);
  const scope = orderScope(s.ctx, order.channel);
  await s.lock(
    [...new Set(allocs.map((a) => a.sku))].flatMap((sku) => [...new Set([...scope, ...allocs.map((a) => a.location)])].map((l) => [sku, l] as const)),
  );
  const items = await loadItems(s.tx, order.id);
  for (const a of allocs) {
    const item = items.find((i) => i.lineId === a.lineId && i.sku === a.sku)!;
    await changeAllocation(s, order, item, a.location, -a.quantity, 'order.cancelled');
  }
  await s.tx.query(`UPDATE sales_order SET details = details || $2::jsonb WHERE id = $1`, [order.id, note]);
  await setStatus(s, order, 'cancelled');
  return {};
}
