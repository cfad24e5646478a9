import type { CanonicalEvent } from '../model/index.js';
import { runWrites, type Tx, type WritePart } from '../store/index.js';
import { pairKey, stockGroup, type ErpContext } from './context.js';
import { orderScope } from './orders.js';
import { namedOrder } from './new-orders.js';
import { PRODUCT_COLUMNS, productsFrom, type ProductRow } from './products.js';
import { balancesFrom, lockBalancesSql, type BalanceRow, type TxState } from './session.js';

/** Stock events: they move stock at the pairs {@link balancePairs} names and create no order demand. */
const STOCK_EVENTS = new Set<CanonicalEvent['type']>(['inventory.adjusted', 'inventory.level.reported', 'return.received']);

export function isStockEvent(event: CanonicalEvent): boolean {
  return STOCK_EVENTS.has(event.type);
}

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
 * Locks, in one statement and in id order, the existing orders two or more events of a batch name
 * (by channel and external order id), before any balance: the handlers then lock in inbox order
 * rows this transaction holds. One named order is left to its handler (no extra round trip), and
 * so are the orders the batch has just `created` (it holds them).
 */
export async function lockNamedOrders(tx: Tx, events: readonly CanonicalEvent[], created: ReadonlyMap<string, number>): Promise<void> {
  const keys = new Map<string, [string, string]>();
  for (const e of events) {
    const named = namedOrder(e);
    if (named && !created.has(named.key)) keys.set(named.key, [named.channel, named.externalOrderId]);
  }
  if (keys.size < 2) return;
  const list = [...keys.values()];
  await tx.query(`SELECT 1 FROM sales_order WHERE (channel, external_order_id) IN (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY id FOR UPDATE`, [
    list.map((k) => k[0]),
    list.map((k) => k[1]),
  ]);
}

/**
 * Prepares a batch's shared state before its first event applies, in two statements whatever
 * the batch's size (with `claim`, the batch's key claim joins the first; its keys are returned):
 *   1. ONE statement reads the products of every SKU the batch names, with the bundles containing
 *      each, and locks the existing balance rows every event will touch, in (sku, location,
 *      state) order, caching their values. Events then lock, in inbox order, rows this
 *      transaction already holds, so two batches over the same SKUs queue instead of
 *      deadlocking; handlers still create missing rows themselves, exactly as for one event;
 *   2. which of the stock events' SKUs have backordered demand. Asked only once their balances
 *      are locked (a later statement, with a later snapshot): an order that could take a
 *      receipt's units locks the same balance before it backorders, so it has either committed
 *      (and is seen) or waits for this batch.
 */
export async function prepareBatch(
  tx: Tx,
  events: readonly CanonicalEvent[],
  ctx: ErpContext,
  shared: TxState,
  claim?: WritePart,
): Promise<{ idempotency_key: string }[]> {
  const pairs = new Map<string, readonly [string, string]>();
  const stockSkus = new Set<string>();
  for (const event of events) {
    for (const p of balancePairs(event, ctx)) {
      pairs.set(pairKey(p[0], p[1]), p);
      if (isStockEvent(event)) stockSkus.add(p[0]);
    }
  }
  if (pairs.size === 0) return claim ? (await runWrites<{ idempotency_key: string }>(tx, [claim], CLAIMED)).rows : [];
  const list = [...pairs.values()].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  const skus = [...new Set(list.map((p) => p[0]))];
  // With a claim (step `claimed`), the balance lock waits for it: the keys are claimed, all of
  // them and in key order, before the first balance is locked (the lock order).
  const read: WritePart = {
    steps: [
      ['b', lockBalancesSql(claim ? '(SELECT count(*) FROM claimed) >= 0' : undefined)],
      ['prods', `SELECT ${PRODUCT_COLUMNS} FROM product p WHERE p.sku = ANY($3::text[])`],
    ],
    params: [list.map((p) => p[0]), list.map((p) => p[1]), skus],
  };
  const { rows } = await runWrites<(ProductRow & { kind: 'p' }) | (BalanceRow & { kind: 'b' }) | { kind: 'k'; sku: string }>(
    tx,
    [claim ?? null, read],
    `SELECT 'p' AS kind, prods.*, NULL AS location, NULL AS state, NULL::int AS quantity FROM prods
     UNION ALL
     SELECT 'b', sku, NULL, NULL, NULL, NULL, NULL, location, state, quantity FROM b${
       claim
         ? `
     UNION ALL
     SELECT 'k', idempotency_key, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM claimed`
         : ''
     }`,
  );
  const bundlesOf = new Map<string, string[]>();
  const products = await productsFrom(
    tx,
    rows.flatMap((r) => (r.kind === 'p' ? [r] : [])),
    bundlesOf,
  );
  for (const sku of skus) {
    if (!shared.productCache.has(sku)) shared.productCache.set(sku, products.get(sku) ?? null);
    // A SKU that is no product yet is in no bundle: components are products.
    if (!bundlesOf.has(sku)) bundlesOf.set(sku, []);
  }
  shared.bundlesOf = bundlesOf;
  // Only rows that exist are locked; a pair created later by a handler is not "prelocked".
  for (const [key, b] of balancesFrom(rows.flatMap((r) => (r.kind === 'b' ? [r] : [])))) {
    shared.balances.set(key, b);
    shared.prelocked.add(key);
  }
  const keys = rows.flatMap((r) => (r.kind === 'k' ? [{ idempotency_key: r.sku }] : []));
  if (stockSkus.size === 0 || ctx.channels.size === 0) return keys;
  const waiting = await tx.query<{ sku: string }>(
    `SELECT DISTINCT i.sku FROM order_item i JOIN sales_order o ON o.id = i.order_id
     WHERE i.sku = ANY($1::text[]) AND i.required > i.allocated + i.shipped AND o.status IN ('backordered', 'partially_shipped')`,
    [[...stockSkus]],
  );
  const backordered = new Set(waiting.rows.map((r) => r.sku));
  shared.backorderFree = new Set([...stockSkus].filter((sku) => !backordered.has(sku)));
  return keys;
}

/**
 * The claim of a batch's idempotency keys as one write (step `claimed`), in key order (two batches
 * claiming the same keys queue on the same first row); `fresh` turns the keys it returned
 * ({@link CLAIMED}) into the indexes of the events that claimed theirs now: the first of two
 * equal keys in the batch; a key applied earlier claims nothing.
 */
export function claimPart(events: readonly CanonicalEvent[]): { part: WritePart; fresh: (rows: readonly { idempotency_key: string }[]) => Set<number> } {
  const first = new Map<string, number>();
  events.forEach((e, i) => {
    if (!first.has(e.idempotencyKey)) first.set(e.idempotencyKey, i);
  });
  const keys = [...first.keys()].sort();
  const byKey = (f: (e: CanonicalEvent) => string) => keys.map((k) => f(events[first.get(k)!]!));
  return {
    part: {
      steps: [
        [
          'claimed',
          `INSERT INTO erp_applied_event (idempotency_key, event_id, event_type, connector, status)
           SELECT k, e, t, c, 'applied' FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(k, e, t, c) ORDER BY k
           ON CONFLICT DO NOTHING RETURNING idempotency_key`,
        ],
      ],
      params: [keys, byKey((e) => e.id), byKey((e) => e.type), byKey((e) => e.source.connector)],
    },
    fresh: (rows) => new Set(rows.map((r) => first.get(r.idempotency_key)!)),
  };
}

/** Reads the keys {@link claimPart}'s write claimed. */
export const CLAIMED = 'SELECT idempotency_key FROM claimed';
