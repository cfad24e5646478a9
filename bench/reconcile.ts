/**
 * Reconciliation benchmark: stock reconciliation of N SKUs × 2 locations against the Shopify
 * simulator with 1% of the levels drifted (half at the pushed location, half stray stock at the
 * other one), first with 10,000 SKUs, then with N (default 100,000), so that linear growth shows.
 * A child process runs the simulator and seeds both sides directly (the shop's store and the hub's
 * tables, no webhooks or events), so the RSS measured here is the reconciler's alone. Policy
 * `threshold` (5 units): small drift is healed through the outbox, the rest flagged.
 * Prints a table on stderr and JSON on stdout.
 *
 *   npm run bench:reconcile                  # PostgreSQL from DATABASE_URL or the local test server
 *   npm run bench:reconcile -- --skus=20000  # another size
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import pg from 'pg';
import { parseConfig } from '../src/core/config/load.js';
import { createErpContext } from '../src/core/erp/index.js';
import { createLogger } from '../src/core/logger.js';
import { openDb } from '../src/core/store/index.js';
import { connectorRegistry } from '../src/connectors/registry.js';
import { reconcileTarget, runReconciliation, type RunResult } from '../src/reconcile/index.js';
import { bindConnectors } from '../src/queues/bind.js';
import { simConnectorYaml, startShopifySimulator } from '../test/sim/shopify/index.js';
import { seedHub, seedShop, type SeededSku } from '../test/reconcile/seed.js';

interface Shop {
  url: string;
  shopDomain: string;
  accessToken: string;
  webhookSecret: string;
  locations: [string, string];
  /** `keys`: `sku|hub location` of every drifted level, so findings can be compared as sets. */
  drifted: { skus: number; levels: number; keys: string[] };
}

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];

/** Drift at 1% of the levels: every 50th SKU at the pushed location, every 50th (offset 25) elsewhere. */
function injectDrift(store: Parameters<typeof seedShop>[0], rows: SeededSku[], locations: [string, string]): Shop['drifted'] {
  const keys: string[] = [];
  rows.forEach((r, i) => {
    if (i % 50 === 0) {
      store.driftLevel(r.sku, r.ats + 1 + (i % 13), locations[0]);
      keys.push(`${r.sku}|wh-east`);
    } else if (i % 50 === 25) {
      store.driftLevel(r.sku, 3, locations[1]);
      keys.push(`${r.sku}|wh-west`);
    }
  });
  return { skus: keys.length, levels: keys.length, keys };
}

const DATABASE_URL = process.env['DATABASE_URL'] ?? process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Child: one simulated shop with `count` SKUs, and the hub's side of them in `schema`. */
async function simulatorProcess(): Promise<void> {
  const sim = await startShopifySimulator({ locations: ['Main warehouse', 'Overflow'], bucket: { maximumAvailable: 2000, restoreRate: 100 } });
  const locations = sim.store.locations.map((l) => l.id) as [string, string];
  process.on('message', (m: { count: number; schema: string }) => {
    void (async () => {
      const rows = seedShop(sim.store, 'BENCH', m.count);
      const drifted = injectDrift(sim.store, rows, locations);
      const db = await openDb({ databaseUrl: DATABASE_URL, schema: m.schema });
      await seedHub(db, rows, { connectorId: 'shopify-bench', channel: 'web', locations: ['wh-east', 'wh-west'] });
      // Tables filled in one go, as the autovacuum daemon would find them after a while.
      await db.exec('ANALYZE');
      await db.close();
      process.send!({
        url: sim.url,
        shopDomain: sim.shopDomain,
        accessToken: sim.accessToken,
        webhookSecret: sim.webhookSecret,
        locations,
        drifted,
      } satisfies Shop);
    })();
  });
  process.on('disconnect', () => void sim.close().finally(() => process.exit(0)));
}

function startShop(count: number, schema: string): Promise<{ child: ChildProcess; shop: Shop }> {
  const child = fork(fileURLToPath(import.meta.url), ['--sim'], { execArgv: process.execArgv });
  return new Promise((resolve, reject) => {
    child.once('message', (shop) => resolve({ child, shop: shop as Shop }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`simulator process exited with ${code}`)));
    child.send({ count, schema });
  });
}

async function dropSchema(schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
}

interface Measured {
  skus: number;
  levels: number;
  driftInjected: number;
  driftFound: number;
  /** Found but not injected, and injected but not found: set differences, so one cannot hide the other. */
  falsePositives: number;
  misses: number;
  durationMs: number;
  skusPerSec: number;
  peakRssMb: number;
  rssBeforeMb: number;
  seedMs: number;
  checkpoints: { skus: number; elapsedMs: number }[];
}

async function measure(count: number): Promise<Measured> {
  const seedStart = performance.now();
  const schema = `bench_rec_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  // Migrated here first: the child then only inserts.
  const db = await openDb({ databaseUrl: DATABASE_URL, schema });
  const { child, shop } = await startShop(count, schema);
  try {
    const seedMs = performance.now() - seedStart;
    const parsed = parseConfig(
      `
locations: [{ id: wh-east, kind: warehouse }, { id: wh-west, kind: warehouse }]
channels: [{ id: web, connector: shopify-bench, locations: [wh-east, wh-west], safetyStock: 0 }]
connectors:
${simConnectorYaml(shop, {
  id: 'shopify-bench',
  locations: [
    [shop.locations[0], 'wh-east'],
    [shop.locations[1], 'wh-west'],
  ],
  settings: ['requestTimeoutMs: 60000'],
  extra: ['reconcile: { stock: { policy: threshold, threshold: 5 } }'],
})}
`,
      {},
    );
    if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
    const logger = createLogger({ level: 'warn', pretty: false });
    const target = reconcileTarget(bindConnectors(parsed.config, connectorRegistry, { logger }), 'shopify-bench')!;
    const deps = { db, config: parsed.config, erp: createErpContext(parsed.config), logger };
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const checkpoints: Measured['checkpoints'] = [];
    const started = performance.now();
    let result: RunResult;
    try {
      result = await runReconciliation(deps, target, 'stock', {
        trigger: 'cli',
        sampleSize: 0,
        onProgress: (p) => {
          const next = (checkpoints.length + 1) * 10_000;
          if (p.counts.checked >= next) checkpoints.push({ skus: p.counts.checked, elapsedMs: Math.round(performance.now() - started) });
        },
      });
    } finally {
      clearInterval(sampler);
    }
    const durationMs = performance.now() - started;
    const { rows } = await db.query<{ sku: string; location: string }>(`SELECT sku, location FROM reconcile_drift WHERE run_id = $1`, [result.run!.id]);
    const found = new Set(rows.map((r) => `${r.sku}|${r.location}`));
    const injected = new Set(shop.drifted.keys);
    return {
      skus: result.counts.checked,
      levels: result.counts.compared,
      driftInjected: injected.size,
      driftFound: found.size,
      falsePositives: [...found].filter((k) => !injected.has(k)).length,
      misses: [...injected].filter((k) => !found.has(k)).length,
      durationMs: Math.round(durationMs),
      skusPerSec: Math.round((result.counts.checked / durationMs) * 1000),
      peakRssMb: Math.round(peak / 1024 / 1024),
      rssBeforeMb: Math.round(baseline / 1024 / 1024),
      seedMs: Math.round(seedMs),
      checkpoints,
    };
  } finally {
    child.removeAllListeners('exit');
    child.disconnect();
    await db.close();
    await dropSchema(schema);
  }
}

async function main(): Promise<void> {
  const total = Number(arg('skus') ?? 100_000);
  const sizes = total > 10_000 ? [10_000, total] : [total];
  const results: Measured[] = [];
  for (const size of sizes) {
    process.stderr.write(`reconciling ${size.toLocaleString('en')} SKUs × 2 locations...\n`);
    results.push(await measure(size));
  }
  const small = results[0]!;
  const large = results.at(-1)!;
  const table = new Table({
    head: ['SKUs', 'levels', 'drift injected / found', 'false pos. / misses', 'duration', 'SKUs/s', 'RSS before / peak'],
    style: { head: [], border: [] },
  });
  for (const r of results)
    table.push([
      r.skus,
      r.levels,
      `${r.driftInjected} / ${r.driftFound}`,
      `${r.falsePositives} / ${r.misses}`,
      `${(r.durationMs / 1000).toFixed(1)} s`,
      r.skusPerSec,
      `${r.rssBeforeMb} / ${r.peakRssMb} MB`,
    ]);
  process.stderr.write(`${table.toString()}\n`);
  if (large.checkpoints.length > 1)
    process.stderr.write(
      `checkpoints (${large.skus} run): ${large.checkpoints.map((c) => `${c.skus / 1000}k ${(c.elapsedMs / 1000).toFixed(1)} s`).join(', ')}\n`,
    );
  console.log(
    JSON.stringify(
      {
        db: 'postgres',
        skus: large.skus,
        locations: 2,
        skusPerSec: large.skusPerSec,
        durationMs: large.durationMs,
        peakRssMb: large.peakRssMb,
        tenThousand: { durationMs: small.durationMs, skusPerSec: small.skusPerSec, peakRssMb: small.peakRssMb },
        growth: sizes.length > 1 ? Number((large.durationMs / small.durationMs).toFixed(2)) : 1,
        runs: results,
      },
      null,
      2,
    ),
  );
}

if (process.argv.includes('--sim')) await simulatorProcess();
else await main();
