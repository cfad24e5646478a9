import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, applyEvents } from '../../src/core/erp/index.js';
import type { Db } from '../../src/core/store/index.js';
import { openTestDb } from '../helpers/db.js';
import { adjust, level, testContext } from '../erp/helpers.js';

/**
 * The hub's statements are named (prepared once per connection). PostgreSQL may then switch a
 * statement to a generic plan, made with the table sizes of that moment and kept until the table is
 * analyzed again. Made while the ledger was empty, such a plan scans whole tables; without a fresh
 * ANALYZE (autovacuum off, or before its first pass) every event then read every balance row, and the
 * hub slowed as its ledger grew. Each event must keep reading its rows by key.
 */
describe('plans of named statements as the ledger grows (PostgreSQL)', () => {
  const ctx = testContext();
  let db: Db & { schema?: string };
  // One connection: the statements prepared while the ledger was small are the ones used after.
  beforeAll(async () => {
    db = await openTestDb('postgres', { poolSize: 1 });
  });
  afterAll(async () => {
    await db.close();
  });

  /** Balance rows read by sequential scans so far (this backend's pending counters flushed first). */
  async function seqRowsRead(): Promise<number> {
    await db.query('SELECT pg_stat_force_next_flush()');
    const { rows } = await db.query<{ n: string }>(
      `SELECT seq_tup_read::text AS n FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'inventory_balance'`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  it('reads an event’s balance rows by key after the table has grown from empty', async () => {
    // While the ledger is small: the same statements, many times over (a generic plan is considered from the sixth).
    for (let i = 0; i < 12; i++) await applyEvent(db, i % 3 === 2 ? level(`P-${i % 4}`, 'wh-a', 10) : adjust(`P-${i % 4}`, 'wh-a', 1), ctx);
    // Then the ledger grows: 3,000 SKUs, each with its balance rows.
    for (let b = 0; b < 30; b++) {
      await applyEvents(
        db,
        Array.from({ length: 100 }, (_, i) => adjust(`G-${b * 100 + i}`, 'wh-a', 5)),
        ctx,
      );
    }
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM inventory_balance');
    const balanceRows = rows[0]!.n;
    expect(balanceRows).toBeGreaterThan(3000);

    const before = await seqRowsRead();
    for (let i = 0; i < 6; i++) await applyEvent(db, i % 3 === 2 ? level(`G-${i}`, 'wh-a', 4) : adjust(`G-${i}`, 'wh-a', 1), ctx);
    await applyEvents(db, [adjust('G-7', 'wh-a', 1), adjust('G-8', 'wh-a', -1), level('G-9', 'wh-a', 3)], ctx);
    const read = (await seqRowsRead()) - before;
    // Seven transactions that each scanned the table would read it seven times or more.
    expect(read).toBeLessThan(balanceRows);
  }, 120_000);
});
