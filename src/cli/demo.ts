import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { startHub, type RunningHub } from '../api/server.js';
import { signCanonical } from '../connectors/canonical/index.js';
import { LOG_REDACT_PATHS } from '../core/config/redact.js';
import { computeAvailableToSell } from '../core/erp/index.js';
import { DEFAULT_REDIS_URL, redisAnswers } from '../queues/redis.js';
import { reconcileTarget, runReconciliation } from '../reconcile/index.js';
import { DEMO_WAREHOUSE_ID, demoConfigYaml } from './demo-config.js';
import { DEMO_INTRO, DEMO_RACE, demoSummary } from './demo-report.js';
import { loadDemoSimulators } from './demo-sim.js';

const PREFIX = '{hub-demo}';
const SIZES = ['S', 'M', 'L'];
/** Ceiling of one wait on the hub; the demo goes on as soon as the work is done, however busy the machine. */
const CEILING_MS = 10 * 60_000;

interface DemoOptions {
  skus: number;
  orders: number;
  port?: number;
  exit?: boolean;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const int = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

function canonical(type: string, data: Record<string, unknown>): Record<string, unknown> {
  const id = randomUUID();
  return {
    id,
    type,
    idempotencyKey: `demo:${id}`,
    source: { connector: 'warehouse', connectorType: 'canonical', externalId: id, version: null },
    occurredAt: new Date().toISOString(),
    data,
  };
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

/** Polls `probe` until it holds or the ceiling passes (then false): a readiness signal, not a time budget. */
async function waitUntil(probe: () => Promise<boolean>, ceilingMs = CEILING_MS): Promise<boolean> {
  const deadline = Date.now() + ceilingMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/**
 * `hub demo`: Shopify and eBay simulators sell, a ShipStation 3PL and the merchant's own
 * warehouse ship, EasyPost tracks and QuickBooks books, all against the hub on its embedded
 * defaults; a progress bar counts the orders, a few failures land in the dead-letter queue
 * (the ship-vs-cancel race among them) and a summary shows every system's state.
 */
async function runDemo(options: DemoOptions): Promise<void> {
  const sims = await loadDemoSimulators();
  if (!sims) {
    console.error('hub demo needs a source checkout (its simulators live in test/sim).');
    process.exitCode = 1;
    return;
  }
  const started = Date.now();
  const dataDir = resolve('data', 'demo');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, 'hub.log');
  const logger = pino({ level: 'info', redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } }, pino.destination({ dest: logFile, sync: false }));
  const [shop, ebay, ss, ep, qbo] = await Promise.all([
    sims.shopify.startShopifySimulator({ locations: ['Online store'] }),
    sims.startEbaySimulator(),
    sims.startShipStationSimulator({ warehouseId: DEMO_WAREHOUSE_ID, limitPerMinute: 600 }),
    sims.startEasyPostSimulator(),
    sims.startQboSimulator(),
  ]);
  const shopLocation = shop.store.locations[0]!.id;
  const secret = randomBytes(24).toString('hex');
  const skus: string[] = [];
  for (let p = 0; skus.length < options.skus; p++) skus.push(...SIZES.map((size) => `DEMO-${String(p).padStart(3, '0')}-${size}`));
  const configFile = join(dataDir, 'hub.yaml');
  writeFileSync(configFile, demoConfigYaml({ dataDir, prefix: PREFIX, secret, skus, sims, shop, ebay, ss, ep, qbo }));
  const redisUrl = process.env['REDIS_URL'] ?? DEFAULT_REDIS_URL;
  await clearQueues(redisUrl);
  let hub: RunningHub | undefined;
  const stop = async () => {
    await hub?.stop();
    await Promise.all([shop.close(), ebay.close(), ss.close(), ep.close(), qbo.close()]);
    logger.flush();
  };
  process.once('SIGINT', () => {
    console.log('\nstopping the demo');
    void stop().then(() => process.exit(0));
  });
  hub = await startHub({ configFile, env: { ...process.env, DATABASE_URL: undefined, HUB_DB_SCHEMA: undefined }, logger, port: options.port ?? 0 });
  const running = hub;
  const url = running.url!;
  const db = running.db;
  console.log(DEMO_INTRO);
  console.log(`hub on ${url} (embedded database under ${dataDir}, logs in ${logFile})`);
  shop.webhooks.subscribe(`${url}/webhooks/shopify-demo`);
  ss.subscribe(`${url}/webhooks/ss-demo?token=demo-ss-token-${secret}`);
  ep.addWebhook(`${url}/webhooks/easypost-demo`, `demo-ep-${secret}`);
  const send = async (events: Record<string, unknown>[]) => {
    const raw = JSON.stringify(events);
    const res = await fetch(`${url}/webhooks/warehouse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-delivery-id': randomUUID(), 'x-hub-signature-256': signCanonical(raw, secret) },
      body: raw,
    });
    await res.arrayBuffer();
  };
  const statusOf = async (channel: string, id: string) =>
    (await db.query<{ status: string }>('SELECT status FROM sales_order WHERE channel = $1 AND external_order_id = $2', [channel, id])).rows[0]?.status;
  const settled = () =>
    waitUntil(async () => {
      const pending = await db.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM inbox WHERE status = 'received') + (SELECT count(*) FROM availability_outbox) + (SELECT count(*) FROM fulfillment_outbox) + (SELECT count(*) FROM flow_outbox) AS n`,
      );
      if (Number(pending.rows[0]!.n) > 0) return false;
      for (const queue of [
        running.hub.queues.inbound,
        ...[...running.hub.connectors.values()].filter((c) => c.pushes).map((c) => running.hub.queues.outbound(c.id)),
      ]) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (Object.values(counts).some((n) => n > 0)) return false;
      }
      return true;
    });

  // Catalogue: products learned from the store's webhooks; the same SKUs listed on eBay; stock in both warehouses.
  for (let p = 0; p * 3 < skus.length; p++)
    shop.store.addProduct({ title: `Demo product ${p}`, variants: skus.slice(p * 3, p * 3 + 3).map((sku) => ({ sku, available: 0 })) });
  for (const sku of skus) ebay.store.addListing({ sku, quantity: 0, price: '19.99' });
  await shop.webhooks.idle();
  await waitUntil(async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM product')).rows[0]!.n) >= skus.length);
  for (let i = 0; i < skus.length; i += 100) {
    await send(
      skus
        .slice(i, i + 100)
        .flatMap((sku) => [
          canonical('inventory.level.reported', { sku, location: 'wh-east', quantity: int(5, 20), reporter: 'warehouse' }),
          canonical('inventory.level.reported', { sku, location: 'wh-west', quantity: int(0, 10), reporter: 'warehouse' }),
        ]),
    );
  }
  await settled();

  const bar = new SingleBar({
    format: ' orders {bar} {value}/{total} | applied {applied} | dead letters {dead}',
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 2000,
  });
  const counts = { applied: 0, dead: 0, ebay: 0 };
  const refresh = async (value: number) => {
    const { rows } = await db.query<{ applied: string; dead: string }>(
      `SELECT (SELECT count(*) FROM erp_applied_event) AS applied, (SELECT count(*) FROM dead_letter) AS dead`,
    );
    counts.applied = Number(rows[0]!.applied);
    counts.dead = Number(rows[0]!.dead);
    bar.update(value, { applied: counts.applied, dead: counts.dead });
  };
  /** The 3PL ships orders it holds that the hub still has as allocated. */
  const threePlShips = async (max: number) => {
    let shipped = 0;
    for (const o of [...ss.orders.values()].filter((x) => x.orderStatus === 'awaiting_shipment')) {
      if (shipped >= max) break;
      const [channel, ...rest] = o.orderKey.split('/');
      if ((await statusOf(channel!, rest.join('/'))) !== 'allocated') continue;
      await ss.shipOrder(o.orderKey);
      shipped += 1;
    }
  };
  /** The own warehouse ships orders allocated wholly at wh-west (as canonical events). */
  const ownWarehouseShips = async (max: number) => {
    const { rows } = await db.query<{ channel: string; id: string }>(
      `SELECT o.channel, o.external_order_id AS id FROM sales_order o JOIN order_allocation a ON a.order_id = o.id AND a.quantity > 0
       WHERE o.status = 'allocated' GROUP BY o.id HAVING bool_and(a.location = 'wh-west') ORDER BY random() LIMIT $1`,
      [Math.min(max, 1000)],
    );
    for (const o of rows) {
      const lines = await db.query<{ external_line_id: string; sku: string; quantity: number }>(
        `SELECT l.external_line_id, l.sku, l.quantity FROM order_line l JOIN sales_order o ON o.id = l.order_id WHERE o.channel = $1 AND o.external_order_id = $2 AND l.sku IS NOT NULL`,
        [o.channel, o.id],
      );
      const tracking = { number: `1Z${randomBytes(6).toString('hex').toUpperCase()}`, company: 'UPS' };
      await send([
        canonical('shipment.confirmed', {
          externalShipmentId: `WEST-${o.id}`,
          channel: o.channel,
          externalOrderId: o.id,
          location: 'wh-west',
          shippedAt: new Date().toISOString(),
          lines: lines.rows.map((l) => ({ externalLineId: l.external_line_id, sku: l.sku, quantity: l.quantity })),
          tracking,
        }),
      ]);
    }
  };
  bar.start(options.orders, 0, { applied: 0, dead: 0 });
  const placed: string[] = [];
  for (let i = 1; i <= options.orders; i++) {
    placed.push(shop.store.placeOrder({ lines: Array.from({ length: int(1, 3) }, () => ({ sku: pick(skus), quantity: int(1, 2) })) }).id);
    if (i % 3 === 0) {
      ebay.store.placeOrder({ lines: [{ sku: pick(skus), quantity: 1 }] });
      counts.ebay += 1;
    }
    if (i % 10 === 0) {
      // Customers cancel orders that have not shipped yet.
      const open = placed.filter((id) => shop.store.order(id)?.fulfillments.length === 0 && !shop.store.order(id)?.cancelledAt);
      if (open.length > 0) shop.store.cancelOrder(pick(open));
    }
    if (i === Math.floor(options.orders / 2)) await shipCancelledOrder();
    if (i % 5 === 0) await threePlShips(3);
    if (i % 7 === 0) await ownWarehouseShips(1);
    if (i % 15 === 0)
      await send([
        canonical('return.received', {
          externalReturnId: `RET-${i}`,
          channel: 'web',
          location: 'wh-west',
          receivedAt: new Date().toISOString(),
          lines: [{ sku: pick(skus), quantity: 1, disposition: pick(['restock', 'quarantine', 'scrap']) }],
        }),
      ]);
    if (i % 20 === 0)
      await send([
        canonical('inventory.adjusted', { sku: pick(skus), location: pick(['wh-east', 'wh-west']), delta: int(5, 15), reason: 'purchase order received' }),
      ]);
    if (i === Math.floor(options.orders / 3)) {
      // Failures: an order for a product the hub never learned, a malformed receipt, and a burst of 503s.
      shop.webhooks.unsubscribeAll();
      shop.store.addProduct({ title: 'Unlisted product', variants: [{ sku: 'NOT-IN-HUB', available: 5 }] });
      shop.webhooks.subscribe(`${url}/webhooks/shopify-demo`);
      shop.store.placeOrder({ lines: [{ sku: 'NOT-IN-HUB', quantity: 1 }] });
      await send([canonical('inventory.adjusted', { sku: pick(skus), location: 'wh-east', delta: 2.5, reason: 'typo' })]);
      shop.faults.next(3, { type: 'status', status: 503 });
    }
    if (i % 5 === 0) await refresh(i);
    if (i % 10 === 0) await shop.webhooks.idle();
  }
  await shop.webhooks.idle();
  // Every eBay order polled, then the 3PL ships what is left and the carrier delivers every parcel.
  await waitUntil(
    async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM sales_order WHERE channel = 'ebay'`)).rows[0]!.n) >= counts.ebay,
  );
  await settled();
  for (let round = 0; round < 3; round++) {
    await threePlShips(Number.MAX_SAFE_INTEGER);
    await ownWarehouseShips(Number.MAX_SAFE_INTEGER);
    await settled();
  }
  for (const t of ep.trackers.filter((x) => x.status !== 'delivered')) await ep.advance(t.tracking_code, 'delivered');
  let done = await settled();
  await refresh(options.orders);
  bar.stop();

  const erp = running.hub.erp();
  const accuracy = async () => {
    const expected = await computeAvailableToSell(
      db,
      skus.map((sku) => ({ sku, channel: 'web' })),
      erp,
    );
    return skus.filter((sku) => shop.store.available(sku, shopLocation) === (expected.get(`${sku}\u0000web`) ?? 0)).length;
  };
  const matchingBefore = await accuracy();
  // Stock reconciliation: read the store's levels, compare with the ledger, heal the drift.
  const run = await runReconciliation({ db, config: running.config, erp, logger }, reconcileTarget(running.hub.connectors, 'shopify-demo')!, 'stock', {
    trigger: 'manual',
  });
  done = (await settled()) && done;
  const matching = await accuracy();
  const reconcile = `${run.counts.checked} checked, ${run.counts.drifted} drifted, ${run.counts.healed} healed, ${run.counts.flagged} flagged`;
  console.log(
    await demoSummary(
      db,
      {
        orders: options.orders,
        ebayOrders: counts.ebay,
        applied: counts.applied,
        matchingBefore,
        matching,
        skus: skus.length,
        reconcile,
        seconds: (Date.now() - started) / 1000,
        settled: done,
      },
      { shop, ebay, ss, ep, qbo },
    ),
  );
  console.log(DEMO_RACE);
  const token = running.config.auth.tokens[0]?.token;
  console.log(`dashboard: ${url}/dashboard  (token ${token})`);
  console.log(`dead letters: ${url}/api/dead-letters  (Authorization: Bearer ${token})`);
  console.log(`an order and its hops: hub order <id> --config ${configFile}, or ${url}/api/orders/<id>`);
  if (options.exit) {
    await stop();
    return;
  }
  console.log('the hub keeps running; press Ctrl-C to stop');

  /** The race: the store cancels an order the 3PL already holds, and the 3PL ships it anyway. */
  async function shipCancelledOrder(): Promise<void> {
    let key: string | undefined;
    await waitUntil(async () => {
      for (const o of ss.orders.values()) {
        const id = o.orderKey.slice('web/'.length);
        if (o.orderStatus === 'awaiting_shipment' && o.orderKey.startsWith('web/') && (await statusOf('web', id)) === 'allocated') key = o.orderKey;
      }
      return key !== undefined;
    });
    if (!key) return;
    const id = key.slice('web/'.length);
    shop.store.cancelOrder(id);
    await shop.webhooks.idle();
    await waitUntil(async () => (await statusOf('web', id)) === 'cancelled');
    await ss.shipOrder(key);
  }
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run simulated Shopify, eBay, ShipStation, EasyPost and QuickBooks systems against the hub on embedded defaults: the order-to-cash flow with live progress and a summary',
    )
    .option('--skus <n>', 'SKUs in the sample catalogue', (v) => Number(v), 300)
    .option('--orders <n>', 'orders placed in the simulated store (and one on eBay for every three)', (v) => Number(v), 300)
    .option('-p, --port <port>', 'HTTP port of the hub (default: a free one)', (v) => Number(v))
    .option('--exit', 'stop after the summary instead of serving until Ctrl-C')
    .action((o: DemoOptions) => runDemo(o));
}
