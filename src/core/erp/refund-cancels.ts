import type { Refund } from '../model/index.js';
import { releaseExcess } from './order-events.js';
import { loadAllocations, loadItems, lockOrder, orderLabel, orderScope, refreshStatus } from './orders.js';
import type { ApplySession } from './session.js';
import { compareVersions } from './stale.js';

/**
 * Units a refund cancelled before they shipped release their reservation at once, rather than
 * when the order's next snapshot arrives (until then the channel's availableToSell is too low).
 * - Once per refund: the caller runs this only when the refund row was new.
 * - An order snapshot at least as new as the refund already counts the cancel (its quantities are
 *   after it): nothing is released twice.
 * - Otherwise the order's source version moves up to the refund's instant, so a snapshot older than
 *   the refund, arriving late, is stale and cannot reserve the cancelled units again.
 * Returns a note for the applied event's message.
 */
export async function releaseCancelledLines(s: ApplySession, d: Refund): Promise<string | undefined> {
  const lines = d.cancelledLines ?? [];
  if (lines.length === 0) return undefined;
  const order = await lockOrder(s.tx, d.channel, d.externalOrderId);
  if (!order) return `order ${d.channel}/${d.externalOrderId} unknown; its snapshot will carry the cancelled quantities`;
  if (order.status === 'cancelled' || order.status === 'closed' || order.status === 'shipped') return undefined;
  // The order's entity in the stale guard (see stale.ts `entityKey`), scoped by the same source.
  const entity = `${s.event.source.connector}:order/${d.channel}/${d.externalOrderId}`;
  const { rows } = await s.tx.query<{ version: string }>('SELECT version FROM erp_entity_version WHERE entity = $1 FOR UPDATE', [entity]);
  const current = rows[0]?.version;
  if (current !== undefined && compareVersions(current, d.createdAt) >= 0) {
    return `order ${orderLabel(order)} snapshot (${current}) already counts the cancelled units`;
  }
  await s.tx.query(
    `INSERT INTO erp_entity_version (entity, version, event_id) VALUES ($1, $2, $3)
     ON CONFLICT (entity) DO UPDATE SET version = excluded.version, event_id = excluded.event_id, updated_at = now()`,
    [entity, d.createdAt, s.event.id],
  );
  const items = await loadItems(s.tx, order.id);
  const cut = new Map(lines.map((l) => [l.externalLineId, 0]));
  for (const l of lines) cut.set(l.externalLineId, (cut.get(l.externalLineId) ?? 0) + l.quantity);
  const touched = items.filter((i) => cut.has(i.lineId));
  const allocs = await loadAllocations(s.tx, order.id);
  const locations = [...new Set([...orderScope(s.ctx, order.channel), ...allocs.map((a) => a.location)])];
  await s.lock([...new Set(touched.map((i) => i.sku))].flatMap((sku) => locations.map((l) => [sku, l] as const)));
  let released = 0;
  for (const item of touched) {
    // Shipped units stay: a cancel only takes units that never left.
    const required = Math.max(item.shipped, item.required - cut.get(item.lineId)! * item.perUnit);
    const before = item.allocated;
    await releaseExcess(s, order, item, required - item.shipped);
    released += before - item.allocated;
    await s.tx.query('UPDATE order_item SET required = $4 WHERE order_id = $1 AND external_line_id = $2 AND sku = $3', [
      order.id,
      item.lineId,
      item.sku,
      required,
    ]);
    item.required = required;
  }
  for (const [lineId, quantity] of cut) {
    await s.tx.query('UPDATE order_line SET quantity = quantity - $3 WHERE order_id = $1 AND external_line_id = $2 AND quantity > $3', [
      order.id,
      lineId,
      quantity,
    ]);
  }
  await refreshStatus(s, order);
  return `released ${released} reserved unit(s) of ${touched.length} item(s) the refund cancelled`;
}
