import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, getInventory, verifyLedger, type ApplyOutcome } from '../../src/core/erp/index.js';
import { isRetryable, LockTimeoutError } from '../../src/core/errors.js';
import { createPostgresDb } from '../../src/core/store/postgres.js';
import type { Db } from '../../src/core/store/index.js';
import { openTestDb, TEST_DATABASE_URL } from '../helpers/db.js';
import { adjust, order, testContext, uniq } from './helpers.js';

/** Applies like a worker does: a retryable failure (lock timeout, deadlock) is tried again. */
async function applyWithRetry(db: Db, e: Parameters<typeof applyEvent>[1], ctx: Parameters<typeof applyEvent>[2]): Promise<ApplyOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyEvent(db, e, ctx);
    } catch (err) {
      if (!isRetryable(err) || attempt >= 5) throw err;
    }
  }
}

describe('ERP concurrency on postgres', () => {
  let db: Db & { schema?: string };
  const ctx = testContext();
  beforeAll(async () => {
    db = await openTestDb('postgres', { poolSize: 10 });
  });
  afterAll(async () => {
    await db.close();
  });

  it('1,000 concurrent single-unit orders on 100 in stock allocate exactly 100 and backorder 900', async () => {
    const sku = uniq('HOT');
    await applyEvent(db, adjust(sku, 'wh-a', 100), ctx);
    const orders = Array.from({ length: 1000 }, (_, i) =>
      order(`c-${sku}-${i}`, [[sku, 1]], { placedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() }),
    );
    const outcomes = await Promise.all(orders.map((o) => applyWithRetry(db, o, ctx)));
    expect(outcomes.every((o) => o.status === 'applied')).toBe(true);

    const statuses = await db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM sales_order WHERE external_order_id LIKE $1 GROUP BY status ORDER BY status`,
      [`c-${sku}-%`],
    );
    expect(statuses.rows).toEqual([
      { status: 'allocated', n: 100 },
      { status: 'backordered', n: 900 },
    ]);
    const view = await getInventory(db, sku, ctx);
    expect(view.locations).toEqual([expect.objectContaining({ location: 'wh-a', onHand: 100, allocated: 100, available: 0 })]);
    expect(view.availableToSell).toContainEqual({ channel: 'web', reported: [], available: 0 });
    // The last outbox row for the channel says 0: the push ends at the truth.
    const last = await db.query<{ available: number }>(
      `SELECT available FROM availability_outbox WHERE sku = $1 AND channel = 'web' ORDER BY version DESC LIMIT 1`,
      [sku],
    );
    expect(last.rows).toEqual([{ available: 0 }]);
    expect(await verifyLedger(db)).toEqual([]);
  });

  it('concurrent deliveries of one idempotency key apply once', async () => {
    const sku = uniq('DUP');
    const e = adjust(sku, 'wh-b', 5);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => applyWithRetry(db, e, ctx)));
    expect(outcomes.filter((o) => o.status === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'duplicate')).toHaveLength(19);
    const view = await getInventory(db, sku, ctx);
    expect(view.locations[0]).toMatchObject({ onHand: 5 });
  });

  it('receipts racing with orders and cancellations never over-allocate', async () => {
    const sku = uniq('MIX');
    const events = [];
    for (let i = 0; i < 60; i++) {
      events.push(order(`m-${sku}-${i}`, [[sku, 2]], { placedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() }));
      if (i % 3 === 0) events.push(adjust(sku, i % 2 === 0 ? 'wh-a' : 'wh-b', 3));
    }
    await Promise.all(events.map((e) => applyWithRetry(db, e, ctx)));
    const view = await getInventory(db, sku, ctx);
    for (const l of view.locations) expect(l.allocated).toBeLessThanOrEqual(l.onHand);
    const total = view.locations.reduce((n, l) => n + l.onHand, 0);
    const allocated = view.locations.reduce((n, l) => n + l.allocated, 0);
    // 60 units arrived for 120 ordered: once everything settled, every unit is allocated.
    expect(total).toBe(60);
    expect(allocated).toBe(60);
    expect(await verifyLedger(db)).toEqual([]);
  });

  it('contention surfaces as a retryable LockTimeoutError and leaves nothing behind', async () => {
    const sku = uniq('LOCK');
    await applyEvent(db, adjust(sku, 'wh-a', 3), ctx);
    const impatient = await createPostgresDb({ url: TEST_DATABASE_URL, schema: db.schema, lockTimeoutMs: 200 });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = db.transaction(async (tx) => {
      await tx.query(`SELECT 1 FROM inventory_balance WHERE sku = $1 FOR UPDATE`, [sku]);
      locked();
      await held;
    });
    try {
      await isLocked;
      const e = order(uniq('o'), [[sku, 1]]);
      const err = await applyEvent(impatient, e, ctx).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(LockTimeoutError);
      expect(isRetryable(err)).toBe(true);
      release();
      await holder;
      // The idempotency key was rolled back with the rest: the retry applies.
      expect((await applyEvent(impatient, e, ctx)).status).toBe('applied');
    } finally {
      release();
      await holder.catch(() => undefined);
      await impatient.close();
    }
  });
});
