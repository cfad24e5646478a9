import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, verifyLedger } from '../../src/core/erp/index.js';
import type { Db } from '../../src/core/store/index.js';
import { openTestDb } from '../helpers/db.js';
import { adjust, ev, level, order, product, testContext, uniq } from '../erp/helpers.js';

describe('hub ledger verify: every event recorded as applied has its movements', () => {
  let db: Db;
  const ctx = testContext();
  beforeAll(async () => {
    db = await openTestDb('pglite');
  });
  afterAll(async () => {
    await db.close();
  });

  it('accepts applied events that legitimately move nothing', async () => {
    const sku = uniq('QUIET');
    await applyEvent(db, product(sku), ctx);
    await applyEvent(db, adjust(sku, 'wh-a', 2), ctx);
    // a count equal to the ledger, a channel's own count, an order with nothing to allocate, its cancellation
    await applyEvent(db, level(sku, 'wh-a', 2), ctx);
    await applyEvent(db, level(sku, 'wh-a', 9, { reporter: 'channel' }), ctx);
    const o = uniq('o');
    await applyEvent(db, order(o, [[uniq('NONE'), 1]]), ctx);
    await applyEvent(db, ev('order.cancelled', { channel: 'web', externalOrderId: o, cancelledAt: '2026-01-02T00:00:00.000Z' }), ctx);
    expect(await verifyLedger(db)).toEqual([]);
  });

  it('reports an applied adjustment or return whose movements were lost', async () => {
    const sku = uniq('LOST');
    const adj = adjust(sku, 'wh-a', 5);
    await applyEvent(db, adj, ctx);
    const ret = ev('return.received', {
      externalReturnId: uniq('r'),
      channel: 'web',
      location: 'wh-a',
      receivedAt: '2026-01-02T00:00:00.000Z',
      lines: [{ sku, quantity: 1, disposition: 'restock' }],
    });
    await applyEvent(db, ret, ctx);
    expect(await verifyLedger(db)).toEqual([]);
    // What a second writer losing the files looks like: the keys survived, their movements did not
    // (balances recomputed so that only the missing movements tell).
    for (const key of [adj.idempotencyKey, ret.idempotencyKey]) {
      await db.query('DELETE FROM inventory_movement WHERE idempotency_key = $1', [key]);
    }
    await db.query(
      `UPDATE inventory_balance b SET quantity = coalesce((SELECT sum(delta) FROM inventory_movement m
         WHERE m.sku = b.sku AND m.location = b.location AND m.state = b.state), 0) WHERE b.sku = $1`,
      [sku],
    );
    const issues = await verifyLedger(db);
    expect(issues.filter((i) => i.problem !== 'missing_movements')).toEqual([]);
    expect(issues).toEqual([
      { problem: 'missing_movements', idempotencyKey: adj.idempotencyKey, eventId: adj.id, eventType: 'inventory.adjusted', connector: adj.source.connector },
      { problem: 'missing_movements', idempotencyKey: ret.idempotencyKey, eventId: ret.id, eventType: 'return.received', connector: ret.source.connector },
    ]);
  });
});
