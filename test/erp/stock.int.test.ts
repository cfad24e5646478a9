import { describe, expect, it } from 'vitest';
import { applyEvent, listReplenishmentSuggestions, verifyLedger } from '../../src/core/erp/index.js';
import { IllegalTransitionError, ValidationError } from '../../src/core/errors.js';
import { TEST_DB_KINDS } from '../helpers/db.js';
import type { Db } from '../../src/core/store/index.js';
import { adjust, atsOf, balanceAt, ev, level, order, product, testContext, uniq, useErpDb } from './helpers.js';

describe.each(TEST_DB_KINDS)('ERP stock events on %s', (kind) => {
  let db: Db;
  const ctx = testContext(undefined, [{ sku: 'R-1', location: 'wh-a', reorderPoint: 5, reorderQuantity: 20 }]);
  useErpDb(kind, (d) => (db = d));

  it('inventory.adjusted adds stock, records the movement and emits availability to every channel the location feeds', async () => {
    const sku = uniq('ADJ');
    const out = await applyEvent(db, adjust(sku, 'wh-a', 10, { reason: 'po-123 received' }), ctx);
    expect(out.status).toBe('applied');
    expect(out.movements).toEqual([{ sku, location: 'wh-a', state: 'onHand', delta: 10, reason: 'po-123 received', reference: expect.any(String) }]);
    expect(await balanceAt(db, ctx, sku, 'wh-a')).toMatchObject({ onHand: 10, available: 10 });
    // wholesale: 10 - safety 2 - ceil(10% of 10) = 7
    expect(out.availabilityChanges).toEqual([
      { sku, channel: 'web', available: 10, version: 1 },
      { sku, channel: 'wholesale', available: 7, version: 1 },
    ]);
    const outbox = await db.query<{ channel: string; available: number; version: number }>(
      'SELECT channel, available, version FROM availability_outbox WHERE sku = $1 ORDER BY id',
      [sku],
    );
    expect(outbox.rows).toEqual([
      { channel: 'web', available: 10, version: 1 },
      { channel: 'wholesale', available: 7, version: 1 },
    ]);
  });

  it('a repeated idempotency key is reported as already applied and changes nothing', async () => {
    const sku = uniq('IDEM');
    const e = adjust(sku, 'wh-a', 4);
    expect((await applyEvent(db, e, ctx)).status).toBe('applied');
    const again = await applyEvent(db, e, ctx);
    expect(again.status).toBe('duplicate');
    expect(again.message).toMatch(/already applied/);
    expect(again.movements).toEqual([]);
    expect(await balanceAt(db, ctx, sku, 'wh-a')).toMatchObject({ onHand: 4 });
    const outbox = await db.query('SELECT 1 FROM availability_outbox WHERE sku = $1', [sku]);
    expect(outbox.rows).toHaveLength(2);
  });

  it('a dry run reports the effect and leaves no trace, so the real apply still happens', async () => {
    const sku = uniq('DRY');
    const e = adjust(sku, 'wh-b', 3);
    const dry = await applyEvent(db, e, ctx, { dryRun: true });
    expect(dry).toMatchObject({ status: 'applied', dryRun: true, availabilityChanges: [{ sku, channel: 'web', available: 3, version: 1 }] });
    expect(await balanceAt(db, ctx, sku, 'wh-b')).toMatchObject({ onHand: 0 });
    expect((await applyEvent(db, e, ctx)).status).toBe('applied');
    expect(await balanceAt(db, ctx, sku, 'wh-b')).toMatchObject({ onHand: 3 });
  });

  it('rejects adjustments that name an unknown location, touch allocated stock, go below zero or target a bundle', async () => {
    const sku = uniq('BAD');
    await expect(applyEvent(db, adjust(sku, 'nowhere', 1), ctx)).rejects.toMatchObject({ name: 'ValidationError', field: 'data.location' });
    await expect(applyEvent(db, adjust(sku, 'wh-a', 1, { state: 'allocated' }), ctx)).rejects.toMatchObject({ field: 'data.state' });
    await applyEvent(db, adjust(sku, 'wh-a', 2), ctx);
    const err = await applyEvent(db, adjust(sku, 'wh-a', -3), ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ field: 'data.delta', message: expect.stringMatching(/-1/) });
    const bundle = uniq('KIT');
    await applyEvent(db, product(bundle, [{ sku, quantity: 1 }]), ctx);
    await expect(applyEvent(db, adjust(bundle, 'wh-a', 1), ctx)).rejects.toMatchObject({ field: 'data.sku' });
    expect(await balanceAt(db, ctx, sku, 'wh-a')).toMatchObject({ onHand: 2 });
  });

  it('inventory.level.reported from a warehouse sets onHand through a variance movement', async () => {
    const sku = uniq('CNT');
    await applyEvent(db, adjust(sku, 'wh-a', 10), ctx);
    const out = await applyEvent(db, level(sku, 'wh-a', 7), ctx);
    expect(out.movements).toEqual([expect.objectContaining({ state: 'onHand', delta: -3, reason: 'cycle_count' })]);
    expect(await balanceAt(db, ctx, sku, 'wh-a')).toMatchObject({ onHand: 7 });
    const same = await applyEvent(db, level(sku, 'wh-a', 7), ctx);
    expect(same).toMatchObject({ status: 'applied', movements: [], availabilityChanges: [] });
  });

  it('inventory.level.reported by a channel is kept for reconciliation and leaves the ledger alone', async () => {
    const sku = uniq('CHL');
    await applyEvent(db, adjust(sku, 'wh-a', 5), ctx);
    const out = await applyEvent(db, level(sku, 'wh-a', 99, { reporter: 'channel' }), ctx);
    expect(out).toMatchObject({ status: 'applied', movements: [], message: expect.stringMatching(/ledger unchanged/) });
    expect(await balanceAt(db, ctx, sku, 'wh-a')).toMatchObject({ onHand: 5 });
  });

  it('a stale count (older source version) changes nothing and says so; instants compare as time, counters as numbers', async () => {
    const sku = uniq('STALE');
    // 10:00+01:00 is 09:00Z: 09:30Z is newer as an instant although it sorts lower as a string.
    await applyEvent(db, level(sku, 'wh-a', 10, { version: '2026-03-01T10:00:00.000+01:00' }), ctx);
    expect((await applyEvent(db, level(sku, 'wh-a', 8, { version: '2026-03-01T09:30:00Z' }), ctx)).status).toBe('applied');
    const older = await applyEvent(db, level(sku, 'wh-a', 3, { version: '2026-03-01T08:59:59Z' }), ctx);
    expect(older.status).toBe('stale');
    expect(older.message).toMatch(/older than/);
    expect(older.movements).toEqual([]);
    expect(await balanceAt(db, ctx, sku, 'wh-a')).toMatchObject({ onHand: 8 });

    const sku2 = uniq('STALE');
    await applyEvent(db, level(sku2, 'wh-b', 4, { version: '10' }), ctx);
    expect((await applyEvent(db, level(sku2, 'wh-b', 1, { version: '9' }), ctx)).status).toBe('stale');
    expect((await applyEvent(db, level(sku2, 'wh-b', 6, { version: '11' }), ctx)).status).toBe('applied');
    expect(await balanceAt(db, ctx, sku2, 'wh-b')).toMatchObject({ onHand: 6 });
  });

  it('return.received restocks, quarantines or scraps by disposition', async () => {
    const sku = uniq('RET');
    const out = await applyEvent(
      db,
      ev('return.received', {
        externalReturnId: uniq('r'),
        channel: 'web',
        location: 'wh-b',
        receivedAt: '2026-01-05T00:00:00.000Z',
        lines: [
          { sku, quantity: 3, disposition: 'restock' },
          { sku, quantity: 2, disposition: 'quarantine' },
          { sku, quantity: 4, disposition: 'scrap' },
        ],
      }),
      ctx,
    );
    expect(out.status).toBe('applied');
    expect(await balanceAt(db, ctx, sku, 'wh-b')).toEqual({ onHand: 5, allocated: 0, quarantined: 2, inTransit: 0, returned: 0, available: 3 });
    expect(out.movements.filter((m) => m.reason === 'return.scrap')).toEqual([expect.objectContaining({ state: 'returned', delta: -4 })]);
    expect((await atsOf(db, ctx, sku))['web']).toBe(3);
  });

  it('a returned bundle restocks its components; a second delivery of the same return is a duplicate', async () => {
    const [a, b, kit] = [uniq('A'), uniq('B'), uniq('KIT')];
    await applyEvent(
      db,
      product(kit, [
        { sku: a, quantity: 1 },
        { sku: b, quantity: 2 },
      ]),
      ctx,
    );
    const data = {
      externalReturnId: uniq('r'),
      channel: 'web',
      location: 'wh-a',
      receivedAt: '2026-01-05T00:00:00.000Z',
      lines: [{ sku: kit, quantity: 2, disposition: 'restock' }],
    };
    await applyEvent(db, ev('return.received', data), ctx);
    expect(await balanceAt(db, ctx, a, 'wh-a')).toMatchObject({ onHand: 2 });
    expect(await balanceAt(db, ctx, b, 'wh-a')).toMatchObject({ onHand: 4 });
    expect((await applyEvent(db, ev('return.received', data), ctx)).status).toBe('duplicate');
    expect(await balanceAt(db, ctx, b, 'wh-a')).toMatchObject({ onHand: 4 });
  });

  it('records one replenishment suggestion when available falls below the reorder point, and clears it when restocked', async () => {
    await applyEvent(db, adjust('R-1', 'wh-a', 8), ctx);
    const dip = await applyEvent(db, adjust('R-1', 'wh-a', -4), ctx);
    expect(dip.replenishment).toEqual([{ sku: 'R-1', location: 'wh-a', action: 'suggested', available: 4, reorderPoint: 5, reorderQuantity: 20 }]);
    const lower = await applyEvent(db, adjust('R-1', 'wh-a', -1), ctx);
    expect(lower.replenishment).toEqual([]);
    expect(await listReplenishmentSuggestions(db, { sku: 'R-1', status: 'open' })).toHaveLength(1);
    const back = await applyEvent(db, adjust('R-1', 'wh-a', 10), ctx);
    expect(back.replenishment).toEqual([expect.objectContaining({ action: 'cleared', available: 13 })]);
    expect(await listReplenishmentSuggestions(db, { sku: 'R-1', status: 'open' })).toHaveLength(0);
  });

  it('a count below what is allocated releases the newest orders, which become backordered', async () => {
    const sku = uniq('SHORT');
    await applyEvent(db, adjust(sku, 'wh-b', 4), ctx);
    const [o1, o2] = [uniq('o'), uniq('o')];
    await applyEvent(db, order(o1, [[sku, 2]], { placedAt: '2026-01-01T08:00:00.000Z' }), ctx);
    await applyEvent(db, order(o2, [[sku, 2]], { placedAt: '2026-01-01T09:00:00.000Z' }), ctx);
    const out = await applyEvent(db, level(sku, 'wh-b', 3), ctx);
    expect(out.orderChanges).toEqual([{ channel: 'web', externalOrderId: o2, from: 'allocated', to: 'backordered' }]);
    expect(await balanceAt(db, ctx, sku, 'wh-b')).toMatchObject({ onHand: 3, allocated: 3, available: 0 });
  });

  it('verifyLedger reports a balance that no longer matches its movements', async () => {
    const sku = uniq('TAMPER');
    await applyEvent(db, adjust(sku, 'wh-a', 5), ctx);
    await db.query(`UPDATE inventory_balance SET quantity = 6 WHERE sku = $1 AND location = 'wh-a' AND state = 'onHand'`, [sku]);
    const issues = await verifyLedger(db);
    expect(issues).toEqual([{ problem: 'balance_mismatch', sku, location: 'wh-a', state: 'onHand', balance: 6, expected: 5 }]);
    await db.query(`UPDATE inventory_balance SET quantity = 5 WHERE sku = $1 AND location = 'wh-a' AND state = 'onHand'`, [sku]);
  });

  it('errors are typed: unknown location is a ValidationError, not an IllegalTransitionError', async () => {
    const err = await applyEvent(db, level(uniq('X'), 'mars', 1), ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).not.toBeInstanceOf(IllegalTransitionError);
    expect((err as ValidationError).message).toMatch(/mars/);
  });
});
