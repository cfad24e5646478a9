import type { CanonicalEvent } from '../model/index.js';
import type { Tx } from '../store/index.js';
import { pairKey, stockGroup, type ErpContext } from './context.js';
import { orderScope } from './orders.js';

/**
 * The balance pairs (sku, location) an event's handler will lock, as far as the event alone says:
 * stock events lock the SKU over the stock group of their location, an order its lines' SKUs over
 * its channel's scope, a shipment its SKUs over its location's group and its channel's scope.
 * Pairs that need the database to be known (bundle components, an order's earlier items and
 * allocations) are left to the handler, which locks them itself.
 */
export function balancePairs(event: CanonicalEvent, ctx: ErpContext): (readonly [string, string])[] {
  const over = (skus: Iterable<string>, locations: readonly string[]) => [...skus].flatMap((sku) => locations.map((l) => [sku, l] as const));
  const group = (location: string) => (ctx.locations.has(location) ? stockGroup(ctx, location) : []);
  switch (event.type) {
    case 'inventory.adjusted':
      return over([event.data.sku], group(event.data.location));
    case 'return.received':
      return over(new Set(event.data.lines.map((l) => l.sku)), group(event.data.location));
    case 'inventory.level.reported':
      return event.data.reporter === 'channel' ? [] : over([event.data.sku], group(event.data.location));
    case 'order.upserted': {
      const skus = event.data.lines.flatMap((l) => (l.sku === null ? [] : [l.sku]));
      return over(new Set(skus), orderScope(ctx, event.data.channel));
    }
    case 'shipment.confirmed':
      return over(new Set(event.data.lines.map((l) => l.sku)), [...new Set([...group(event.data.location), ...orderScope(ctx, event.data.channel)])]);
    default:
      return [];
  }
}

/**
 * Locks, in one statement and in (sku, location, state) order, the existing balance rows every
 * event of a batch will touch, before the first event applies. Events then lock in inbox order
 * rows this transaction already holds, so two batches over the same SKUs queue instead of
 * deadlocking. Rows are only locked, never created or read for values: the handlers still read
 * each balance under its lock and create missing rows, exactly as for a single event.
 */
export async function prelockBalances(tx: Tx, events: readonly CanonicalEvent[], ctx: ErpContext): Promise<void> {
  const pairs = new Map<string, readonly [string, string]>();
  for (const event of events) for (const p of balancePairs(event, ctx)) pairs.set(pairKey(p[0], p[1]), p);
  if (pairs.size === 0) return;
  const list = [...pairs.values()];
  await tx.query(
    `SELECT 1 FROM inventory_balance
     WHERE (sku, location) IN (SELECT * FROM unnest($1::text[], $2::text[]))
     ORDER BY sku, location, state
     FOR UPDATE`,
    [list.map((p) => p[0]), list.map((p) => p[1])],
  );
}
