import { pairKey, stockGroup } from './context.js';
import { allocateOutstanding, changeAllocation, loadItems, lockOrdersById, refreshStatus } from './orders.js';
import type { ApplySession } from './session.js';

const BATCH = 25;

/**
 * Allocates backordered demand for SKUs whose available stock went up at `pairs`, oldest order
 * first, in the transaction of the receipt (or release) itself.
 * Orders another transaction holds locked are skipped rather than waited for: that transaction
 * owns the order and allocates it itself once it gets the balance lock this one holds.
 */
export async function fillBackorders(s: ApplySession, pairs: readonly [string, string][]): Promise<void> {
  const channelsBySku = new Map<string, Set<string>>();
  const free = s.shared.backorderFree;
  for (const [sku, location] of pairs) {
    // A batch already knows this SKU has no backordered demand (see prepareBatch).
    if (free?.has(sku) && s.shared.prelocked.has(pairKey(sku, location))) continue;
    const set = channelsBySku.get(sku) ?? new Set<string>();
    for (const c of s.ctx.channelsByLocation.get(location) ?? []) set.add(c.id);
    channelsBySku.set(sku, set);
  }
  for (const [sku, channelSet] of [...channelsBySku].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (channelSet.size === 0) continue;
    const channels = [...channelSet];
    const locations = [...new Set(channels.flatMap((c) => s.ctx.channels.get(c)!.locations))];
    await s.lock(locations.flatMap((l) => stockGroup(s.ctx, l)).map((l) => [sku, l] as const));
    const seen: number[] = [];
    for (;;) {
      if (!locations.some((l) => s.available(sku, l) > 0)) break;
      const { rows } = await s.tx.query<{ id: number }>(
        `SELECT o.id FROM sales_order o
         WHERE o.status IN ('backordered', 'partially_shipped') AND o.channel = ANY($2::text[]) AND o.id <> ALL($3::bigint[])
           AND EXISTS (SELECT 1 FROM order_item i WHERE i.order_id = o.id AND i.sku = $1 AND i.required > i.allocated + i.shipped)
         ORDER BY o.placed_at, o.id
         LIMIT ${BATCH}
         FOR UPDATE OF o SKIP LOCKED`,
        [sku, channels, seen],
      );
      if (rows.length === 0) break;
      for (const { id } of rows) {
        seen.push(id);
        const [order] = await lockOrdersById(s.tx, [id]);
        if (!order) continue;
        await allocateOutstanding(s, order, new Set([sku]));
        await refreshStatus(s, order);
        if (!locations.some((l) => s.available(sku, l) > 0)) break;
      }
      if (rows.length < BATCH) break;
    }
  }
}

/**
 * Where allocations exceed what a location holds (a count came in lower, stock was quarantined,
 * unallocated units shipped), releases the newest orders' allocations there until it fits, and
 * tries to allocate them elsewhere. Reservations never exceed stock.
 */
export async function resolveShortfalls(s: ApplySession, pairs: readonly [string, string][]): Promise<void> {
  for (const [sku, location] of pairs) {
    if (s.available(sku, location) >= 0 || s.get(sku, location).allocated === 0) continue;
    // Released allocations become backordered demand for this SKU.
    s.shared.backorderFree?.delete(sku);
    await s.lock(stockGroup(s.ctx, location).map((l) => [sku, l] as const));
    const { rows } = await s.tx.query<{ order_id: number }>(
      `SELECT DISTINCT a.order_id, o.placed_at FROM order_allocation a JOIN sales_order o ON o.id = a.order_id
       WHERE a.sku = $1 AND a.location = $2 AND a.quantity > 0
       ORDER BY o.placed_at DESC, a.order_id DESC`,
      [sku, location],
    );
    for (const { order_id } of rows) {
      if (s.available(sku, location) >= 0) break;
      const [order] = await lockOrdersById(s.tx, [order_id]);
      if (!order) continue;
      const allocs = await s.tx.query<{ external_line_id: string; quantity: number }>(
        'SELECT external_line_id, quantity FROM order_allocation WHERE order_id = $1 AND sku = $2 AND location = $3 AND quantity > 0',
        [order.id, sku, location],
      );
      const items = await loadItems(s.tx, order.id);
      for (const a of allocs.rows) {
        const short = -s.available(sku, location);
        if (short <= 0) break;
        const item = items.find((i) => i.lineId === a.external_line_id && i.sku === sku)!;
        await changeAllocation(s, order, item, location, -Math.min(short, a.quantity), 'order.released.shortfall');
      }
      await allocateOutstanding(s, order, new Set([sku]));
      await refreshStatus(s, order);
    }
  }
}
