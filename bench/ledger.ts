/**
 * Ledger benchmark: canonical events applied per second by the ERP core (`applyEvents`, the
 * workers' set-based batch path) at batch sizes 1, 10, 50 and 100 with 1 and 4 concurrent
 * appliers, for an order-heavy mix and a stock-event mix, on PGlite and on PostgreSQL, next to
 * bare single-row INSERT transactions per second on the same database in the same run. Prints JSON; `ratio` = events/s ÷ insert transactions/s.
 *
 *   npm run bench:ledger                      # PostgreSQL from DATABASE_URL or the local test server
 *   BENCH_EVENTS=3000 npm run bench:ledger    # longer runs
 *   BENCH_WARM_SECONDS=12                     # warm-up before anything is measured (default 12)
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { applyEvent, applyEvents, createErpContext, verifyLedger, type ErpContext } from '../src/core/erp/index.js';
import { CanonicalEventSchema, ChannelSchema, LocationSchema, type CanonicalEvent } from '../src/core/model/index.js';
import { openDb, type Db } from '../src/core/store/index.js';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 400);
const INSERTS = Number(process.env['BENCH_INSERTS'] ?? 2000);
const SKUS = 200;
/**
 * Seconds spent applying every mix at every batch size (and bare inserts) before the first
 * measurement. A young Node process compiles its hot paths for several seconds; measured on this
 * machine, a hub worker spent 25-40 % of its CPU in the optimizing compiler in its first 10 s.
 */
const WARM_SECONDS = Number(process.env['BENCH_WARM_SECONDS'] ?? 12);
const CONCURRENCY = [1, 4] as const;
const BATCHES = [1, 10, 50, 100] as const;
const MIXES: readonly Mix[] = ['orders', 'stock'];
const PG_URL = process.env['DATABASE_URL'] ?? process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const ctx: ErpContext = createErpContext({
  locations: ['wh-a', 'wh-b', 'tpl'].map((id) => LocationSchema.parse({ id, kind: id === 'tpl' ? '3pl' : 'warehouse' })),
  channels: [
    ChannelSchema.parse({ id: 'web', locations: ['wh-a', 'wh-b'], safetyStock: 1 }),
    ChannelSchema.parse({ id: 'wholesale', locations: ['tpl', 'wh-a'], buffers: [{ type: 'percent', value: 10 }] }),
  ],
});

let seq = 0;
function event(type: CanonicalEvent['type'], data: Record<string, unknown>): CanonicalEvent {
  const key = `bench-${++seq}-${randomUUID()}`;
  return CanonicalEventSchema.parse({
    id: key,
    type,
    idempotencyKey: key,
    source: { connector: 'bench', connectorType: 'bench', externalId: key, version: null },
    occurredAt: new Date().toISOString(),
    data,
  });
}

type Mix = 'orders' | 'stock';

/**
 * `orders`: 3 in 4 are orders of 1–2 lines, 1 in 4 a stock receipt, over SKUS SKUs.
 * `stock`: what a warehouse sends: receipts, removals and counts over the same SKUs.
 */
function workload(prefix: string, n: number, mix: Mix = 'orders'): { seed: CanonicalEvent[]; events: CanonicalEvent[] } {
  const sku = (i: number) => `${prefix}-${i % SKUS}`;
  const seed = Array.from({ length: SKUS }, (_, i) =>
    event('inventory.adjusted', { sku: sku(i), location: i % 2 ? 'wh-a' : 'wh-b', delta: 50, reason: 'seed' }),
  );
  const events = Array.from({ length: n }, (_, i) => {
    if (mix === 'stock') {
      const location = ['wh-a', 'wh-b', 'tpl'][i % 3]!;
      // Counts and removals where the seed put the SKU's stock (so a removal never goes below zero).
      const seeded = ((i * 7) % SKUS) % 2 ? 'wh-a' : 'wh-b';
      if (i % 5 === 4) return event('inventory.level.reported', { sku: sku(i * 7), location: seeded, quantity: 40 + (i % 9), reporter: 'warehouse' });
      if (i % 5 === 2) return event('inventory.adjusted', { sku: sku(i * 7), location: seeded, delta: -1, reason: 'damaged' });
      return event('inventory.adjusted', { sku: sku(i * 7), location, delta: 3, reason: 'receipt' });
    }
    if (i % 4 === 3) return event('inventory.adjusted', { sku: sku(i * 7), location: ['wh-a', 'wh-b', 'tpl'][i % 3], delta: 5, reason: 'receipt' });
    const lines = [sku(i * 13), ...(i % 2 ? [sku(i * 17 + 1)] : [])];
    return event('order.upserted', {
      channel: i % 5 === 0 ? 'wholesale' : 'web',
      externalOrderId: `${prefix}-o${i}`,
      orderNumber: `#${i}`,
      placedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      currency: 'USD',
      total: { amount: '10.00', currency: 'USD' },
      lines: [...new Set(lines)].map((s, j) => ({
        externalLineId: `${i}-${j}`,
        sku: s,
        quantity: 1 + (i % 3),
        unitPrice: { amount: '5.00', currency: 'USD' },
      })),
    });
  });
  return { seed, events };
}

/** Runs `fn` over `items` with at most `concurrency` in flight; returns items per second. */
async function rate<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
  // Not rounded: a few large batches per second would otherwise lose most of their resolution.
  return (items.length / (performance.now() - start)) * 1000;
}

/** Batches that met contention (a deadlock, a lock time-out) and were tried again. */
let batchRetries = 0;

/** Applies a batch in one transaction, retrying contention; a batch that keeps failing applies event by event. */
async function applyBatchRetrying(db: Db, batch: readonly CanonicalEvent[]): Promise<void> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      await applyEvents(db, batch, ctx);
      return;
    } catch (err) {
      if (!(err as { retryable?: boolean }).retryable) throw err;
      batchRetries += 1;
    }
  }
  for (const e of batch) {
    for (let attempt = 1; ; attempt++) {
      try {
        await applyEvent(db, e, ctx);
        break;
      } catch (err) {
        if (attempt >= 10 || !(err as { retryable?: boolean }).retryable) throw err;
      }
    }
  }
}

/** A Db that counts round trips (statements, BEGIN and COMMIT). */
function counting(db: Db): { db: Db; trips: () => number } {
  let n = 0;
  const wrap = (q: Pick<Db, 'query' | 'exec'>) => ({
    query: ((sql: string, params?: readonly unknown[]) => {
      n += 1;
      return q.query(sql, params);
    }) as Db['query'],
    exec: (sql: string) => {
      n += 1;
      return q.exec(sql);
    },
  });
  return {
    db: { ...db, kind: db.kind, ...wrap(db), transaction: (fn) => ((n += 2), db.transaction((tx) => fn(wrap(tx)))), close: () => db.close() },
    trips: () => n,
  };
}

/** Connections in the PostgreSQL pool (each a backend whose WAL counters must be flushed before reading). */
const POOL_SIZE = 8;

/**
 * WAL syncs so far. A backend publishes its counters at a commit at least 1 s after its last
 * publication, so without care the last second of one cell lands in the next: wait past that, then
 * commit once on every pooled connection at the same time.
 */
async function walSyncs(db: Db): Promise<number | null> {
  if (db.kind !== 'postgres') return null;
  await new Promise((r) => setTimeout(r, 1100));
  await Promise.all(Array.from({ length: POOL_SIZE }, () => db.transaction((tx) => tx.query('SELECT pg_sleep($1::float8)', [0.05]))));
  const { rows } = await db.query<{ n: number }>('SELECT wal_sync::bigint AS n FROM pg_stat_wal');
  return Number(rows[0]?.n ?? 0);
}

const chunks = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** The reference: one row inserted in its own transaction. */
const insertOne = (db: Db, v: string) => db.transaction((tx) => tx.query('INSERT INTO bench_insert (v) VALUES ($1)', [v]));

/** Applies both mixes at every batch size, 1 and 4 at a time, and bare inserts, for {@link WARM_SECONDS}. */
async function warmUp(db: Db, inserts: readonly string[]): Promise<void> {
  const until = performance.now() + WARM_SECONDS * 1000;
  do {
    for (const mix of MIXES) {
      const w = workload(`warm-${mix}-${randomUUID().slice(0, 6)}`, 400, mix);
      for (const e of w.seed) await applyEvent(db, e, ctx);
      for (const b of BATCHES) await rate(chunks(w.events.slice(0, b * 4), b), b === 1 ? 1 : 4, (batch) => applyBatchRetrying(db, batch));
    }
    await rate(inserts.slice(0, 200), 4, (v) => insertOne(db, v));
  } while (performance.now() < until);
}

async function measure(raw: Db): Promise<Record<string, unknown>> {
  const { db, trips } = counting(raw);
  await db.exec('CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, v text NOT NULL)');
  const inserts = Array.from({ length: INSERTS }, (_, i) => `row-${i}`);
  await warmUp(db, inserts);

  const insertTxPerSec: Record<string, number> = {};
  const insertTxPerSecMeasured: Record<string, [before: number, after: number]> = {};
  const grid: Record<string, { eventsPerSec: number; ratio: number; roundTripsPerEvent: number; walSyncsPerEvent: number | null }> = {};
  for (const c of CONCURRENCY) {
    // The reference is measured before and after this concurrency's cells; the higher of the two divides.
    const bare = () => rate(inserts, c, (v) => insertOne(db, v));
    const insertsBefore = await bare();
    const cells: { eventsPerSec: number; ratio: number }[] = [];
    for (const mix of MIXES) {
      // Stock events apply several times faster: more of them keep the measured window long enough.
      const n = mix === 'stock' ? EVENTS * 5 : EVENTS;
      for (const b of BATCHES) {
        // The first batch warms up (same SKUs, already seeded); the rest is measured.
        const w = workload(`${mix}c${c}b${b}-${randomUUID().slice(0, 6)}`, n + b, mix);
        for (const e of w.seed) await applyEvent(db, e, ctx);
        await applyBatchRetrying(db, w.events.slice(0, b));
        const trips0 = trips();
        const wal0 = await walSyncs(raw);
        const batches = chunks(w.events.slice(b), b);
        const batchesPerSec = await rate(batches, c, (batch) => applyBatchRetrying(db, batch));
        const eventsPerSec = Math.round((batchesPerSec * n) / batches.length);
        const wal1 = await walSyncs(raw);
        const cell = {
          eventsPerSec,
          ratio: 0, // once the reference is measured again after these cells
          roundTripsPerEvent: Number(((trips() - trips0) / n).toFixed(2)),
          walSyncsPerEvent: wal0 === null || wal1 === null ? null : Number(((wal1 - wal0) / n).toFixed(3)),
        };
        grid[`${mix}.batch${b}x${c}`] = cell;
        cells.push(cell);
      }
    }
    const insertsAfter = await bare();
    insertTxPerSecMeasured[c] = [Math.round(insertsBefore), Math.round(insertsAfter)];
    const reference = Math.round(Math.max(insertsBefore, insertsAfter));
    insertTxPerSec[c] = reference;
    for (const cell of cells) cell.ratio = Number((cell.eventsPerSec / reference).toFixed(3));
  }
  return { insertTxPerSec, insertTxPerSecMeasured, grid, invariants: await invariants(db) };
}

/** After a concurrent run on a few hot SKUs: ledger verifies, nothing negative, allocated ≤ on hand, a replayed batch changes nothing. */
async function invariants(db: Db): Promise<Record<string, unknown>> {
  const prefix = `hot-${randomUUID().slice(0, 6)}`;
  const hot = workload(prefix, EVENTS);
  const hotEvents = hot.events.map((e) =>
    e.type === 'order.upserted'
      ? { ...e, data: { ...e.data, lines: e.data.lines.map((l) => ({ ...l, sku: `${prefix}-${Number(String(l.sku).split('-').pop()) % 3}` })) } }
      : e,
  ) as CanonicalEvent[];
  for (const e of hot.seed.slice(0, 3)) await applyEvent(db, e, ctx);
  const batches = chunks(hotEvents, 20);
  const retriesBefore = batchRetries;
  await rate(batches, 4, (batch) => applyBatchRetrying(db, batch));
  const hotBatchRetries = batchRetries - retriesBefore;
  const snapshot = async () =>
    (await db.query<{ s: string }>(`SELECT string_agg(sku || location || state || quantity, ',' ORDER BY sku, location, state) AS s FROM inventory_balance`))
      .rows[0]?.s;
  const before = await snapshot();
  const replay = await applyEvents(db, batches[0]!, ctx);
  const after = await snapshot();
  const negative = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM inventory_balance WHERE quantity < 0')).rows[0]!.n;
  const overAllocated = (
    await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT sku, location, sum(quantity) FILTER (WHERE state = 'allocated') AS a, sum(quantity) FILTER (WHERE state = 'onHand') AS h
       FROM inventory_balance GROUP BY sku, location) x WHERE a > h`,
    )
  ).rows[0]!.n;
  return {
    hotBatchRetries,
    ledgerVerified: (await verifyLedger(db)).length === 0,
    negativeBalances: negative,
    overAllocated,
    replayedBatchAllDuplicate: replay.every((o) => o.status === 'duplicate'),
    replayedBatchChangedNothing: before === after,
  };
}

async function benchPostgres(): Promise<Record<string, unknown>> {
  const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let db: Db | undefined;
  try {
    db = await openDb({ databaseUrl: PG_URL, schema, poolSize: POOL_SIZE });
    return await measure(db);
  } catch (err) {
    return { skipped: `PostgreSQL unavailable or failed: ${(err as Error).message}` };
  } finally {
    await db?.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect().then(
      async () => {
        try {
          await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        } finally {
          await admin.end();
        }
      },
      () => undefined,
    );
  }
}

async function benchPglite(): Promise<Record<string, unknown>> {
  const db = await openDb({ dataDir: 'memory' });
  try {
    return await measure(db);
  } finally {
    await db.close();
  }
}

const started = performance.now();
const result = {
  benchmark: 'ledger',
  events: EVENTS,
  inserts: INSERTS,
  skus: SKUS,
  mixes: { orders: '75% order.upserted (1-2 lines), 25% inventory.adjusted', stock: '80% inventory.adjusted (receipts and removals), 20% warehouse counts' },
  node: process.version,
  // BENCH_DB=postgres skips the embedded database.
  pglite: process.env['BENCH_DB'] === 'postgres' ? { skipped: 'BENCH_DB=postgres' } : await benchPglite(),
  postgres: await benchPostgres(),
  seconds: 0,
};
result.seconds = Math.round((performance.now() - started) / 100) / 10;
console.log(JSON.stringify(result, null, 2));
