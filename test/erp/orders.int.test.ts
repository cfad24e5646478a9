import { describe, expect, it } from 'vitest';
import { applyEvent, getOrder } from '../../src/core/erp/index.js';
import { IllegalTransitionError } from '../../src/core/errors.js';
import type { Db } from '../../src/core/store/index.js';
import { TEST_DB_KINDS } from '../helpers/db.js';
import { adjust, applyAll, balanceAt, ev, order, statusOf, testContext, uniq, useErpDb } from './helpers.js';

describe.each(TEST_DB_KINDS)('ERP orders on %s', (kind) => {
  let db: Db;
  const ctx = testContext();
  useErpDb(kind, (d) => (db = d));

  const allocations = async (id: string) =>
    (await getOrder(db, 'web', id))!.lines.map((l) => l.items.map((i) => ({ sku: i.sku, backordered: i.backordered, at: i.allocations })));

  it('allocates the whole order at the first location in priority order that can serve all of it', async () => {
    const [a, b] = [uniq('A'), uniq('B')];
    // wh-a (first) has A but not enough B; wh-b has both: the order goes to wh-b alone.
    await applyAll(db, ctx, [adjust(a, 'wh-a', 5), adjust(b, 'wh-a', 1), adjust(a, 'wh-b', 5), adjust(b, 'wh-b', 5)]);
    const id = uniq('o');
    const out = await applyEvent(
      db,
      order(id, [
        [a, 2],
        [b, 2],
      ]),
      ctx,
    );
    expect(out.orderChanges).toEqual([{ channel: 'web', externalOrderId: id, from: null, to: 'allocated' }]);
    expect(await allocations(id)).toEqual([
      [{ sku: a, backordered: 0, at: [{ location: 'wh-b', quantity: 2 }] }],
      [{ sku: b, backordered: 0, at: [{ location: 'wh-b', quantity: 2 }] }],
    ]);
    // The first location wins when it can serve everything.
    const id2 = uniq('o');
    await applyEvent(db, order(id2, [[a, 1]]), ctx);
    expect(await allocations(id2)).toEqual([[{ sku: a, backordered: 0, at: [{ location: 'wh-a', quantity: 1 }] }]]);
  });

  it('splits across locations only when no single one can serve the order, and backorders the rest', async () => {
    const a = uniq('A');
    await applyAll(db, ctx, [adjust(a, 'wh-a', 2), adjust(a, 'wh-b', 3), adjust(a, 'store-x', 50)]);
    const id = uniq('o');
    const out = await applyEvent(db, order(id, [[a, 7]]), ctx);
    expect(out.orderChanges).toEqual([{ channel: 'web', externalOrderId: id, from: null, to: 'backordered' }]);
    expect(await allocations(id)).toEqual([
      [
        {
          sku: a,
          backordered: 2,
          at: [
            { location: 'wh-a', quantity: 2 },
            { location: 'wh-b', quantity: 3 },
          ],
        },
      ],
    ]);
    expect(await balanceAt(db, ctx, a, 'store-x')).toMatchObject({ allocated: 0 });
  });

  it('an updated order re-allocates only the difference', async () => {
    const [a, b] = [uniq('A'), uniq('B')];
    await applyAll(db, ctx, [adjust(a, 'wh-a', 10), adjust(b, 'wh-a', 10)]);
    const id = uniq('o');
    await applyEvent(
      db,
      order(id, [
        [a, 2],
        [b, 3],
      ]),
      ctx,
    );
    const grow = await applyEvent(
      db,
      order(id, [
        [a, 5],
        [b, 3],
      ]),
      ctx,
    );
    expect(grow.movements.map((m) => [m.sku, m.state, m.delta])).toEqual([[a, 'allocated', 3]]);
    const shrink = await applyEvent(db, order(id, [[a, 1]]), ctx);
    expect(shrink.movements.map((m) => [m.sku, m.delta]).sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q)))).toEqual(
      [
        [a, -4],
        [b, -3],
      ].sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q))),
    );
    expect(await balanceAt(db, ctx, a, 'wh-a')).toMatchObject({ allocated: 1, available: 9 });
    expect(await balanceAt(db, ctx, b, 'wh-a')).toMatchObject({ allocated: 0 });
    const same = await applyEvent(db, order(id, [[a, 1]]), ctx);
    expect(same).toMatchObject({ status: 'applied', movements: [], orderChanges: [], availabilityChanges: [] });
  });

  it('stores orders with unmapped or unknown SKUs as backordered and fills the unknown SKU when stock arrives', async () => {
    const unknown = uniq('NEW');
    const id = uniq('o');
    const out = await applyEvent(
      db,
      order(id, [
        [unknown, 2],
        [null, 1],
      ]),
      ctx,
    );
    expect(out.orderChanges).toEqual([{ channel: 'web', externalOrderId: id, from: null, to: 'backordered' }]);
    const view = await getOrder(db, 'web', id);
    expect(view!.lines[1]).toMatchObject({ sku: null, unmappedReason: 'no mapping for variant 42', items: [] });
    await applyEvent(db, adjust(unknown, 'wh-b', 5), ctx);
    expect((await getOrder(db, 'web', id))!.lines[0]!.items[0]).toMatchObject({ backordered: 0, allocations: [{ location: 'wh-b', quantity: 2 }] });
    // Still backordered: the unmapped line cannot be served until an update maps it.
    expect(await statusOf(db, id)).toBe('backordered');
    await applyEvent(db, order(id, [[unknown, 2]]), ctx);
    expect(await statusOf(db, id)).toBe('allocated');
  });

  it('fills backorders oldest order first when stock arrives, in the same transaction as the receipt', async () => {
    const a = uniq('A');
    const [late, early, middle] = [uniq('late'), uniq('early'), uniq('mid')];
    await applyAll(db, ctx, [
      order(late, [[a, 1]], { placedAt: '2026-01-03T00:00:00.000Z' }),
      order(early, [[a, 1]], { placedAt: '2026-01-01T00:00:00.000Z' }),
      order(middle, [[a, 1]], { placedAt: '2026-01-02T00:00:00.000Z' }),
    ]);
    const receipt = await applyEvent(db, adjust(a, 'wh-b', 2), ctx);
    expect(receipt.orderChanges).toEqual([
      { channel: 'web', externalOrderId: early, from: 'backordered', to: 'allocated' },
      { channel: 'web', externalOrderId: middle, from: 'backordered', to: 'allocated' },
    ]);
    expect(await statusOf(db, late)).toBe('backordered');
    expect(receipt.availabilityChanges.find((c) => c.channel === 'web')).toMatchObject({ available: 0 });
    expect(await balanceAt(db, ctx, a, 'wh-b')).toMatchObject({ onHand: 2, allocated: 2, available: 0 });
  });

  it('order.cancelled releases allocations, and the freed stock fills the next backordered order', async () => {
    const a = uniq('A');
    const [first, second] = [uniq('o'), uniq('o')];
    await applyAll(db, ctx, [
      adjust(a, 'wh-a', 3),
      order(first, [[a, 3]], { placedAt: '2026-01-01T00:00:00.000Z' }),
      order(second, [[a, 2]], { placedAt: '2026-01-02T00:00:00.000Z' }),
    ]);
    const out = await applyEvent(db, ev('order.cancelled', { channel: 'web', externalOrderId: first, cancelledAt: '2026-01-03T00:00:00.000Z' }), ctx);
    expect(out.orderChanges).toEqual([
      { channel: 'web', externalOrderId: first, from: 'allocated', to: 'cancelled' },
      { channel: 'web', externalOrderId: second, from: 'backordered', to: 'allocated' },
    ]);
    expect(await balanceAt(db, ctx, a, 'wh-a')).toMatchObject({ allocated: 2, available: 1 });
    // An update of a cancelled order keeps it cancelled and allocates nothing.
    const after = await applyEvent(db, order(first, [[a, 1]]), ctx);
    expect(after.movements).toEqual([]);
    expect(await statusOf(db, first)).toBe('cancelled');
  });

  it('a cancellation that arrives before the order keeps the late order from allocating', async () => {
    const a = uniq('A');
    const id = uniq('o');
    await applyEvent(db, adjust(a, 'wh-a', 5), ctx);
    const cancel = await applyEvent(db, ev('order.cancelled', { channel: 'web', externalOrderId: id, cancelledAt: '2026-01-03T00:00:00.000Z' }), ctx);
    expect(cancel.orderChanges).toEqual([{ channel: 'web', externalOrderId: id, from: null, to: 'cancelled' }]);
    await applyEvent(db, order(id, [[a, 2]]), ctx);
    expect(await statusOf(db, id)).toBe('cancelled');
    expect(await balanceAt(db, ctx, a, 'wh-a')).toMatchObject({ allocated: 0 });
  });

  it('a stale order update (older source version) changes nothing', async () => {
    const a = uniq('A');
    const id = uniq('o');
    await applyEvent(db, adjust(a, 'wh-a', 10), ctx);
    await applyEvent(db, order(id, [[a, 4]], { version: '2026-01-01T10:05:00Z' }), ctx);
    const old = await applyEvent(db, order(id, [[a, 1]], { version: '2026-01-01T10:00:00Z' }), ctx);
    expect(old).toMatchObject({ status: 'stale', movements: [] });
    expect(await balanceAt(db, ctx, a, 'wh-a')).toMatchObject({ allocated: 4 });
    // A cancel older than the order's last update is stale too: the order stays allocated.
    const oldCancel = ev('order.cancelled', { channel: 'web', externalOrderId: id, cancelledAt: '2026-01-01T10:01:00Z' }, { version: '2026-01-01T10:01:00Z' });
    expect((await applyEvent(db, oldCancel, ctx)).status).toBe('stale');
    expect(await statusOf(db, id)).toBe('allocated');
  });

  it('rejects an order for an unknown channel naming the field', async () => {
    await expect(applyEvent(db, order(uniq('o'), [['X', 1]], { channel: 'nope' }), ctx)).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'data.channel',
    });
  });

  it('an illegal transition names both states and changes nothing', async () => {
    const a = uniq('A');
    const id = uniq('o');
    await applyAll(db, ctx, [
      adjust(a, 'wh-a', 2),
      order(id, [[a, 2]]),
      ev('shipment.confirmed', {
        channel: 'web',
        externalOrderId: id,
        externalShipmentId: uniq('s'),
        location: 'wh-a',
        shippedAt: '2026-01-02T00:00:00.000Z',
        lines: [{ sku: a, quantity: 2 }],
      }),
    ]);
    expect(await statusOf(db, id)).toBe('shipped');
    const err = await applyEvent(db, ev('order.cancelled', { channel: 'web', externalOrderId: id, cancelledAt: '2026-01-03T00:00:00.000Z' }), ctx).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IllegalTransitionError);
    expect((err as Error).message).toMatch(/from shipped to cancelled/);
    // Asking for more of a shipped order would reopen it: shipped -> partially_shipped is illegal.
    await expect(applyEvent(db, order(id, [[a, 3]]), ctx)).rejects.toThrow(/from shipped to partially_shipped/);
    expect(await statusOf(db, id)).toBe('shipped');
  });
});
