/**
 * Ledger benchmark: canonical events applied per second by the ERP core with 1 and 4 concurrent
 * appliers, on PGlite and on PostgreSQL, next to bare single-row INSERT transactions per second on
 * the same database in the same run. Prints JSON; `ratio` = events/s ÷ insert transactions/s.
 *
 *   npm run bench:ledger                      # PostgreSQL from DATABASE_URL or the local test server
 *   BENCH_EVENTS=3000 npm run bench:ledger    # longer runs
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { applyEvent, createErpContext, verifyLedger, type ErpContext } from '../src/core/erp/index.js';
import { CanonicalEventSchema, ChannelSchema, LocationSchema, type CanonicalEvent } from '../src/core/model/index.js';
import { openDb, type Db } from '../src/core/store/index.js';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1000);
const INSERTS = Number(process.env['BENCH_INSERTS'] ?? 2000);
const SKUS = 200;
const CONCURRENCY = [1, 4] as const;
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

/** A realistic mix: 3 in 4 are orders of 1–2 lines, 1 in 4 a stock receipt, over SKUS SKUs. */
function workload(prefix: string, n: number): { seed: CanonicalEvent[]; events: CanonicalEvent[] } {
  const sku = (i: number) => `${prefix}-${i % SKUS}`;
  const seed = Array.from({ length: SKUS }, (_, i) => event('inventory.adjusted', { sku: sku(i), location: i % 2 ? 'wh-a' : 'wh-b', delta: 50, reason: 'seed' }));
  const events = Array.from({ length: n }, (_, i) => {
    if (i % 4 === 3) return event('inventory.adjusted', { sku: sku(i * 7), location: ['wh-a', 'wh-b', 'tpl'][i % 3], delta: 5, reason: 'receipt' });
    const lines = [sku(i * 13), ...(i % 2 ? [sku(i * 17 + 1)] : [])];
    return event('order.upserted', {
      channel: i % 5 === 0 ? 'wholesale' : 'web',
      externalOrderId: `${prefix}-o${i}`,
      orderNumber: `#${i}`,
      placedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      currency: 'USD',
      total: { amount: '10.00', currency: 'USD' },
      lines: [...new Set(lines)].map((s, j) => ({ externalLineId: `${i}-${j}`, sku: s, quantity: 1 + (i % 3), unitPrice: { amount: '5.00', currency: 'USD' } })),
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
  return Math.round((items.length / (performance.now() - start)) * 1000);
}

async function applyRetrying(db: Db, e: CanonicalEvent): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await applyEvent(db, e, ctx);
      return;
    } catch (err) {
      if (attempt >= 5 || !(err as { retryable?: boolean }).retryable) throw err;
    }
  }
}

async function measure(db: Db): Promise<Record<string, unknown>> {
  await db.exec('CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, v text NOT NULL)');
  const inserts = Array.from({ length: INSERTS }, (_, i) => `row-${i}`);
  const warm = workload(`warm-${randomUUID().slice(0, 6)}`, 50);
  for (const e of [...warm.seed, ...warm.events]) await applyEvent(db, e, ctx);
  await rate(inserts.slice(0, 100), 1, (v) => db.transaction((tx) => tx.query('INSERT INTO bench_insert (v) VALUES ($1)', [v])));

  const out: Record<string, Record<string, number>> = { insertTxPerSec: {}, eventsPerSec: {}, ratio: {} };
  for (const c of CONCURRENCY) {
    out['insertTxPerSec']![c] = await rate(inserts, c, (v) => db.transaction((tx) => tx.query('INSERT INTO bench_insert (v) VALUES ($1)', [v])));
    const w = workload(`c${c}-${randomUUID().slice(0, 6)}`, EVENTS);
    for (const e of w.seed) await applyEvent(db, e, ctx);
    out['eventsPerSec']![c] = await rate(w.events, c, (e) => applyRetrying(db, e));
    out['ratio']![c] = Number((out['eventsPerSec']![c] / out['insertTxPerSec']![c]).toFixed(3));
  }
  const issues = await verifyLedger(db);
  return { ...out, ledgerVerified: issues.length === 0 };
}

async function benchPostgres(): Promise<Record<string, unknown>> {
  const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let db: Db | undefined;
  try {
    db = await openDb({ databaseUrl: PG_URL, schema, poolSize: 8 });
    return await measure(db);
  } catch (err) {
    return { skipped: `PostgreSQL unavailable or failed: ${(err as Error).message}` };
  } finally {
    await db?.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect().then(
      () => admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => admin.end()),
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
  mix: '75% order.upserted (1-2 lines), 25% inventory.adjusted',
  node: process.version,
  pglite: await benchPglite(),
  postgres: await benchPostgres(),
  seconds: 0,
};
result.seconds = Math.round((performance.now() - started) / 100) / 10;
console.log(JSON.stringify(result, null, 2));
