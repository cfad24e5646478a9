import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockTimeoutError } from '../../src/core/errors.js';
import { listMigrations, migrate, type Db } from '../../src/core/store/index.js';
import { openTestDb, TEST_DB_KINDS } from '../helpers/db.js';

describe.each(TEST_DB_KINDS)('store on %s', (kind) => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(kind);
  });
  afterAll(async () => {
    await db.close();
  });

  it('records every migration once and applies nothing on a second run', async () => {
    const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(listMigrations().map((m) => m.version));
    expect(await migrate(db)).toEqual([]);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.transaction((tx) => tx.query(`INSERT INTO audit_log (actor, action, outcome) VALUES ('t', 'commit', 'ok')`));
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO audit_log (actor, action, outcome) VALUES ('t', 'rollback', 'ok')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await db.query<{ action: string }>(`SELECT action FROM audit_log WHERE actor = 't' ORDER BY id`);
    expect(rows.map((r) => r.action)).toEqual(['commit']);
  });

  it('returns bigint counts as numbers and numeric values as decimal strings', async () => {
    const { rows } = await db.query<{ n: number; amount: string }>(`SELECT count(*) AS n, 59.90::numeric AS amount FROM audit_log`);
    expect(rows[0]).toEqual({ n: expect.any(Number), amount: '59.90' });
  });

  it('reports a failing statement with the database message', async () => {
    await expect(db.query('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);
  });
});

describe.runIf(TEST_DB_KINDS.includes('postgres'))('store on postgres under contention', () => {
  it('turns a lock wait past lock_timeout into a retryable LockTimeoutError', async () => {
    const db = await openTestDb('postgres');
    try {
      await db.query(`INSERT INTO audit_log (id, actor, action, outcome) VALUES (424242, 'lock', 'hold', 'ok')`);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const holder = db.transaction(async (tx) => {
        await tx.query('SELECT id FROM audit_log WHERE id = 424242 FOR UPDATE');
        locked();
        await held;
      });
      await isLocked;
      const waiter = db.transaction(async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '100ms'`);
        await tx.query('SELECT id FROM audit_log WHERE id = 424242 FOR UPDATE');
      });
      const err = await waiter.then(
        () => undefined,
        (e: unknown) => e,
      );
      release();
      await holder;
      expect(err).toBeInstanceOf(LockTimeoutError);
      expect((err as LockTimeoutError).retryable).toBe(true);
    } finally {
      await db.close();
    }
  });
});

describe.runIf(TEST_DB_KINDS.includes('postgres'))('store on postgres when the server drops a connection', () => {
  it('fails the transaction instead of crashing the process, and the next one works', async () => {
    const db = await openTestDb('postgres');
    const unhandled: unknown[] = [];
    const onUncaught = (err: unknown) => unhandled.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      let pid!: number;
      let started!: () => void;
      const inside = new Promise<void>((r) => (started = r));
      const tx = db.transaction(async (t) => {
        pid = (await t.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        started();
        // Idle inside the transaction while the server ends this backend, as a crash or a failover would.
        await new Promise((r) => setTimeout(r, 500));
        await t.query('SELECT 1');
      });
      await inside;
      await db.query('SELECT pg_terminate_backend($1)', [pid]);
      await expect(tx).rejects.toThrow(/./);
      await new Promise((r) => setTimeout(r, 100));
      expect(unhandled).toEqual([]);
      expect((await db.transaction((t) => t.query<{ one: number }>('SELECT 1 AS one'))).rows[0]?.one).toBe(1);
    } finally {
      process.off('uncaughtException', onUncaught);
      await db.close();
    }
  });
});
