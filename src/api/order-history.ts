import { orderHistory as erpOrderHistory, type OrderHistoryEntry, type OrderRef } from '../core/erp/order-history.js';
import type { Queryable } from '../core/store/index.js';
import { listDeadLetters } from '../queues/dead-letter-store.js';

export { findOrders, type OrderHistoryEntry, type OrderRef } from '../core/erp/order-history.js';

/** An order's history as the ops API shows it: what the ERP recorded, and the dead letters naming it. */
export async function orderHistory(db: Queryable, order: OrderRef): Promise<OrderHistoryEntry[]> {
  const out = await erpOrderHistory(db, order);
  const seen = new Set<number>();
  for (const key of new Set([order.externalOrderId, order.orderNumber])) {
    for (const d of (await listDeadLetters(db, { order: key, status: 'all' }, { limit: 50 })).items) {
      if (seen.has(d.id)) continue;
      seen.add(d.id);
      const event = d.event as { id?: string; idempotencyKey?: string } | null;
      out.push({
        at: d.createdAt,
        kind: 'dead-letter',
        eventId: event?.id ?? null,
        eventType: d.eventType,
        connector: d.connectorId,
        idempotencyKey: event?.idempotencyKey ?? null,
        summary: `dead letter ${d.id} (${d.status}) at ${d.step}: ${d.errorCode}: ${d.message}`,
      });
    }
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}
