import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/core/store/index.js';
import { loadConfig } from '../../src/core/config/load.js';
import { createErpContext } from '../../src/core/erp/context.js';
import { computeAvailableToSell, verifyLedger } from '../../src/core/erp/index.js';
import { createLogger } from '../../src/core/logger.js';
import { reconcileTarget, runReconciliation } from '../../src/reconcile/index.js';
import { bullConnection } from '../../src/queues/runtime.js';
import { bindConnectors } from '../../src/queues/bind.js';
import { connectorRegistry } from '../../src/connectors/registry.js';
import { outboundQueue } from '../../src/queues/names.js';
import { simConnectorYaml, startShopifySimulator, type ShopifySimulator } from '../sim/shopify/index.js';
import { spawnHub } from '../helpers/cli.js';
import { CANONICAL_SECRET, event, waitFor } from '../helpers/hub.js';
import { postSigned } from '../helpers/processes.js';
import { PrivatePostgres, PrivateRedis } from './services.js';

/**
 * While events flow: SIGKILL workers, crash Redis (AOF, fsync always) and PostgreSQL (immediate
 * shutdown), and make the store answer 429, 5xx and time-outs in bursts. Afterwards every
 * acknowledged event must be applied exactly once or sit in the dead-letter queue with a reason.
 * Size: FAULT_EVENTS (default 2,000; run with FAULT_EVENTS=10000 for the full test).
 */
const EVENTS = Number(process.env['FAULT_EVENTS'] ?? 2000);
/** Paced so the load lasts long enough for every kind of fault to strike more than once. */
const SECONDS = Number(process.env['FAULT_SECONDS'] ?? 24);
const SKUS = Array.from({ length: 40 }, (_, i) => `FAULT-${i}`);
const INITIAL = 1000;

describe(`faults while ${EVENTS} events flow`, () => {
  const redis = new PrivateRedis();
  const pg = new PrivatePostgres();
  let sim: ShopifySimulator;
  let db: Db;
  let env: Record<string, string>;
  let apiUrl = '';
  const workers: ChildProcess[] = [];
  const children: ChildProcess[] = [];
  const outputs: (() => string)[] = [];

  const spawnWorker = async () => {
    const { child, output } = await spawnHub(['worker', '--concurrency', '4'], { ...env, LOG_LEVEL: 'info' }, /workers started/, 60_000);
    children.push(child);
    workers.push(child);
    outputs.push(output);
  };
  /** What the processes said, for a failure message. */
  const diagnose = () =>
    children
      .map(
        (c, i) =>
          `--- process ${i} ${c.exitCode === null && c.signalCode === null ? 'running' : `exited ${c.exitCode ?? c.signalCode}`}\n${outputs[i]?.().slice(-1500) ?? ''}`,
      )
      .join('\n');

  beforeAll(async () => {
    await Promise.all([redis.start(), pg.start()]);
    sim = await startShopifySimulator({ locations: ['Online store'] });
    const location = sim.store.locations[0]!.id;
    const dir = mkdtempSync(join(tmpdir(), 'hub-faults-'));
    writeFileSync(
      join(dir, 'hub.yaml'),
      `storage: { dataDir: ${join(dir, 'data')} }
queues: { lockDurationMs: 2000, stalledIntervalMs: 1000, coalesceMs: 300 }
locations: [{ id: wh-east, kind: warehouse }]
channels: [{ id: web, connector: shopify-main, locations: [wh-east] }]
connectors:
  - id: events
    type: canonical
    credentials: { webhookSecret: ${CANONICAL_SECRET} }
    retry: { attempts: 20, backoffMs: 200, maxBackoffMs: 2000 }
${simConnectorYaml(sim, {
  locations: [[location, 'wh-east']],
  settings: ['requestTimeoutMs: 2000'],
  extra: ['retry: { attempts: 20, backoffMs: 200, maxBackoffMs: 2000 }', 'rateLimit: { max: 10, durationMs: 1000 }', 'reconcile: { stock: { policy: heal } }'],
})}
`,
    );
    env = { HUB_CONFIG: join(dir, 'hub.yaml'), DATABASE_URL: pg.url, REDIS_URL: redis.url, LOG_LEVEL: 'warn', HUB_DB_SCHEMA: '' };
    db = await openDb({ databaseUrl: pg.url });
    const api = await spawnHub(['api', '--port', '0'], { ...env, LOG_LEVEL: 'info' }, /hub listening on (http:\/\/[\d.]+:\d+)/, 60_000);
    children.push(api.child);
    outputs.push(api.output);
    apiUrl = api.match[1]!;
    await spawnWorker();
    await spawnWorker();
    sim.webhooks.subscribe(`${apiUrl}/webhooks/shopify-main`);
  }, 120_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    // Each step bounded: a pool or a server left waiting on a killed peer must not hold the run.
    const bounded = (work: Promise<unknown> | undefined) => Promise.race([work?.catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
    await bounded(db?.close());
    await bounded(sim?.close());
    await redis.stop();
    await pg.stop();
  });

  /** A sender that, like a real webhook source, retries until it gets a 2xx. */
  async function deliver(body: unknown): Promise<boolean> {
    const deliveryId = randomUUID();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if ((await postSigned(apiUrl, body, deliveryId)) === 200) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  }

  it('loses nothing, applies nothing twice, never over-allocates, and the store ends equal to the ledger', async () => {
    sim.store.addProduct({ title: 'Fault', variants: SKUS.map((sku) => ({ sku, available: 0 })) });
    await sim.webhooks.idle();
    await waitFor(async () => (await db.query(`SELECT 1 FROM product WHERE sku LIKE 'FAULT-%'`)).rowCount === SKUS.length, 'catalogue learned');
    expect(await deliver(SKUS.map((sku) => event('inventory.level.reported', { sku, location: 'wh-east', quantity: INITIAL, reporter: 'warehouse' })))).toBe(
      true,
    );
    // A count is absolute: adjustments applied before it would be overwritten by it, so wait for it.
    await waitFor(
      async () =>
        (await db.query(`SELECT 1 FROM inventory_balance WHERE sku LIKE 'FAULT-%' AND state = 'onHand' AND quantity = $1`, [INITIAL])).rowCount === SKUS.length,
      'opening stock counted',
    );

    const acked: { id: string; sku: string; delta: number }[] = [];
    const faults: string[] = [];
    let done = false;
    const chaos = (async () => {
      const actions = [
        async () => {
          const victim = workers.shift();
          victim?.kill('SIGKILL');
          faults.push('worker SIGKILL');
          await spawnWorker();
        },
        async () => {
          await redis.crash();
          faults.push('redis crash');
        },
        async () => {
          await pg.crash();
          faults.push('postgres crash');
        },
        async () => {
          sim.faults.next(5, { type: 'status', status: 429, retryAfter: '1' });
          faults.push('store 429 burst');
        },
        async () => {
          sim.faults.next(5, { type: 'status', status: 503 });
          faults.push('store 503 burst');
        },
        async () => {
          sim.faults.next(3, { type: 'timeout' });
          faults.push('store time-outs');
        },
      ];
      for (let i = 0; !done; i++) {
        await new Promise((r) => setTimeout(r, 1500));
        if (!done) await actions[i % actions.length]!();
      }
    })();

    const lanes = 8;
    let next = 0;
    const start = Date.now();
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < EVENTS) {
          const i = next++;
          const due = start + (i * SECONDS * 1000) / EVENTS;
          if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
          const sku = SKUS[i % SKUS.length]!;
          if (i % 4 === 0) {
            sim.store.placeOrder({ lines: [{ sku, quantity: 1 }] });
            continue;
          }
          const delta = i % 3 === 0 ? -1 : 1;
          const e = event('inventory.adjusted', { sku, location: 'wh-east', delta, reason: 'fault test' });
          if (await deliver(e)) acked.push({ id: e['id'] as string, sku, delta });
        }
      }),
    );
    done = true;
    await chaos;
    await sim.webhooks.idle();

    await waitFor(
      async () => {
        const { rows } = await db.query<{ n: number }>(`SELECT count(*) AS n FROM inbox WHERE status = 'received'`);
        return rows[0]!.n === 0;
      },
      'every accepted delivery handled',
      300_000,
    ).catch(async (err: Error) => {
      const { rows } = await db.query<{ status: string; n: number }>('SELECT status, count(*) AS n FROM inbox GROUP BY 1');
      throw new Error(`${err.message}: inbox ${JSON.stringify(rows)}\n${diagnose()}`);
    });
    const applied = new Set((await db.query<{ event_id: string }>('SELECT event_id FROM erp_applied_event')).rows.map((r) => r.event_id));
    const deadEvents = new Set(
      (await db.query<{ id: string | null; message: string }>(`SELECT event->>'id' AS id, message FROM dead_letter`)).rows
        .filter((r) => r.message)
        .map((r) => r.id),
    );
    const lost = acked.filter((a) => !applied.has(a.id) && !deadEvents.has(a.id));
    const appliedAcked = acked.filter((a) => applied.has(a.id));

    // onHand = initial count + every applied adjustment, once: a duplicate or a loss would show here.
    const expected = new Map(SKUS.map((s) => [s, INITIAL]));
    for (const a of appliedAcked) expected.set(a.sku, expected.get(a.sku)! + a.delta);
    const { rows: balances } = await db.query<{ sku: string; onhand: number; allocated: number }>(
      `SELECT sku, sum(quantity) FILTER (WHERE state = 'onHand') AS onhand, sum(quantity) FILTER (WHERE state = 'allocated') AS allocated
       FROM inventory_balance WHERE sku LIKE 'FAULT-%' GROUP BY sku`,
    );
    const mismatched = balances.filter((b) => Number(b.onhand) !== expected.get(b.sku));
    const overAllocated = balances.filter((b) => Number(b.allocated) > Number(b.onhand));
    const ledgerIssues = await verifyLedger(db);
    const dead = await db.query<{ code: string; n: number }>('SELECT error_code AS code, count(*) AS n FROM dead_letter GROUP BY 1');
    const ordersAcked = sim.webhooks.log.filter((r) => r.delivery.topic === 'orders/create' && r.status === 200).length;
    const { rows: orders } = await db.query<{ n: number }>('SELECT count(*) AS n FROM sales_order');

    // Outbound drained, then the store shows what the ledger says (the last push of each SKU wins).
    const outbound = new Queue(outboundQueue('shopify-main'), { connection: bullConnection(redis.url), prefix: '{hub}' });
    await waitFor(
      async () => Object.values(await outbound.getJobCounts('wait', 'active', 'delayed', 'prioritized')).every((n) => n === 0),
      'outbound drained',
      120_000,
    );

    // One stock reconciliation, then every SKU in the store equals the ledger's availableToSell.
    const config = loadConfig(env['HUB_CONFIG'], env);
    const erp = createErpContext(config);
    const logger = createLogger({ level: 'silent', pretty: false });
    const target = reconcileTarget(bindConnectors(config, connectorRegistry, { logger }), 'shopify-main')!;
    const run = await runReconciliation({ db, config, erp, logger }, target, 'stock', { trigger: 'manual' });
    await waitFor(async () => (await db.query('SELECT 1 FROM availability_outbox')).rowCount === 0, 'heal pushes relayed', 60_000);
    await waitFor(
      async () => Object.values(await outbound.getJobCounts('wait', 'active', 'delayed', 'prioritized')).every((n) => n === 0),
      'heal pushes sent',
      60_000,
    );
    await outbound.close();
    const ats = await computeAvailableToSell(
      db,
      SKUS.map((sku) => ({ sku, channel: 'web' })),
      erp,
    );
    const storeDrift = SKUS.filter((sku) => sim.store.available(sku) !== ats.get(`${sku}\u0000web`));

    console.log(
      JSON.stringify(
        {
          events: EVENTS,
          faults: faults.reduce<Record<string, number>>((m, f) => ({ ...m, [f]: (m[f] ?? 0) + 1 }), {}),
          canonicalAcked: acked.length,
          canonicalApplied: appliedAcked.length,
          lost: lost.length,
          duplicated: mismatched.length,
          ordersAcked,
          ordersInHub: orders[0]!.n,
          deadLetters: Object.fromEntries(dead.rows.map((r) => [r.code, r.n])),
          overAllocated: overAllocated.length,
          ledgerIssues: ledgerIssues.length,
          reconciliation: run.counts,
          storeSkusDifferentFromLedgerAfterReconciliation: storeDrift.length,
        },
        null,
        2,
      ),
    );
    expect(new Set(faults).size).toBe(6);
    expect(lost).toEqual([]);
    expect(mismatched.map((b) => ({ ...b, expected: expected.get(b.sku) }))).toEqual([]);
    expect(overAllocated).toEqual([]);
    expect(ledgerIssues).toEqual([]);
    expect(storeDrift).toEqual([]);
    expect(orders[0]!.n).toBeGreaterThanOrEqual(ordersAcked - Number(dead.rows.find((r) => r.code === 'unknown_sku')?.n ?? 0));
  }, 900_000);
});
