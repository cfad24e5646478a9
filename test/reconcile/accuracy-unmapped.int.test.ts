import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySimulator, type ShopifySimulator } from '../sim/shopify/index.js';
import { parseTestConfig, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { call, OPS_YAML } from '../api/helpers.js';
import { lintMetrics, parseExposition } from '../helpers/promlint.js';
import { seedShop } from './seed.js';
import { shopConfig } from './helpers.js';

const UNMAPPED = 20;

/**
 * A store whose catalogue the hub has never learned: the stock run checks nothing. Accuracy is
 * "n/a" (null, gauge unset) rather than 100 %, and the unmapped count raises its own alert.
 */
describe('stock reconciliation that checks nothing', () => {
  let sim: ShopifySimulator;
  let hub: TestHub;

  beforeAll(async () => {
    sim = await startShopifySimulator({ locations: ['Main warehouse', 'Overflow'] });
    const config = shopConfig(sim, '{ stock: { policy: report } }');
    config.auth = parseTestConfig(OPS_YAML.slice(OPS_YAML.indexOf('auth:'), OPS_YAML.indexOf('replenishment:'))).auth;
    config.alerts = parseTestConfig('alerts: { stockAccuracy: { threshold: 0.99 }, unmappedItems: { threshold: 5 } }').alerts;
    hub = await startTestHub({ config });
    seedShop(sim.store, 'UNM', UNMAPPED);
  });
  afterAll(async () => {
    await hub?.stop();
    await sim?.close();
  });

  it('reports accuracy n/a, leaves the gauge unset, shows the unmapped count and fires the unmapped alert only', async () => {
    expect((await call(hub, 'operator', 'POST', '/api/reconcile/connectors/shopify-main/runs', { kind: 'stock' })).status).toBe(202);
    const run = await waitFor(
      async () => {
        const item = (await call(hub, 'viewer', 'GET', '/api/reconcile/runs?connector=shopify-main&kind=stock')).json.items[0];
        return item?.status === 'completed' ? item : undefined;
      },
      'stock run',
      60_000,
    );
    expect(run.counts).toMatchObject({ checked: 0, unmapped: UNMAPPED, drifted: 0 });
    expect(run.accuracy).toBeNull();

    const text = await (await fetch(`${hub.url}/metrics`)).text();
    expect(text).not.toMatch(/^hub_stock_accuracy_ratio\{/m);
    expect(text).toContain(`hub_reconcile_unmapped_items{connector="shopify-main",channel="web"} ${UNMAPPED}`);
    expect(lintMetrics(parseExposition(text))).toEqual([]);

    await hub.ops.deps.alerts.evaluate();
    const alerts = (await call(hub, 'viewer', 'GET', '/api/alerts')).json;
    expect(alerts.rules).toEqual(['stock-accuracy', 'unmapped-items']);
    expect(alerts.active).toEqual([
      expect.objectContaining({
        key: 'unmapped-items:shopify-main',
        rule: 'unmapped-items',
        message: expect.stringContaining(`${UNMAPPED} channel item(s) map to no hub SKU`),
      }),
    ]);

    const dry = await call(hub, 'operator', 'POST', '/api/reconcile/connectors/shopify-main/runs', { kind: 'stock', dryRun: true });
    expect(dry.json).toMatchObject({ dryRun: true, accuracy: null, counts: { checked: 0, unmapped: UNMAPPED } });
  });

  it('answers a dry run whose channel is unreachable with 502 and the cause, not 500', async () => {
    sim.faults.next(20, { type: 'reset' });
    try {
      const res = await call(hub, 'operator', 'POST', '/api/reconcile/connectors/shopify-main/runs', { kind: 'stock', dryRun: true });
      expect(res.status).toBe(502);
      expect(res.json.error).toMatchObject({
        code: 'channel_unreachable',
        message: expect.stringContaining('shopify-main'),
        details: { cause: 'network_error', connectorId: 'shopify-main' },
      });
    } finally {
      sim.faults.clear();
    }
  });
});
