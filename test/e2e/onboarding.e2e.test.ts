import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { simConnectorYaml, startShopifySimulator, type ShopifySimulator } from '../sim/shopify/index.js';
import { event, parseTestConfig, startTestHub, waitFor, type TestHub, webShopYaml } from '../helpers/hub.js';
import { call, OPS_YAML } from '../api/helpers.js';

const SKUS = ['ONB-TEE-S', 'ONB-TEE-M', 'ONB-MUG'];

/**
 * Day one with a store: an empty hub learns the shop's catalogue through `connectors setup` (bulk
 * export, normal intake), reviews its levels as drift, subscribes its webhooks through
 * webhookSubscriptionCreate, and then pushes stock without a dead letter.
 */
describe('onboarding a Shopify store (connectors check and setup)', () => {
  let sim: ShopifySimulator;
  let hub: TestHub;

  beforeAll(async () => {
    sim = await startShopifySimulator({ locations: ['Main warehouse'] });
    const location = sim.store.locations[0]!.id;
    sim.store.addProduct({
      title: 'Tee',
      variants: [
        { sku: SKUS[0]!, title: 'S', available: 4 },
        { sku: SKUS[1]!, title: 'M', available: 0 },
      ],
    });
    sim.store.addProduct({ title: 'Mug', variants: [{ sku: SKUS[2]!, available: 7 }] });
    const config = parseTestConfig(`${webShopYaml()}
${simConnectorYaml(sim, { locations: [[location, 'wh-east']], extra: ['retry: { attempts: 3, backoffMs: 100, maxBackoffMs: 500 }', 'reconcile: { stock: { policy: heal } }'] })}
${OPS_YAML.slice(OPS_YAML.indexOf('auth:'), OPS_YAML.indexOf('replenishment:'))}`);
    hub = await startTestHub({ config });
    hub.config.server.publicUrl = hub.url;
  });
  afterAll(async () => {
    await hub?.stop();
    await sim?.close();
  });

  it('checks the token and the scopes, naming a missing one', async () => {
    expect((await call(hub, 'operator', 'POST', '/api/connectors/shopify-main/check')).json).toMatchObject({ connectorId: 'shopify-main', ok: true });
    const granted = sim.app.scopes.splice(0);
    sim.app.scopes.push(...granted.filter((s) => s !== 'write_inventory'));
    try {
      const failed = (await call(hub, 'operator', 'POST', '/api/connectors/shopify-main/check')).json;
      expect(failed).toMatchObject({ ok: false, message: expect.stringContaining('lacks access scope write_inventory') });
    } finally {
      sim.app.scopes.splice(0, sim.app.scopes.length, ...granted);
    }
    expect((await call(hub, 'viewer', 'POST', '/api/connectors/shopify-main/setup')).status).toBe(403);
  });

  it('learns the catalogue, reviews levels as drift, subscribes webhooks, and is safe to run again', async () => {
    const first = await call(hub, 'admin', 'POST', '/api/connectors/shopify-main/setup');
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      check: { ok: true },
      catalogue: { deliveries: 2, recorded: 2, unchanged: 0, applied: true },
      levels: { checked: 3, unmapped: 0, drifted: 2 },
      outboundPaused: true,
    });
    expect(first.json.webhooks.url).toBe(`${hub.url}/webhooks/shopify-main`);
    expect(first.json.webhooks.registrations.map((r: { status: string }) => r.status)).toEqual(Array(8).fill('created'));
    expect(sim.app.subscriptions.map((s) => s.topic).sort((a, b) => a.localeCompare(b))).toEqual([
      'FULFILLMENTS_CREATE',
      'INVENTORY_LEVELS_UPDATE',
      'ORDERS_CANCELLED',
      'ORDERS_CREATE',
      'ORDERS_UPDATED',
      'PRODUCTS_CREATE',
      'PRODUCTS_UPDATE',
      'REFUNDS_CREATE',
    ]);

    const { rows } = await hub.db.query<{ sku: string; ids: Record<string, string> }>(
      `SELECT sku, details->'externalIds'->'shopify-main' AS ids FROM product ORDER BY sku`,
    );
    expect(rows.map((r) => r.sku)).toEqual([...SKUS].sort());
    for (const r of rows)
      expect(r.ids).toEqual({
        productId: expect.any(String),
        variantId: sim.store.variantBySku(r.sku)!.id,
        inventoryItemId: sim.store.variantBySku(r.sku)!.inventoryItemId,
      });
    // Report only: the shop's levels are drift to review, nothing was pushed over them.
    expect(sim.store.available(SKUS[0]!)).toBe(4);
    const drift = (await call(hub, 'viewer', 'GET', `/api/reconcile/runs/${first.json.levels.runId}/drift`)).json.items;
    const bySku = (p: (string | undefined)[], q: (string | undefined)[]) => (p[0] ?? '').localeCompare(q[0] ?? '');
    expect(drift.map((d: { sku: string; action: string }) => [d.sku, d.action]).sort(bySku)).toEqual(
      [
        [SKUS[2], 'reported'],
        [SKUS[0], 'reported'],
      ].sort(bySku),
    );

    const again = await call(hub, 'admin', 'POST', '/api/connectors/shopify-main/setup');
    expect(again.json.catalogue).toEqual({ deliveries: 2, recorded: 0, unchanged: 2, applied: true });
    expect(again.json.webhooks.registrations.map((r: { status: string }) => r.status)).toEqual(Array(8).fill('exists'));
    expect(sim.app.subscriptions).toHaveLength(8);
  });

  it("then, with the ledger brought in line and the connector resumed, pushes stock without dead letters; the store's webhooks reach the hub", async () => {
    const counts = { [SKUS[0]!]: 4, [SKUS[1]!]: 9, [SKUS[2]!]: 7 };
    for (const [sku, delta] of Object.entries(counts)) {
      expect((await hub.postEvents(event('inventory.adjusted', { sku, location: 'wh-east', delta, reason: 'opening count' }))).status).toBe(200);
    }
    await waitFor(
      async () => (await hub.db.query(`SELECT 1 FROM inbox WHERE connector_id = 'events' AND status = 'processed'`)).rows.length === 3,
      'counts applied',
    );
    expect(SKUS.map((s) => sim.store.available(s))).toEqual([4, 0, 7]);
    expect((await call(hub, 'operator', 'POST', '/api/connectors/shopify-main/resume')).status).toBe(200);
    await waitFor(() => SKUS.every((s) => sim.store.available(s) === counts[s]), 'stock pushed to the shop', 30_000);
    sim.store.placeOrder({ lines: [{ sku: SKUS[1]!, quantity: 2 }] });
    await waitFor(
      async () => (await hub.db.query(`SELECT 1 FROM sales_order WHERE channel = 'web'`)).rows.length === 1,
      'order delivered through the registered webhook',
      30_000,
    );
    await waitFor(() => sim.store.available(SKUS[1]!) === 7, 'availableToSell pushed after the order', 30_000);
    expect((await listDeadLetters(hub.db, {})).items).toEqual([]);
  });
});
