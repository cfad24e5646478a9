import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, applyEvents, verifyLedger } from '../../src/core/erp/index.js';
import type { CanonicalEvent, Order } from '../../src/core/model/index.js';
import type { Db } from '../../src/core/store/index.js';
import { openTestDb } from '../helpers/db.js';
import { adjust, ev, level, order, testContext, uniq } from './helpers.js';

/** A fixed pseudo-random stream, so every run applies the same workload. */
function rng(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return (x >>> 16) % n; // the high bits: an LCG's low bits repeat with a short period
  };
}

/**
 * A mixed workload over a few SKUs: receipts, warehouse counts that go down as well as up (so
 * allocations fall short and are released), orders that backorder, order updates (some stale),
 * cancellations, restocking returns, and repeats of earlier keys. Every event is valid on its own, in this order.
 */
function workload(prefix: string, n: number, seed: number): CanonicalEvent[] {
  const r = rng(seed);
  const skus = Array.from({ length: 4 }, (_, i) => `${prefix}-S${i}`);
  const locations = ['wh-a', 'wh-b', 'tpl'];
  const out: CanonicalEvent[] = [];
  const orders: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = r(100);
    const sku = skus[r(skus.length)]!;
    const location = locations[r(locations.length)]!;
    if (k < 25) out.push(adjust(sku, location, 1 + r(4)));
    else if (k < 40) out.push(level(sku, location, r(6), { version: String(1000 + i - r(3) * 5) }));
    else if (k < 75) {
      // New orders, and updates of earlier ones (other lines; a few carry an older version: stale).
      const update = k >= 64 && orders.length > 0;
      const id = update ? orders[r(orders.length)]! : `${prefix}-o${i}`;
      const earlier = update ? (out.find((e) => e.type === 'order.upserted' && e.data.externalOrderId === id)!.data as Order) : undefined;
      if (!update) orders.push(id);
      const lines: [string, number][] = [[sku, 1 + r(3)]];
      const other = skus[r(skus.length)]!;
      if (other !== sku && r(2) === 0) lines.push([other, 1]);
      out.push(
        order(id, lines, {
          channel: earlier?.channel ?? (r(4) === 0 ? 'wholesale' : 'web'),
          placedAt: earlier?.placedAt ?? new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
          version: String(2000 + i - (update ? r(3) * 30 : 0)),
        }),
      );
    } else if (k < 83 && orders.length > 0) {
      const id = orders[r(orders.length)]!;
      const channel = out.find((e) => e.type === 'order.upserted' && e.data.externalOrderId === id)!;
      out.push(ev('order.cancelled', { channel: (channel.data as { channel: string }).channel, externalOrderId: id, cancelledAt: '2026-01-03T00:00:00.000Z' }));
    } else if (k < 90) {
      out.push(
        ev('return.received', {
          channel: 'web',
          externalReturnId: `${prefix}-r${i}`,
          location,
          receivedAt: '2026-01-03T00:00:00.000Z',
          lines: [{ sku, quantity: 1, disposition: r(3) === 0 ? 'quarantine' : 'restock' }],
        }),
      );
    } else if (out.length > 0)
      out.push(out[r(out.length)]!); // a repeat: same key, applied once
    else out.push(adjust(sku, location, 1));
  }
  return out;
}

/** Everything a user could see of the ledger and orders, free of ids and versions. */
async function state(db: Db, prefix: string) {
  const q = async (sql: string) => (await db.query(sql, [`${prefix}-%`])).rows;
  return {
    balances: await q(`SELECT sku, location, state, quantity FROM inventory_balance WHERE sku LIKE $1 AND quantity <> 0 ORDER BY 1, 2, 3`),
    orders: await q(`SELECT channel, external_order_id, status FROM sales_order WHERE external_order_id LIKE $1 ORDER BY 1, 2`),
    allocations: await q(
      `SELECT o.external_order_id, a.sku, a.location, a.quantity FROM order_allocation a JOIN sales_order o ON o.id = a.order_id
       WHERE a.sku LIKE $1 AND a.quantity <> 0 ORDER BY 1, 2, 3`,
    ),
    items: await q(
      `SELECT o.external_order_id, i.sku, i.required, i.allocated, i.shipped FROM order_item i JOIN sales_order o ON o.id = i.order_id
       WHERE i.sku LIKE $1 ORDER BY 1, 2`,
    ),
    hops: await q(
      `SELECT o.external_order_id, h.hop, h.ref FROM order_hop h JOIN sales_order o ON o.id = h.order_id WHERE o.external_order_id LIKE $1 ORDER BY 1, 2, 3`,
    ),
    flows: await q(`SELECT kind, external_order_id, location FROM flow_outbox WHERE external_order_id LIKE $1 ORDER BY id`),
    versions: await q(`SELECT entity, version FROM erp_entity_version WHERE entity LIKE '%' || $1 ORDER BY 1`),
    availability: await q(`SELECT sku, channel, available FROM availability_state WHERE sku LIKE $1 AND available IS NOT NULL ORDER BY 1, 2`),
    keys: await q(`SELECT status, count(*)::int AS n FROM erp_applied_event WHERE event_id LIKE 'e-%' AND idempotency_key IN
      (SELECT idempotency_key FROM inventory_movement WHERE sku LIKE $1) GROUP BY 1 ORDER BY 1`),
  };
}

describe('set-based batch apply (postgres)', () => {
  let one: Db;
  let batched: Db;
  const ctx = testContext();
  beforeAll(async () => {
    [one, batched] = await Promise.all([openTestDb('postgres'), openTestDb('postgres')]);
  });
  afterAll(async () => {
    await Promise.all([one?.close(), batched?.close()]);
  });

  it('leaves balances, orders, allocations, order hops, flow rows, entity versions and availability exactly as applying the events one by one does', async () => {
    const prefix = uniq('EQ');
    const events = workload(prefix, 400, 7);
    const alone = [];
    for (const e of events) alone.push((await applyEvent(one, e, ctx)).status);
    const r = rng(11);
    const together = [];
    for (let i = 0; i < events.length;) {
      const size = 1 + r(30);
      together.push(...(await applyEvents(batched, events.slice(i, i + size), ctx)).map((o) => o.status));
      i += size;
    }
    expect(together).toEqual(alone);
    // The workload reaches the cases the batch path treats specially.
    expect(alone.filter((s) => s === 'duplicate').length).toBeGreaterThan(5);
    expect(alone.filter((s) => s === 'stale').length).toBeGreaterThan(0);
    const expected = await state(one, prefix);
    expect(expected.orders.map((o) => o['status'])).toEqual(expect.arrayContaining(['backordered', 'allocated', 'cancelled']));
    expect(expected.flows.length).toBeGreaterThan(10);
    expect(expected.versions.length).toBeGreaterThan(5);
    expect(new Set(expected.hops.map((h) => h['hop']))).toEqual(new Set(['placed', 'allocated', 'cancelled']));
    expect(await state(batched, prefix)).toEqual(expected);
    expect(await verifyLedger(batched)).toEqual([]);
  });

  it('fills a backorder from a receipt later in the same batch, and one placed before the batch', async () => {
    const sku = uniq('BO');
    const before = order(`${sku}-early`, [[sku, 2]], { placedAt: '2026-01-01T00:00:00.000Z' });
    await applyEvent(batched, before, ctx);
    const inBatch = order(`${sku}-late`, [[sku, 1]], { placedAt: '2026-01-02T00:00:00.000Z' });
    const out = await applyEvents(batched, [adjust(sku, 'wh-a', 2), inBatch, adjust(sku, 'wh-b', 1)], ctx);
    expect(out.map((o) => o.status)).toEqual(['applied', 'applied', 'applied']);
    const statuses = await batched.query<{ external_order_id: string; status: string }>(
      'SELECT external_order_id, status FROM sales_order WHERE external_order_id LIKE $1 ORDER BY 1',
      [`${sku}-%`],
    );
    expect(statuses.rows).toEqual([
      { external_order_id: `${sku}-early`, status: 'allocated' },
      { external_order_id: `${sku}-late`, status: 'allocated' },
    ]);
  });

  it('fills, from a receipt later in the batch, an order the batch itself backordered on a SKU with no demand before', async () => {
    const sku = uniq('BO-NEW');
    await applyEvent(batched, adjust(sku, 'wh-a', 1), ctx);
    const out = await applyEvents(batched, [order(`${sku}-o`, [[sku, 3]]), adjust(sku, 'wh-a', 2)], ctx);
    expect(out.map((o) => o.status)).toEqual(['applied', 'applied']);
    expect(out[0]!.orderChanges.map((c) => c.to)).toEqual(['backordered']);
    expect(out[1]!.orderChanges.map((c) => c.to)).toEqual(['allocated']);
  });

  it('re-allocates, from a receipt later in the batch, what a lower count in the batch released', async () => {
    const sku = uniq('BO-SHORT');
    await applyEvent(batched, adjust(sku, 'wh-a', 2), ctx);
    await applyEvent(batched, order(`${sku}-o`, [[sku, 2]]), ctx);
    const out = await applyEvents(batched, [level(sku, 'wh-a', 0), adjust(sku, 'wh-a', 2)], ctx);
    expect(out[0]!.orderChanges.map((c) => c.to)).toEqual(['backordered']);
    expect(out[1]!.orderChanges.map((c) => c.to)).toEqual(['allocated']);
  });

  it('reports a batch of stock receipts with one availability value per SKU and channel, the final one', async () => {
    const sku = uniq('AV');
    const out = await applyEvents(batched, [adjust(sku, 'wh-a', 3), adjust(sku, 'wh-a', 4), adjust(sku, 'wh-b', 5)], ctx);
    expect(out.slice(0, 2).map((o) => o.availabilityChanges)).toEqual([[], []]);
    expect(out[2]!.availabilityChanges.map((c) => [c.channel, c.available])).toEqual([
      ['web', 12],
      ['wholesale', 4],
    ]);
    const outbox = await batched.query<{ channel: string; available: number }>('SELECT channel, available FROM availability_outbox WHERE sku = $1 ORDER BY 1', [
      sku,
    ]);
    expect(outbox.rows).toEqual([
      { channel: 'web', available: 12 },
      { channel: 'wholesale', available: 4 },
    ]);
  });
});
