import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns, syncReconcileSchedulers } from '../../src/reconcile/index.js';
import { RECONCILE_QUEUE } from '../../src/queues/names.js';
import { bindConnectors } from '../../src/queues/bind.js';
import { connectorRegistry } from '../../src/connectors/registry.js';
import { silentLogger } from '../../src/core/logger.js';
import { startShopifySimulator, type ShopifySimulator } from '../sim/shopify/index.js';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { shopConfig } from './helpers.js';
import { seedHub, seedShop } from './seed.js';

describe('reconciliation schedules', () => {
  let sim: ShopifySimulator;
  let hub: TestHub;

  beforeAll(async () => {
    sim = await startShopifySimulator({ locations: ['Main warehouse', 'Overflow'] });
    const config = shopConfig(sim, '{ stock: { policy: report } }');
    config.connectors.find((c) => c.id === 'shopify-main')!.schedules = { reconcileStock: { every: 1000 }, reconcileOrders: { every: 1000 } };
    hub = await startTestHub({ config });
    await seedHub(hub.db, seedShop(sim.store, 'SCHED', 3), { connectorId: 'shopify-main', channel: 'web', locations: ['wh-east', 'wh-west'] });
  });
  afterAll(async () => {
    await hub?.stop();
    await sim?.close();
  });

  it('runs stock and order reconciliation from the connector schedules, and drops schedulers no longer configured', async () => {
    const queue = hub.hub.queues.get(RECONCILE_QUEUE);
    expect((await queue.getJobSchedulers()).map((s) => s.key).sort()).toEqual(['reconcile-orders:shopify-main', 'reconcile-stock:shopify-main']);
    const runs = await waitFor(async () => {
      const list = (await listRuns(hub.db, { connectorId: 'shopify-main', status: 'completed' })).filter((r) => r.trigger === 'schedule');
      // A stock run after the seeding (an earlier one checked nothing: accuracy n/a).
      return list.some((r) => r.kind === 'orders') && list.some((r) => r.kind === 'stock' && r.counts.checked === 3) ? list : undefined;
    }, 'scheduled runs of both kinds');
    expect(runs.find((r) => r.kind === 'stock' && r.counts.checked === 3)?.accuracy).toBe(1);
    // No order to compare: no figure, not 100 %.
    expect(runs.filter((r) => r.kind === 'orders' && r.counts.checked === 0).every((r) => r.accuracy === null)).toBe(true);
    const gauge = await waitFor(async () => (await hub.metrics.stockAccuracy.get()).values[0], 'stock accuracy gauge');
    expect(gauge).toMatchObject({ labels: { channel: 'web' }, value: 1 });

    const unscheduled = structuredClone(hub.config);
    unscheduled.connectors.find((c) => c.id === 'shopify-main')!.schedules = {};
    await syncReconcileSchedulers(queue, bindConnectors(unscheduled, connectorRegistry, { logger: silentLogger() }));
    expect(await queue.getJobSchedulers()).toEqual([]);
  });
});
