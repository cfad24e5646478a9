import { describe, expect, it } from 'vitest';
import { applyEvent, availableToSell, getOrder } from '../../src/core/erp/index.js';
import type { Db } from '../../src/core/store/index.js';
import { TEST_DB_KINDS } from '../helpers/db.js';
import { adjust, applyAll, atsOf, balanceAt, order, product, ship, statusOf, testContext, uniq, useErpDb } from './helpers.js';

describe.each(TEST_DB_KINDS)('ERP bundles, products and availability on %s', (kind) => {
  let db: Db;
  const ctx = testContext();
  useErpDb(kind, (d) => (db = d));

  it("a bundle's availability is the minimum over components of floor(available / quantity), and moves with them", async () => {
    const [a, b, kit] = [uniq('A'), uniq('B'), uniq('KIT')];
    await applyAll(db, ctx, [adjust(a, 'wh-a', 7), adjust(b, 'wh-b', 20)]);
    const created = await applyEvent(
      db,
      product(kit, [
        { sku: a, quantity: 2 },
        { sku: b, quantity: 3 },
      ]),
      ctx,
    );
    expect(created.availabilityChanges).toContainEqual({ sku: kit, channel: 'web', available: 3, version: 1 });
    expect(await availableToSell(db, kit, 'web', ctx)).toBe(3);
    const more = await applyEvent(db, adjust(a, 'wh-a', 10), ctx);
    // a: 17 -> floor(17/2) = 8; b: floor(20/3) = 6.
    expect(more.availabilityChanges).toContainEqual({ sku: kit, channel: 'web', available: 6, version: 2 });
  });

  it('selling a bundle allocates its components; shipping the bundle ships them', async () => {
    const [a, b, kit] = [uniq('A'), uniq('B'), uniq('KIT')];
    await applyAll(db, ctx, [
      adjust(a, 'wh-a', 10),
      adjust(b, 'wh-a', 10),
      product(kit, [
        { sku: a, quantity: 1 },
        { sku: b, quantity: 2 },
      ]),
    ]);
    const id = uniq('o');
    const out = await applyEvent(db, order(id, [[kit, 3]]), ctx);
    expect(out.movements.map((m) => [m.sku, m.state, m.delta])).toEqual([
      [a, 'allocated', 3],
      [b, 'allocated', 6],
    ]);
    expect(out.availabilityChanges).toEqual(
      expect.arrayContaining([
        { sku: a, channel: 'web', available: 7, version: expect.any(Number) },
        { sku: kit, channel: 'web', available: 2, version: expect.any(Number) },
      ]),
    );
    expect(await statusOf(db, id)).toBe('allocated');
    await applyEvent(db, ship(id, uniq('s'), 'wh-a', [{ sku: kit, quantity: 3 }]), ctx);
    expect(await statusOf(db, id)).toBe('shipped');
    expect(await balanceAt(db, ctx, b, 'wh-a')).toMatchObject({ onHand: 4, allocated: 0 });
  });

  it('a bundle line short of one component is backordered and filled when that component arrives', async () => {
    const [a, b, kit] = [uniq('A'), uniq('B'), uniq('KIT')];
    await applyAll(db, ctx, [
      adjust(a, 'wh-a', 5),
      product(kit, [
        { sku: a, quantity: 1 },
        { sku: b, quantity: 1 },
      ]),
    ]);
    const id = uniq('o');
    await applyEvent(db, order(id, [[kit, 2]]), ctx);
    expect(await statusOf(db, id)).toBe('backordered');
    const receipt = await applyEvent(db, adjust(b, 'wh-a', 2), ctx);
    expect(receipt.orderChanges).toEqual([{ channel: 'web', externalOrderId: id, from: 'backordered', to: 'allocated' }]);
    const view = await getOrder(db, 'web', id);
    expect(view!.lines[0]!.items.map((i) => [i.sku, i.required, i.backordered]).sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q)))).toEqual(
      [
        [a, 2, 0],
        [b, 2, 0],
      ].sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q))),
    );
  });

  it('rejects bundles that nest, repeat a component or contain themselves, and stock that would become a bundle', async () => {
    const [a, kit, outer] = [uniq('A'), uniq('KIT'), uniq('OUT')];
    await applyEvent(db, product(kit, [{ sku: a, quantity: 1 }]), ctx);
    await expect(applyEvent(db, product(outer, [{ sku: kit, quantity: 1 }]), ctx)).rejects.toMatchObject({ field: 'data.components[0].sku' });
    await expect(
      applyEvent(
        db,
        product(outer, [
          { sku: a, quantity: 1 },
          { sku: a, quantity: 2 },
        ]),
        ctx,
      ),
    ).rejects.toMatchObject({ field: 'data.components[1].sku' });
    await expect(applyEvent(db, product(outer, [{ sku: outer, quantity: 1 }]), ctx)).rejects.toMatchObject({ field: 'data.components[0].sku' });
    await applyEvent(db, adjust(a, 'wh-a', 1), ctx);
    await expect(applyEvent(db, product(a, [{ sku: uniq('Z'), quantity: 1 }]), ctx)).rejects.toMatchObject({ field: 'data.components' });
  });

  it('an inactive product is advertised as 0; a stale product update changes nothing', async () => {
    const a = uniq('A');
    await applyAll(db, ctx, [adjust(a, 'wh-a', 5)]);
    await applyEvent(db, product(a, [], { version: '2' }), ctx);
    const off = await applyEvent(db, product(a, [], { version: '3', active: false }), ctx);
    expect(off.availabilityChanges).toContainEqual({ sku: a, channel: 'web', available: 0, version: 2 });
    const stale = await applyEvent(db, product(a, [], { version: '1', active: true }), ctx);
    expect(stale.status).toBe('stale');
    expect((await atsOf(db, ctx, a))['web']).toBe(0);
  });

  it('availableToSell applies safety stock (with per-SKU override), buffers and cap, floored at 0', async () => {
    const [a, special] = [uniq('A'), uniq('SP')];
    const rules = testContext([
      { id: 'web', locations: ['wh-a', 'wh-b'] },
      {
        id: 'wholesale',
        locations: ['tpl', 'wh-a'],
        safetyStock: 3,
        skuSafetyStock: { [special]: 0 },
        buffers: [
          { type: 'absolute', value: 2 },
          { type: 'percent', value: 25 },
        ],
        cap: 30,
      },
    ]);
    await applyAll(db, rules, [adjust(a, 'tpl', 10), adjust(a, 'wh-a', 10), adjust(a, 'wh-b', 99), adjust(special, 'tpl', 8)]);
    // wholesale sees tpl + wh-a = 20: 20 - 3 - 2 - ceil(25% of 20) = 10
    expect(await availableToSell(db, a, 'wholesale', rules)).toBe(10);
    expect(await availableToSell(db, a, 'web', rules)).toBe(109);
    // special: 8 - 0 - 2 - 2 = 4
    expect(await availableToSell(db, special, 'wholesale', rules)).toBe(4);
    await applyEvent(db, adjust(a, 'tpl', 200), rules);
    expect(await availableToSell(db, a, 'wholesale', rules)).toBe(30);
    await applyEvent(db, adjust(special, 'tpl', -7), rules);
    expect(await availableToSell(db, special, 'wholesale', rules)).toBe(0);
    await expect(availableToSell(db, a, 'nope', rules)).rejects.toMatchObject({ field: 'channel' });
  });

  it('outbox versions grow by one per change of a (sku, channel) and skip unchanged values', async () => {
    const a = uniq('A');
    await applyAll(db, ctx, [adjust(a, 'wh-a', 1), adjust(a, 'wh-a', 1), adjust(a, 'store-x', 5), adjust(a, 'wh-b', 1)]);
    const { rows } = await db.query<{ available: number; version: number }>(
      `SELECT available, version FROM availability_outbox WHERE sku = $1 AND channel = 'web' ORDER BY id`,
      [a],
    );
    expect(rows).toEqual([
      { available: 1, version: 1 },
      { available: 2, version: 2 },
      { available: 3, version: 3 },
    ]);
  });
});
