import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorRegistry } from '../../src/connectors/registry.js';
import { startShopifySimulator, type ShopifySimulator } from '../sim/shopify/index.js';
import { parseTestConfig, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { FakeWarehouse, fakeWarehouseConnector, fakeWarehouseInstance } from '../reconcile/fake-warehouse.js';
import { seedHub, seedShop, type SeededSku } from '../reconcile/seed.js';
import { shopConfig } from '../reconcile/helpers.js';
import { auditRows, call, OPS_YAML } from './helpers.js';

const SKUS = 50;

/**
 * Reconciliation through the ops API: a stock run started with POST against the Shopify
 * simulator (drift injected behind the hub's back), its drift rows and the accuracy in /metrics;
 * a warehouse run whose large variances are approved and rejected through the API.
 */
describe('reconciliation through the ops API', () => {
  let sim: ShopifySimulator;
  let hub: TestHub;
  let seeded: SeededSku[];
  const warehouse = new FakeWarehouse();

  beforeAll(async () => {
    sim = await startShopifySimulator({ locations: ['Main warehouse', 'Overflow'] });
    const config = shopConfig(sim, '{ stock: { policy: threshold, threshold: 5 } }');
    config.auth = parseTestConfig(OPS_YAML.slice(OPS_YAML.indexOf('auth:'), OPS_YAML.indexOf('replenishment:'))).auth;
    config.connectors.push(fakeWarehouseInstance({ stock: { policy: 'threshold', threshold: 5 }, orders: { policy: 'report', windowMinutes: 60 } }));
    hub = await startTestHub({ config, registry: [...connectorRegistry, fakeWarehouseConnector(warehouse)] });
    seeded = seedShop(sim.store, 'API', SKUS);
    await seedHub(hub.db, seeded, { connectorId: 'shopify-main', channel: 'web', locations: ['wh-east', 'wh-west'] });
  });
  afterAll(async () => {
    await hub?.stop();
    await sim?.close();
  });

  const completedRun = (connector: string, kind: string, after = 0) =>
    waitFor(async () => {
      const { json } = await call(hub, 'viewer', 'GET', `/api/reconcile/runs?connector=${connector}&kind=${kind}`);
      const run = json.items[0];
      return run && run.id > after && run.status !== 'running' ? run : undefined;
    }, `${kind} run of ${connector}`);

  it('starts a stock run on the workers, shows its drift rows, and /metrics reads its accuracy from the database', async () => {
    const at = (i: number) => seeded[i]!;
    sim.store.driftLevel(at(3).sku, at(3).ats + 2); // within the threshold: healed
    sim.store.driftLevel(at(17).sku, at(17).ats + 40); // above it: flagged
    sim.store.driftLevel(at(6).sku, 0); // 10 below: flagged

    const [first, second] = await Promise.all([
      call(hub, 'operator', 'POST', '/api/reconcile/connectors/shopify-main/runs', { kind: 'stock' }),
      call(hub, 'operator', 'POST', '/api/reconcile/connectors/shopify-main/runs', { kind: 'stock' }),
    ]);
    expect(first).toMatchObject({ status: 202, json: { connectorId: 'shopify-main', kind: 'stock', dryRun: false, jobId: expect.any(String) } });
    // The second start is folded into the first.
    expect(second.json.jobId).toBe(first.json.jobId);
    expect([first.json.deduplicated, second.json.deduplicated].sort((p, q) => Number(p) - Number(q))).toEqual([false, true]);

    const run = await completedRun('shopify-main', 'stock');
    expect(run).toMatchObject({ status: 'completed', trigger: 'manual', counts: { checked: SKUS, drifted: 3, healed: 1, flagged: 2 } });
    expect(run.accuracy).toBeCloseTo((SKUS - 3) / SKUS, 10);
    expect((await call(hub, 'viewer', 'GET', `/api/reconcile/runs/${run.id}`)).json).toEqual(run);

    const drift = (await call(hub, 'viewer', 'GET', `/api/reconcile/runs/${run.id}/drift`)).json;
    expect(drift.nextAfter).toBeNull();
    expect(
      Object.fromEntries(
        drift.items.map((d: { sku: string; channelValue: number; expected: number; action: string }) => [d.sku, [d.channelValue, d.expected, d.action]]),
      ),
    ).toEqual({
      [at(3).sku]: [at(3).ats + 2, at(3).ats, 'healed'],
      [at(17).sku]: [at(17).ats + 40, at(17).ats, 'flagged'],
      [at(6).sku]: [0, at(6).ats, 'flagged'],
    });
    const firstPage = (await call(hub, 'viewer', 'GET', `/api/reconcile/runs/${run.id}/drift?limit=2`)).json;
    expect(firstPage.items).toHaveLength(2);
    expect((await call(hub, 'viewer', 'GET', `/api/reconcile/runs/${run.id}/drift?after=${firstPage.nextAfter}`)).json.items).toEqual([drift.items[2]]);
    expect((await call(hub, 'viewer', 'GET', `/api/reconcile/runs/${run.id}/order-issues`)).json).toEqual({ items: [] });

    // As if the run had happened in a separate worker process: the API process reads it from the database.
    hub.metrics.stockAccuracy.reset();
    hub.metrics.reconcileDrift.reset();
    const text = await (await fetch(`${hub.url}/metrics`)).text();
    expect(text).toContain(`hub_stock_accuracy_ratio{channel="web"} ${(SKUS - 3) / SKUS}`);
    expect(text).toContain('hub_reconcile_drift_rows{connector="shopify-main",channel="web"} 3');

    const [audited] = await auditRows(hub, { action: 'reconcile.run' });
    expect(audited).toMatchObject({ actor: 'api:operator-1', target: 'connector:shopify-main', outcome: 'ok', details: { kind: 'stock' } });

    // A dry run answers at once and stores nothing.
    const dry = await call(hub, 'operator', 'POST', '/api/reconcile/connectors/shopify-main/runs', { kind: 'stock', dryRun: true });
    expect(dry).toMatchObject({ status: 202, json: { dryRun: true, counts: { checked: SKUS } } });
    expect(dry.json.sample.drift.map((d: { sku: string }) => d.sku)).toEqual(expect.arrayContaining([at(17).sku, at(6).sku]));
    expect((await call(hub, 'viewer', 'GET', '/api/reconcile/runs?connector=shopify-main')).json.items).toHaveLength(1);
  });

  it('refuses what a connector cannot reconcile, unknown connectors and runs', async () => {
    expect(await call(hub, 'operator', 'POST', '/api/reconcile/connectors/shopify-main/runs', { kind: 'warehouse' })).toMatchObject({
      status: 400,
      json: { error: { message: expect.stringContaining('can reconcile stock, orders, not warehouse') } },
    });
    expect(await call(hub, 'operator', 'POST', '/api/reconcile/connectors/tpl-main/runs', { kind: 'orders' })).toMatchObject({ status: 400 });
    expect((await call(hub, 'operator', 'POST', '/api/reconcile/connectors/nope/runs', { kind: 'stock' })).status).toBe(404);
    expect((await call(hub, 'operator', 'POST', '/api/reconcile/connectors/shopify-main/runs', { kind: 'prices' })).status).toBe(400);
    expect((await call(hub, 'viewer', 'GET', '/api/reconcile/runs/987654/drift')).status).toBe(404);
    expect((await call(hub, 'viewer', 'GET', '/api/reconcile/runs?status=bogus')).status).toBe(400);
  });

  it('approves and rejects warehouse variances, once each, audited', async () => {
    // The 3PL counts two seeded SKUs far from the ledger's wh-east onHand.
    const [skuA, skuB] = [seeded[20]!, seeded[21]!];
    warehouse.counts = [
      { sku: skuA.sku, location: 'EAST-1', onHand: skuA.onHand[0] + 30 },
      { sku: skuB.sku, location: 'EAST-1', onHand: skuB.onHand[0] + 20 },
    ];
    expect((await call(hub, 'operator', 'POST', '/api/reconcile/connectors/tpl-main/runs', { kind: 'warehouse' })).status).toBe(202);
    const run = await completedRun('tpl-main', 'warehouse');
    expect(run).toMatchObject({ status: 'completed', counts: { drifted: 2, flagged: 2 } });

    const waiting = (await call(hub, 'viewer', 'GET', '/api/variances')).json.items as { id: number; sku: string }[];
    const a = waiting.find((v) => v.sku === skuA.sku)!;
    const b = waiting.find((v) => v.sku === skuB.sku)!;
    expect(waiting).toHaveLength(2);

    expect((await call(hub, 'viewer', 'POST', `/api/variances/${a.id}/approve`, {})).status).toBe(403);
    expect((await call(hub, 'operator', 'POST', `/api/variances/${a.id}/approve`, { note: 'recounted' })).json).toMatchObject({
      action: 'approved',
      decidedBy: 'api:operator-1',
      decisionNote: 'recounted',
    });
    expect((await call(hub, 'operator', 'POST', `/api/variances/${a.id}/approve`, {})).status).toBe(409);
    const { rows } = await hub.db.query<{ quantity: number }>(
      `SELECT quantity FROM inventory_balance WHERE sku = $1 AND location = 'wh-east' AND state = 'onHand'`,
      [skuA.sku],
    );
    expect(rows[0]?.quantity).toBe(skuA.onHand[0] + 30);

    expect(await call(hub, 'operator', 'POST', `/api/variances/${b.id}/reject`, {})).toMatchObject({
      status: 400,
      json: { error: { code: 'invalid_request' } },
    });
    expect((await call(hub, 'operator', 'POST', `/api/variances/${b.id}/reject`, { reason: 'miscount at the 3PL' })).json).toMatchObject({
      action: 'rejected',
      decisionNote: 'miscount at the 3PL',
    });
    expect((await call(hub, 'operator', 'POST', '/api/variances/987654/reject', { reason: 'x' })).status).toBe(404);

    expect((await call(hub, 'viewer', 'GET', '/api/variances')).json.items).toEqual([]);
    expect((await call(hub, 'viewer', 'GET', '/api/variances?status=rejected')).json.items.map((v: { sku: string }) => v.sku)).toEqual([skuB.sku]);
    const audit = await auditRows(hub, { target: `variance:${a.id}` });
    expect(audit.map((r) => r.outcome)).toEqual(['refused', 'ok', 'refused']);
  });
});
