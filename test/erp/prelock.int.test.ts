import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, applyEvents, getInventory, verifyLedger } from '../../src/core/erp/index.js';
import type { CanonicalEvent } from '../../src/core/model/index.js';
import type { Db } from '../../src/core/store/index.js';
import { openTestDb } from '../helpers/db.js';
import { adjust, order, testContext, uniq } from './helpers.js';

/** A fixed pseudo-random order, so every run meets the same interleavings of SKUs. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('concurrent batches over the same SKUs (postgres)', () => {
  let db: Db & { schema?: string };
  const ctx = testContext();
  beforeAll(async () => {
    db = await openTestDb('postgres', { poolSize: 8 });
  });
  afterAll(async () => {
    await db.close();
  });

  it('4 appliers of batches touching hot SKUs in different orders all commit on the first try, and the ledger stays clean', async () => {
    const skus = Array.from({ length: 6 }, () => uniq('HOT'));
    for (const sku of skus) await applyEvent(db, adjust(sku, 'wh-a', 20), ctx);
    const appliers = 4;
    const batchesEach = 12;
    // Each batch: a receipt per SKU and two one-unit orders, in an order of its own.
    const batches: CanonicalEvent[][][] = Array.from({ length: appliers }, (_, a) =>
      Array.from({ length: batchesEach }, (_, b) =>
        shuffled(
          [
            ...skus.map((sku) => adjust(sku, 'wh-a', 1)),
            order(`${skus[0]}-${a}-${b}-x`, [[skus[(a + b) % skus.length]!, 1]]),
            order(`${skus[0]}-${a}-${b}-y`, [[skus[(a * 5 + b + 3) % skus.length]!, 1]]),
          ],
          a * 1000 + b + 1,
        ),
      ),
    );
    // No retry here: a deadlock (or lock time-out) would reject and fail the test.
    const results = await Promise.allSettled(
      batches.map(async (own) => {
        for (const batch of own) await applyEvents(db, batch, ctx);
      }),
    );
    expect(results.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);

    const orders = appliers * batchesEach * 2;
    let allocated = 0;
    for (const sku of skus) {
      const view = await getInventory(db, sku, ctx);
      const wh = view.locations.find((l) => l.location === 'wh-a')!;
      expect(wh.onHand).toBe(20 + appliers * batchesEach);
      expect(wh.allocated).toBeLessThanOrEqual(wh.onHand);
      allocated += view.locations.reduce((n, l) => n + l.allocated, 0);
    }
    expect(allocated).toBe(orders);
    expect(await verifyLedger(db)).toEqual([]);
  });

  it('4 appliers of batches updating the same orders in different orders all commit on the first try', async () => {
    const prefix = uniq('ORD');
    const ids = Array.from({ length: 6 }, (_, i) => `${prefix}-o${i}`);
    for (const id of ids) await applyEvent(db, order(id, [[null, 1]]), ctx);
    // Unversioned updates of the same six orders whose lines name no SKU: no entity version and
    // no balance is locked, so only the order rows order the batches.
    const batches = Array.from({ length: 4 }, (_, a) =>
      Array.from({ length: 10 }, (_, b) =>
        shuffled(
          ids.map((id) => order(id, [[null, 1 + ((a + b) % 2)]])),
          a * 100 + b + 7,
        ),
      ),
    );
    const results = await Promise.allSettled(
      batches.map(async (own) => {
        for (const batch of own) await applyEvents(db, batch, ctx);
      }),
    );
    expect(results.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
    expect(await verifyLedger(db)).toEqual([]);
  });

  it('4 appliers of batches creating the same new orders in different orders all commit on the first try, each order once', async () => {
    const prefix = uniq('NEW');
    const ids = Array.from({ length: 8 }, (_, i) => `${prefix}-o${i}`);
    // Every batch names all eight orders, none of which exists yet: the first to commit creates
    // them, the others update them. Their lines name no SKU, so no balance orders the batches.
    const batches = Array.from({ length: 4 }, (_, a) =>
      shuffled(
        ids.map((id) => order(id, [[null, 1 + a]])),
        a * 31 + 5,
      ),
    );
    const results = await Promise.allSettled(batches.map((batch) => applyEvents(db, batch, ctx)));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
    const { rows } = await db.query<{ external_order_id: string; placed: number; lines: number }>(
      `SELECT o.external_order_id, (SELECT count(*) FROM order_hop h WHERE h.order_id = o.id AND h.hop = 'placed')::int AS placed,
         (SELECT count(*) FROM order_line l WHERE l.order_id = o.id)::int AS lines
       FROM sales_order o WHERE o.external_order_id LIKE $1 ORDER BY 1`,
      [`${prefix}-%`],
    );
    expect(rows).toEqual(ids.map((id) => ({ external_order_id: id, placed: 1, lines: 1 })));
    expect(await verifyLedger(db)).toEqual([]);
  });

  it('concurrent batches sharing event keys, some with orders and some stock only, all commit on the first try and apply each event once', async () => {
    const skus = Array.from({ length: 3 }, () => uniq('KEY'));
    for (const sku of skus) await applyEvent(db, adjust(sku, 'wh-a', 10), ctx);
    // The same 24 receipts reach four appliers in different orders (redeliveries): their keys are
    // claimed by whichever batch comes first. Half the batches also carry an order, which takes
    // the other path (keys, then orders, then balances); a stock-only batch claims its keys in
    // the statement that locks its balances, and must claim them first all the same.
    const receipts = Array.from({ length: 24 }, (_, i) => adjust(skus[i % skus.length]!, 'wh-a', 1));
    const batches = Array.from({ length: 4 }, (_, a) =>
      Array.from({ length: 6 }, (_, b) => {
        const part = shuffled(receipts, a * 17 + b + 3).slice(0, 8);
        return (a + b) % 2 ? [...part, order(`${skus[0]}-${a}-${b}`, [[skus[b % skus.length]!, 1]])] : part;
      }),
    );
    const results = await Promise.allSettled(
      batches.map(async (own) => {
        for (const batch of own) await applyEvents(db, batch, ctx);
      }),
    );
    expect(results.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
    const applied = new Set(
      batches
        .flat(2)
        .filter((e) => e.type === 'inventory.adjusted')
        .map((e) => e.idempotencyKey),
    );
    for (const sku of skus) {
      const wh = (await getInventory(db, sku, ctx)).locations.find((l) => l.location === 'wh-a')!;
      const mine = receipts.filter((e) => e.data.sku === sku && applied.has(e.idempotencyKey)).length;
      expect(wh.onHand).toBe(10 + mine);
    }
    expect(await verifyLedger(db)).toEqual([]);
  });
});
