import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/core/store/index.js';
import { simConnectorYaml, startShopifySimulator, type ShopifySimulator } from '../sim/shopify/index.js';
import { runHub } from '../helpers/cli.js';
import { TEST_DATABASE_URL } from '../helpers/db.js';
import { CANONICAL_SECRET, REDIS_URL } from '../helpers/hub.js';
import { seedHub, seedShop, type SeededSku } from './seed.js';

/** `hub reconcile`, `hub resync` and `hub variances` as an operator runs them, against the simulator. */
describe('hub reconcile / resync / variances', () => {
  const schema = `t_rec_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let sim: ShopifySimulator;
  let db: Db;
  let env: Record<string, string>;
  let seeded: SeededSku[];

  beforeAll(async () => {
    sim = await startShopifySimulator({ locations: ['Main warehouse', 'Overflow'] });
    const [push, other] = sim.store.locations.map((l) => l.id);
    const dir = mkdtempSync(join(tmpdir(), 'hub-reconcile-'));
    const file = join(dir, 'hub.yaml');
    writeFileSync(
      file,
      `
queues: { prefix: "{test-${randomUUID().slice(0, 8)}}" }
locations: [{ id: wh-east, kind: warehouse }, { id: wh-west, kind: warehouse }]
channels:
  - { id: web, connector: shopify-main, locations: [wh-east, wh-west], safetyStock: 0 }
connectors:
  - id: events
    type: canonical
    credentials: { webhookSecret: ${CANONICAL_SECRET} }
${simConnectorYaml(sim, {
  locations: [
    [push!, 'wh-east'],
    [other!, 'wh-west'],
  ],
  extra: ['reconcile: { stock: { policy: report } }'],
})}
`,
    );
    env = { HUB_CONFIG: file, DATABASE_URL: TEST_DATABASE_URL, HUB_DB_SCHEMA: schema, REDIS_URL, NO_COLOR: '1' };
    db = await openDb({ databaseUrl: TEST_DATABASE_URL, schema });
    seeded = seedShop(sim.store, 'CLI', 200);
    await seedHub(db, seeded, { connectorId: 'shopify-main', channel: 'web', locations: ['wh-east', 'wh-west'] });
    sim.store.driftLevel(seeded[5]!.sku, seeded[5]!.ats + 4, push);
    sim.store.driftLevel(seeded[6]!.sku, 2, other);
  });
  afterAll(async () => {
    await db?.close();
    await sim?.close();
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it('reconciles stock and prints the summary table, or JSON', async () => {
    const table = await runHub(['reconcile', 'shopify-main', '--stock'], env);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/checked.*drifted.*healed.*flagged.*accuracy.*duration/s);
    expect(table.stdout).toMatch(/200 SKUs\s*│\s*2\s*│\s*0\s*│\s*0/);
    expect(table.stdout).toContain('99.00%');
    expect(table.stdout).toContain(seeded[5]!.sku);

    const json = await runHub(['reconcile', 'shopify-main', '--stock', '--json'], env);
    expect(json.code).toBe(0);
    const [result] = JSON.parse(json.stdout) as [{ kind: string; counts: { checked: number; drifted: number }; accuracy: number; run: { id: number } }];
    expect(result).toMatchObject({ kind: 'stock', counts: { checked: 200, drifted: 2 }, accuracy: 0.99 });
  });

  it('a dry run stores nothing; a run already in progress exits 3', async () => {
    const before = (await db.query(`SELECT 1 FROM reconcile_run`)).rowCount;
    const dry = await runHub(['reconcile', 'shopify-main', '--stock', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing was healed, applied or stored');
    expect((await db.query(`SELECT 1 FROM reconcile_run`)).rowCount).toBe(before);

    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO reconcile_run (connector_id, kind, trigger) VALUES ('shopify-main', 'stock', 'schedule') RETURNING id`,
    );
    const busy = await runHub(['reconcile', 'shopify-main', '--stock'], env);
    expect(busy.code).toBe(3);
    expect(busy.stdout).toContain(`run #${rows[0]!.id} is already running`);
    await db.query(`UPDATE reconcile_run SET status = 'failed', finished_at = now() WHERE id = $1`, [rows[0]!.id]);
  });

  it("resync --sku queues a push of the SKU's availableToSell; bad requests exit 1 with the reason", async () => {
    const sku = seeded[5]!.sku;
    const out = await runHub(['resync', 'shopify-main', '--sku', sku], env);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/push queued \(version 2\)/);
    const { rows } = await db.query<{ available: number }>(`SELECT available FROM availability_outbox WHERE sku = $1 AND channel = 'web'`, [sku]);
    expect(rows).toEqual([{ available: seeded[5]!.ats }]);

    const neither = await runHub(['resync', 'shopify-main'], env);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toMatch(/--order <id>\.\.\. or --sku <sku>\.\.\./);
    const wrong = await runHub(['reconcile', 'events'], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/events: not a connector that can reconcile; choose one of: shopify-main|cannot reconcile|can reconcile nothing/);
    const none = await runHub(['variances', 'list'], env);
    expect(none.stdout).toContain('no variances match');
  });
});
