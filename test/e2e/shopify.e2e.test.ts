import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErpContext } from '../../src/core/erp/context.js';
import { availableToSell, getOrder } from '../../src/core/erp/index.js';
import { listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { startShopifySimulator, type ShopifySimulator } from '../sim/shopify/index.js';
import { oneWarehouseConfig, shopifyConnector, startHubBesideShopify } from '../helpers/e2e.js';
import { event, waitFor, type TestHub } from '../helpers/hub.js';

/**
 * The Shopify connector end to end: the simulator's store sends signed webhooks to the hub, the
 * ERP core allocates, and the hub pushes availableToSell back through the GraphQL Admin API.
 */
describe('Shopify end to end on the simulator', () => {
  let sim: ShopifySimulator;
  let hub: TestHub;

  beforeAll(async () => {
    sim = await startShopifySimulator({ locations: ['Main warehouse'] });
    const config = oneWarehouseConfig(
      [{ id: 'web', connector: 'shopify-main', safetyStock: 1 }],
      [shopifyConnector(sim, { extra: ['rateLimit: { max: 20, durationMs: 1000 }', 'reconcile: { stock: { policy: heal } }'] })],
    );
    hub = await startHubBesideShopify(config, sim);
  });
  afterAll(async () => {
    await hub?.stop();
    await sim?.close();
  });

  const erp = () => createErpContext(hub.config);
  const receive = (sku: string, quantity: number) =>
    hub.postEvents(event('inventory.level.reported', { sku, location: 'wh-east', quantity, reporter: 'warehouse' }));

  it('learns products from webhooks, and pushes the warehouse stock as availableToSell', async () => {
    sim.store.addProduct({
      title: 'T-Shirt',
      variants: [
        { sku: 'TSHIRT-M', available: 0 },
        { sku: 'TSHIRT-L', available: 0 },
      ],
    });
    await sim.webhooks.idle();
    await waitFor(async () => (await hub.db.query(`SELECT 1 FROM product WHERE sku IN ('TSHIRT-M', 'TSHIRT-L')`)).rowCount === 2, 'products learned');
    await receive('TSHIRT-M', 10);
    await receive('TSHIRT-L', 4);
    await waitFor(() => sim.store.available('TSHIRT-M') === 9 && sim.store.available('TSHIRT-L') === 3, 'availability pushed (stock - safety stock)');
  });

  it('allocates an order placed in the store and pushes the new availability back', async () => {
    const order = sim.store.placeOrder({ lines: [{ sku: 'TSHIRT-M', quantity: 2 }] });
    await sim.webhooks.idle();
    const stored = await waitFor(async () => {
      const o = await getOrder(hub.db, 'web', String(order.id));
      return o?.status === 'allocated' ? o : undefined;
    }, 'order allocated');
    expect(stored.status).toBe('allocated');
    // 10 on hand - 2 allocated - 1 safety stock: the store's own sale left 7, the hub's push says 7.
    expect(await availableToSell(hub.db, 'TSHIRT-M', 'web', erp())).toBe(7);
    await waitFor(() => sim.store.available('TSHIRT-M') === 7, 'availability 7 pushed');
  });

  it('records a shipment confirmed by the warehouse as a Shopify fulfilment with its tracking', async () => {
    const order = sim.store.placeOrder({ lines: [{ sku: 'TSHIRT-M', quantity: 1 }] });
    await sim.webhooks.idle();
    await waitFor(async () => (await getOrder(hub.db, 'web', String(order.id)))?.status === 'allocated', 'order allocated');
    const line = order.lines[0]!;
    await hub.postEvents(
      event('shipment.confirmed', {
        externalShipmentId: `wh-${order.id}`,
        channel: 'web',
        externalOrderId: String(order.id),
        location: 'wh-east',
        shippedAt: new Date().toISOString(),
        lines: [{ externalLineId: line.id, sku: 'TSHIRT-M', quantity: 1 }],
        tracking: { number: '1Z999AA10123456784', company: 'UPS', url: 'https://www.ups.com/track?tracknum=1Z999AA10123456784' },
      }),
    );
    await waitFor(() => (sim.store.order(order.id)?.fulfillments.length ?? 0) > 0, 'fulfilment created in the store');
    expect(JSON.stringify(sim.store.order(order.id)?.fulfillments)).toContain('1Z999AA10123456784');
    await waitFor(async () => (await getOrder(hub.db, 'web', String(order.id)))?.status === 'shipped', 'order shipped in the hub');
  });

  it('puts back a stock edit made in the store admin at once when the stock policy heals, without a reconciliation run', async () => {
    await sim.webhooks.idle();
    const expected = await availableToSell(hub.db, 'TSHIRT-L', 'web', erp());
    sim.store.setAvailable('TSHIRT-L', expected + 25);
    await sim.webhooks.idle();
    await waitFor(() => sim.store.available('TSHIRT-L') === expected, 'the hub value pushed back');
    const runs = await hub.db.query('SELECT 1 FROM reconcile_run');
    expect(runs.rowCount).toBe(0);
  });

  it('answers a forged HMAC with 401 and records nothing; a duplicate is acknowledged once', async () => {
    await sim.webhooks.idle();
    const before = (await hub.db.query<{ n: number }>(`SELECT count(*) AS n FROM inbox WHERE connector_id = 'shopify-main'`)).rows[0]!.n;
    const delivery = sim.webhooks.build('orders/create', { id: 1, line_items: [] });
    expect(await sim.webhooks.forge(delivery)).toBe(401);
    expect((await hub.db.query<{ n: number }>(`SELECT count(*) AS n FROM inbox WHERE connector_id = 'shopify-main'`)).rows[0]!.n).toBe(before);

    const order = sim.store.placeOrder({ lines: [{ sku: 'TSHIRT-L', quantity: 1 }] });
    await sim.webhooks.idle();
    const sent = sim.webhooks.log.find((r) => r.delivery.topic === 'orders/create' && r.delivery.body.includes(String(order.id)))!.delivery;
    expect(await sim.webhooks.redeliver(sent)).toBe(200);
    await waitFor(async () => (await getOrder(hub.db, 'web', String(order.id)))?.status === 'allocated', 'order allocated');
    const { rows } = await hub.db.query<{ n: number }>(
      `SELECT count(*) AS n FROM inbox WHERE connector_id = 'shopify-main' AND body LIKE $1 AND topic = 'orders/create'`,
      [`%${order.id}%`],
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('sends an order line with an unknown SKU to the dead-letter queue naming the line', async () => {
    // A product the hub never heard of: created while the store's webhooks were switched off.
    sim.webhooks.unsubscribeAll();
    sim.store.addProduct({ title: 'Mystery', variants: [{ sku: 'NOT-IN-HUB', available: 5 }] });
    sim.webhooks.subscribe(`${hub.url}/webhooks/shopify-main`);
    const order = sim.store.placeOrder({
      lines: [
        { sku: 'TSHIRT-M', quantity: 1 },
        { sku: 'NOT-IN-HUB', quantity: 1 },
      ],
    });
    await sim.webhooks.idle();
    const entry = await waitFor(async () => (await listDeadLetters(hub.db, { order: String(order.id) })).items[0], 'dead letter');
    expect(entry).toMatchObject({ connectorId: 'shopify-main', step: 'map', errorCode: 'unknown_sku' });
    expect(entry.message).toMatch(/line 2/);
  });

  it('a throttled store slows the pushes but loses none; the client waits on its cost bucket instead of being throttled again', async () => {
    const skus = Array.from({ length: 40 }, (_, i) => `BULK-${i}`);
    sim.store.addProduct({ title: 'Bulk', variants: skus.map((sku) => ({ sku, available: 0 })) });
    await sim.webhooks.idle();
    await waitFor(async () => (await hub.db.query(`SELECT 1 FROM product WHERE sku LIKE 'BULK-%'`)).rowCount === skus.length, 'products learned');
    sim.bucket.configure({ currentlyAvailable: 0, restoreRate: 20 });
    const throttledBefore = sim.counters.throttled;
    await hub.postEvents(skus.map((sku, i) => event('inventory.level.reported', { sku, location: 'wh-east', quantity: 5 + i, reporter: 'warehouse' })));
    await waitFor(() => skus.every((sku, i) => sim.store.available(sku) === 4 + i), 'every SKU pushed', 60_000);
    // The bucket was drained behind the client's back: at most the first call learns it from a
    // THROTTLED answer; after that the client reads throttleStatus and waits instead.
    expect(sim.counters.throttled - throttledBefore).toBeLessThanOrEqual(1);
  });
});
