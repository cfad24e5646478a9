import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns, syncReconcileSchedulers } from '../../src/reconcile/index.js';
import { RECONCILE_QUEUE } from '../../src/queues/names.js';
import { bindConnectors } from '../../src/queues/bind.js';
import { connectorRegistry } from '../../src/connectors/registry.js';
import { silentLogger } from '../../src/core/logger.js';
import { startShopifySimulator, type ShopifySimulator } from '../sim/shopify/index.js';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { shopConfig } from './helpers.js';

describe('reconciliation schedules', () => {
  let sim: ShopifySimulator;
  let hub: TestHub;

  beforeAll(async () => {
    sim = await startShopifySimulator({ locations: ['Main warehouse', 'Overflow'] });
    const config = shopConfig(sim, '{ stock: { policy: report } }');
    config.connectors.find((c) => c.id === 'shopify-main')!.schedules = { reconcileStock: { every: 1000 }, reconcileOrders: { every: 1000 } };
    hub = await startTestHub({ config });
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
      return new Set(list.map((r) => r.kind)).size === 2 ? list : undefined;
    }, 'scheduled runs of both kinds');
    expect(runs.every((r) => r.accuracy === 1)).toBe(true);
    const gauge = await waitFor(async () => (await hub.metrics.stockAccuracy.get()).values[0], 'stock accuracy gauge');
    expect(gauge).toMatchObject({ labels: { channel: 'web' }, value: 1 });

    const unscheduled = structuredClone(hub.config);
    unscheduled.connectors.find((c) => c.id === 'shopify-main')!.schedules = {};
    await syncReconcileSchedulers(queue, bindConnectors(unscheduled, connectorRegistry, { logger: silentLogger() }));
    expect(await queue.getJobSchedulers()).toEqual([]);
  });
});
