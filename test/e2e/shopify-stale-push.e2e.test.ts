import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErpContext } from '../../src/core/erp/context.js';
import { availableToSell, getOrder } from '../../src/core/erp/index.js';
import { startShopifySimulator, type ShopifySimulator } from '../sim/shopify/index.js';
import { oneWarehouseConfig, shopifyConnector, startHubBesideShopify } from '../helpers/e2e.js';
import { event, waitFor, type TestHub } from '../helpers/hub.js';

/**
 * A sale lands in the store between the hub's read of a level and its write: the compare-and-set
 * write is refused as stale, the hub re-reads, keeps its own change on top of the sale, and
 * retries. The store never shows the sold unit as available again.
 */
describe('Shopify stock push with a sale between read and write (simulator, 2026-10)', () => {
  let sim: ShopifySimulator;
  let hub: TestHub;

  beforeAll(async () => {
    sim = await startShopifySimulator({ locations: ['Main warehouse'], apiVersion: '2026-10' });
    const config = oneWarehouseConfig(
      [{ id: 'web', connector: 'shopify-main', safetyStock: 1 }],
      [shopifyConnector(sim, { settings: ['apiVersion: "2026-10"'], extra: ['rateLimit: { max: 20, durationMs: 1000 }'] })],
    );
    hub = await startHubBesideShopify(config, sim);
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await sim?.close();
  });

  const receive = (sku: string, quantity: number) =>
    hub.postEvents(event('inventory.level.reported', { sku, location: 'wh-east', quantity, reporter: 'warehouse' }));

  it('is refused as stale, re-read and retried; the store ends right and no unit is sold twice', { timeout: 120_000 }, async () => {
    sim.store.addProduct({ title: 'Lamp', variants: [{ sku: 'LAMP', available: 0 }] });
    await sim.webhooks.idle();
    await waitFor(async () => (await hub.db.query(`SELECT 1 FROM product WHERE sku = 'LAMP'`)).rowCount === 1, 'product learned');
    await receive('LAMP', 10);
    await waitFor(() => sim.store.available('LAMP') === 9, 'first push: 10 on hand - 1 safety stock');

    // The next push reads 9; right after that read a customer buys one (the store now has 8), and
    // only then does the hub's write arrive, built on the 9 it read.
    let order: ReturnType<ShopifySimulator['store']['placeOrder']> | undefined;
    sim.afterNextInventoryRead(() => {
      order = sim.store.placeOrder({ lines: [{ sku: 'LAMP', quantity: 1 }] });
    });
    const writesBefore = sim.writes.get('LAMP')?.length ?? 0;
    await receive('LAMP', 15);

    await waitFor(
      () => (order ? getOrder(hub.db, 'web', String(order.id)).then((o) => o?.status === 'allocated') : false),
      'the sale reached the hub and was allocated',
    );
    const erp = createErpContext(hub.config);
    // 15 on hand - 1 sold - 1 safety stock.
    await waitFor(async () => (await availableToSell(hub.db, 'LAMP', 'web', erp)) === 13 && sim.store.available('LAMP') === 13, 'store and hub agree on 13');

    expect(sim.counters.staleRejected).toBeGreaterThanOrEqual(1);
    const written = (sim.writes.get('LAMP') ?? []).slice(writesBefore);
    // A blind write would have set 14 (15 - 1 safety), selling the unit the customer just bought again.
    expect(written).not.toContain(14);
    expect(Math.max(...written)).toBe(13);
    const { rows } = await hub.db
      .query<{ n: number }>(`SELECT count(*)::int AS n FROM dead_letter WHERE connector_id = 'shopify-main'`)
      .catch(() => ({ rows: [{ n: 0 }] }));
    expect(rows[0]?.n ?? 0).toBe(0);
  });
});
