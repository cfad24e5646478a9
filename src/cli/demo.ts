import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { startHub, type RunningHub } from '../api/server.js';
import { signCanonical } from '../connectors/canonical/index.js';
import { LOG_REDACT_PATHS } from '../core/config/redact.js';
import { computeAvailableToSell } from '../core/erp/index.js';
import { DEFAULT_REDIS_URL, redisAnswers } from '../queues/redis.js';
import { reconcileTarget, runReconciliation } from '../reconcile/index.js';
import type { DemoSimulatorModule } from './demo-sim.js';

const SIM_MODULE = fileURLToPath(new URL('../../test/sim/shopify/index.ts', import.meta.url));
const PREFIX = '{hub-demo}';
const SIZES = ['S', 'M', 'L'];

interface DemoOptions {
  skus: number;
  orders: number;
  port?: number;
  exit?: boolean;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const int = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/** Posts canonical events as the demo's warehouse system does: signed, one delivery id each. */
function warehouse(url: string, secret: string) {
  return async (events: Record<string, unknown>[]): Promise<number> => {
    const raw = JSON.stringify(events);
    const res = await fetch(`${url}/webhooks/warehouse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-delivery-id': randomUUID(), 'x-hub-signature-256': signCanonical(raw, secret) },
      body: raw,
    });
    await res.arrayBuffer();
    return res.status;
  };
}

function canonical(type: string, data: Record<string, unknown>): Record<string, unknown> {
  const id = randomUUID();
  return { id, type, idempotencyKey: `demo:${id}`, source: { connector: 'warehouse', connectorType: 'canonical', externalId: id, version: null }, occurredAt: new Date().toISOString(), data };
}

async function clearQueues(url: string): Promise<void> {
  if (!(await redisAnswers(url))) return; // the hub will start a fresh redis-server under the demo's data directory
  const redis = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/**
 * `hub demo`: a simulated Shopify store and a warehouse system feed the hub on its embedded
 * defaults; orders, cancellations, shipments, returns and receipts flow while a progress bar
 * counts them; a few failures land in the dead-letter queue; a summary compares the store's
 * stock with the ledger.
 */
async function runDemo(options: DemoOptions): Promise<void> {
  if (!existsSync(SIM_MODULE)) {
    console.error('hub demo needs a source checkout (its Shopify simulator lives in test/sim).');
    process.exitCode = 1;
    return;
  }
  const started = Date.now();
  const dataDir = resolve('data', 'demo');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, 'hub.log');
  const logger = pino({ level: 'info', redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } }, pino.destination({ dest: logFile, sync: false }));
  const { startShopifySimulator, simConnectorYaml } = (await import(SIM_MODULE)) as DemoSimulatorModule;
  const sim = await startShopifySimulator({ locations: ['Online store'] });
  const shopLocation = sim.store.locations[0]!.id;
  const secret = randomBytes(24).toString('hex');
  const configFile = join(dataDir, 'hub.yaml');
  writeFileSync(
    configFile,
    `# written by hub demo
storage: { dataDir: "${dataDir}" }
queues: { prefix: "${PREFIX}", coalesceMs: 300 }
locations:
  - { id: wh-east, name: East warehouse, kind: warehouse }
  - { id: wh-west, name: West warehouse, kind: warehouse }
channels:
  - { id: web, name: Simulated Shopify store, connector: shopify-demo, locations: [wh-east, wh-west], safetyStock: 1 }
connectors:
${simConnectorYaml(sim, {
  id: 'shopify-demo',
  locations: [[shopLocation, 'wh-east']],
  settings: ['ingestFulfillments: false'],
  extra: ['retry: { attempts: 5, backoffMs: 200, maxBackoffMs: 2000 }', 'rateLimit: { max: 10, durationMs: 1000 }', 'reconcile: { stock: { policy: heal } }'],
})}
  - id: warehouse
    type: canonical
    credentials: { webhookSecret: ${secret} }
    retry: { attempts: 3, backoffMs: 200, maxBackoffMs: 1000 }
auth:
  tokens:
    - { name: demo-admin, role: admin, token: demo-admin-token-${secret.slice(0, 8)} }
`,
  );
  const redisUrl = process.env['REDIS_URL'] ?? DEFAULT_REDIS_URL;
  await clearQueues(redisUrl);
  let hub: RunningHub | undefined;
  const stop = async () => {
    await hub?.stop();
    await sim.close();
    logger.flush();
  };
  process.once('SIGINT', () => {
    console.log('\nstopping the demo');
    void stop().then(() => process.exit(0));
  });
  hub = await startHub({ configFile, env: { ...process.env, DATABASE_URL: undefined, HUB_DB_SCHEMA: undefined }, logger, port: options.port ?? 0 });
  const url = hub.url!;
  const db = hub.db;
  const send = warehouse(url, secret);
  sim.webhooks.subscribe(`${url}/webhooks/shopify-demo`);
  console.log(`hub on ${url} (embedded database under ${dataDir}, logs in ${logFile})`);

  // Catalogue: products with three sizes each, learned by the hub from products/create webhooks.
  const skus: string[] = [];
  for (let p = 0; skus.length < options.skus; p++) {
    const variants = SIZES.map((size) => ({ sku: `DEMO-${String(p).padStart(3, '0')}-${size}`, available: 0 }));
    sim.store.addProduct({ title: `Demo product ${p}`, variants });
    skus.push(...variants.map((v) => v.sku));
  }
  await sim.webhooks.idle();
  await waitUntil(async () => (await db.query<{ n: number }>('SELECT count(*) AS n FROM product')).rows[0]!.n >= skus.length, 30_000);
  for (let i = 0; i < skus.length; i += 100) {
    const batch = skus.slice(i, i + 100).flatMap((sku) => [
      canonical('inventory.level.reported', { sku, location: 'wh-east', quantity: int(0, 20), reporter: 'warehouse' }),
      canonical('inventory.level.reported', { sku, location: 'wh-west', quantity: int(0, 10), reporter: 'warehouse' }),
    ]);
    await send(batch);
  }

  const bar = new SingleBar({ format: ' events {bar} {value}/{total} | applied {applied} | dead letters {dead}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 2000 });
  const counts = { sent: 0, applied: 0, dead: 0 };
  const refresh = async () => {
    const { rows } = await db.query<{ applied: number; dead: number }>(
      `SELECT (SELECT count(*) FROM erp_applied_event) AS applied, (SELECT count(*) FROM dead_letter) AS dead`,
    );
    counts.applied = rows[0]!.applied;
    counts.dead = rows[0]!.dead;
    bar.update(counts.sent, { applied: counts.applied, dead: counts.dead });
  };
  bar.start(options.orders, 0, { applied: 0, dead: 0 });
  const placed: { id: string; lines: { id: string; sku: string; quantity: number }[] }[] = [];
  for (let i = 1; i <= options.orders; i++) {
    const lines = Array.from({ length: int(1, 3) }, () => ({ sku: pick(skus), quantity: int(1, 2) }));
    const order = sim.store.placeOrder({ lines });
    placed.push({ id: order.id, lines: order.lines.map((l) => ({ id: l.id, sku: l.sku ?? '', quantity: l.quantity })) });
    if (i % 10 === 0) {
      // Customers cancel orders that have not shipped yet.
      const open = placed.filter((p) => (sim.store.order(p.id)?.fulfillments.length ?? 1) === 0 && !sim.store.order(p.id)?.cancelledAt);
      if (open.length > 0) sim.store.cancelOrder(pick(open).id);
    }
    if (i % 7 === 0) {
      // The warehouse ships what the hub allocated (it learns of orders from the hub, not the store).
      const { rows } = await db.query<{ id: string; location: string }>(
        `SELECT o.external_order_id AS id, min(a.location) AS location FROM sales_order o JOIN order_allocation a ON a.order_id = o.id
         WHERE o.status = 'allocated' GROUP BY o.id HAVING count(DISTINCT a.location) = 1 ORDER BY random() LIMIT 1`,
      );
      const o = placed.find((p) => p.id === rows[0]?.id);
      if (o) await send([
        canonical('shipment.confirmed', {
          externalShipmentId: `SHIP-${o.id}`,
          channel: 'web',
          externalOrderId: o.id,
          location: rows[0]!.location,
          shippedAt: new Date().toISOString(),
          lines: o.lines.map((l) => ({ externalLineId: l.id, sku: l.sku, quantity: l.quantity })),
          tracking: { number: `1Z${o.id.slice(-10)}`, company: 'UPS' },
        }),
      ]);
    }
    if (i % 15 === 0) {
      await send([
        canonical('return.received', {
          externalReturnId: `RET-${i}`,
          channel: 'web',
          location: 'wh-west',
          receivedAt: new Date().toISOString(),
          lines: [{ sku: pick(skus), quantity: 1, disposition: pick(['restock', 'quarantine', 'scrap']) }],
        }),
      ]);
    }
    if (i % 20 === 0) await send([canonical('inventory.adjusted', { sku: pick(skus), location: pick(['wh-east', 'wh-west']), delta: int(5, 15), reason: 'purchase order received' })]);
    if (i === Math.floor(options.orders / 3)) {
      // Failures: an order for a product the hub never learned, a malformed receipt, and a burst of 503s.
      sim.webhooks.unsubscribeAll();
      sim.store.addProduct({ title: 'Unlisted product', variants: [{ sku: 'NOT-IN-HUB', available: 5 }] });
      sim.webhooks.subscribe(`${url}/webhooks/shopify-demo`);
      sim.store.placeOrder({ lines: [{ sku: 'NOT-IN-HUB', quantity: 1 }] });
      await send([canonical('inventory.adjusted', { sku: pick(skus), location: 'wh-east', delta: 2.5, reason: 'typo' })]);
      sim.faults.next(3, { type: 'status', status: 503 });
    }
    counts.sent = i;
    if (i % 5 === 0) await refresh();
    // Let the store's webhooks catch up now and then, as a real day's traffic would.
    if (i % 10 === 0) await sim.webhooks.idle();
  }
  await sim.webhooks.idle();
  const settled = await waitUntil(async () => {
    await refresh();
    const pending = await db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM inbox WHERE status = 'received') + (SELECT count(*) FROM availability_outbox) + (SELECT count(*) FROM fulfillment_outbox) AS n`,
    );
    const queued = await hub.hub.queues.outbound('shopify-demo').getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return pending.rows[0]!.n === 0 && Object.values(queued).every((n) => n === 0);
  }, 120_000);
  await refresh();
  bar.stop();

  const erp = hub.hub.erp();
  const accuracy = async () => {
    const expected = await computeAvailableToSell(db, skus.map((sku) => ({ sku, channel: 'web' })), erp);
    return skus.filter((sku) => sim.store.available(sku, shopLocation) === (expected.get(`${sku}\u0000web`) ?? 0)).length;
  };
  const matchingBefore = await accuracy();
  // Stock reconciliation: read the store's levels, compare with the ledger, heal the drift.
  const run = await runReconciliation({ db, config: hub.config, erp, logger }, reconcileTarget(hub.hub.connectors, 'shopify-demo')!, 'stock', { trigger: 'manual' });
  await waitUntil(async () => {
    const pending = await db.query<{ n: number }>('SELECT count(*) AS n FROM availability_outbox');
    const queued = await hub.hub.queues.outbound('shopify-demo').getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return pending.rows[0]!.n === 0 && Object.values(queued).every((n) => n === 0);
  }, 60_000);
  const matching = await accuracy();
  const dead = await db.query<{ code: string; n: number }>(`SELECT error_code AS code, count(*) AS n FROM dead_letter GROUP BY 1 ORDER BY 1`);
  const deliveries = await db.query<{ connector: string; n: number }>(`SELECT connector_id AS connector, count(*) AS n FROM inbox GROUP BY 1 ORDER BY 1`);
  const table = new Table({ style: { head: [], border: [] } });
  table.push(
    ['orders placed in the store', String(options.orders)],
    ['deliveries accepted', deliveries.rows.map((r) => `${r.connector} ${r.n}`).join(', ')],
    ['canonical events applied', String(counts.applied)],
    ['dead letters', dead.rows.length ? dead.rows.map((r) => `${r.code} ${r.n}`).join(', ') : '0'],
    ['stock accuracy before reconciliation', `${((matchingBefore / skus.length) * 100).toFixed(1)}% (${matchingBefore}/${skus.length} SKUs in the store match the ledger)`],
    ['reconciliation', `${run.counts.checked} checked, ${run.counts.drifted} drifted, ${run.counts.healed} healed, ${run.counts.flagged} flagged`],
    ['stock accuracy, channel web', `${((matching / skus.length) * 100).toFixed(1)}% (${matching}/${skus.length} SKUs match the ledger)`],
    ['store API calls / throttled', `${sim.counters.requests} / ${sim.counters.throttled}`],
    ['fulfilments recorded in the store', String(sim.counters.fulfillmentsCreated)],
    ['duration', `${((Date.now() - started) / 1000).toFixed(1)} s${settled ? '' : ' (timed out waiting for the queues to drain)'}`],
  );
  console.log(table.toString());
  const token = hub.config.auth.tokens[0]?.token;
  console.log(`dashboard: ${url}/dashboard  (token ${token})`);
  console.log(`dead letters: ${url}/api/dead-letters  (Authorization: Bearer ${token})`);
  if (options.exit) {
    await stop();
    return;
  }
  console.log('the hub keeps running; press Ctrl-C to stop');
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run a simulated Shopify store and warehouse against the hub on embedded defaults, with live progress and a summary')
    .option('--skus <n>', 'SKUs in the sample catalogue', (v) => Number(v), 300)
    .option('--orders <n>', 'orders placed in the simulated store', (v) => Number(v), 300)
    .option('-p, --port <port>', 'HTTP port of the hub (default: a free one)', (v) => Number(v))
    .option('--exit', 'stop after the summary instead of serving until Ctrl-C')
    .action((o: DemoOptions) => runDemo(o));
}
