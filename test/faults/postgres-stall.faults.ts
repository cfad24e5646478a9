import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/core/store/index.js';
import { TEST_DATABASE_URL } from '../helpers/db.js';
import { BASE_CONFIG, event, parseTestConfig, REDIS_URL, waitFor } from '../helpers/hub.js';
import { startInProcessHub, type InProcessHub } from './in-process.js';
import { TcpProxy } from './tcp-proxy.js';

/**
 * Finding 9: a PostgreSQL that accepts connections and never answers, for 30 s. The hub answers
 * webhooks and /readyz quickly (503) while it lasts, discards the connections caught in it, and
 * recovers by itself: every delivery it acknowledged is applied exactly once.
 */
const STALL_MS = Number(process.env['FAULT_STALL_MS'] ?? 30_000);
/** Time-outs of this test's hub: short, so the stall shows in seconds rather than the defaults' 20 s. */
const TIMEOUTS = { connectTimeoutMs: 2000, statementTimeoutMs: 4000, queryTimeoutMs: 3000 };
/** What a request may take during the stall: a query time-out plus a checkout wait, with room to spare. */
const ANSWER_WITHIN_MS = 15_000;
const SKUS = ['STALL-A', 'STALL-B', 'STALL-C'];

describe('PostgreSQL that stalls for 30 s', () => {
  const target = new URL(TEST_DATABASE_URL);
  const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const schema = `t_stall_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let db: Db;
  let hub: InProcessHub;

  beforeAll(async () => {
    await proxy.start();
    const url = new URL(TEST_DATABASE_URL);
    url.host = proxy.url;
    db = await openDb({ databaseUrl: url.toString(), schema, poolSize: 10, timeouts: TIMEOUTS });
    const config = parseTestConfig(
      BASE_CONFIG.replace('retry: { attempts: 3, backoffMs: 50, maxBackoffMs: 200 }', 'retry: { attempts: 60, backoffMs: 200, maxBackoffMs: 2000 }'),
    );
    hub = await startInProcessHub(config, db, REDIS_URL);
  });

  afterAll(async () => {
    await hub?.stop();
    await db?.close();
    await proxy.stop();
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it('answers quickly while stalled, recovers by itself and loses nothing acknowledged', async () => {
    const acked: { sku: string; inboxId: number }[] = [];
    const during: { status: number; ms: number }[] = [];
    let phase = 'before' as 'before' | 'stalled' | 'after';
    let sending = true;
    let n = 0;
    // One sender, one request at a time: every answer is classified by the phase it was sent in.
    const sender = (async () => {
      while (sending) {
        const sku = SKUS[n++ % SKUS.length]!;
        const sentIn = phase;
        const res = await hub
          .post(event('inventory.adjusted', { sku, location: 'wh-east', delta: 1, reason: 'receipt' }))
          .catch(() => ({ status: 0, ms: 0, json: null }));
        if (res.status === 200 && res.json?.['status'] === 'accepted') acked.push({ sku, inboxId: Number(res.json['id']) });
        if (sentIn === 'stalled') during.push(res);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    await waitFor(() => acked.length >= 20, 'deliveries acknowledged before the stall', 60_000);
    proxy.stall();
    phase = 'stalled';
    const stalledAt = Date.now();
    const readiness: { status: number; ms: number }[] = [];
    while (Date.now() - stalledAt < STALL_MS) {
      readiness.push(await hub.get('/readyz'));
      await new Promise((r) => setTimeout(r, 1000));
    }
    proxy.unstall();
    phase = 'after';

    // While stalled: answers kept coming, none acknowledged a delivery it could not record, none hung.
    expect(during.length).toBeGreaterThan(2);
    for (const res of during) {
      expect(res.ms).toBeLessThan(ANSWER_WITHIN_MS);
      expect(res.status).not.toBe(200);
    }
    expect(readiness.every((r) => r.status === 503 && r.ms < 5000)).toBe(true);

    // Recovery without help: ready again, new deliveries acknowledged.
    await waitFor(async () => (await hub.get('/readyz')).status === 200, 'readyz after the stall', 60_000);
    const ackedBefore = acked.length;
    await waitFor(() => acked.length >= ackedBefore + 20, 'deliveries acknowledged after the stall', 60_000);
    sending = false;
    await sender;

    // Every acknowledged delivery applied, exactly once.
    await waitFor(
      async () => {
        const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbox WHERE id = ANY($1::bigint[]) AND status = 'processed'`, [
          acked.map((a) => a.inboxId),
        ]);
        return rows[0]!.n === acked.length;
      },
      'every acknowledged delivery processed',
      180_000,
    );
    const { rows } = await db.query<{ sku: string; total: number }>(
      `SELECT sku, sum(delta)::int AS total FROM inventory_movement WHERE sku = ANY($1::text[]) AND state = 'onHand' GROUP BY sku`,
      [SKUS],
    );
    const applied = Object.fromEntries(SKUS.map((sku) => [sku, rows.find((r) => r.sku === sku)?.total ?? 0]));
    const acknowledged = Object.fromEntries(SKUS.map((sku) => [sku, acked.filter((a) => a.sku === sku).length]));
    expect(applied).toEqual(acknowledged);
    const { rows: dead } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dead_letter`);
    expect(dead[0]!.n).toBe(0);
  });
});
