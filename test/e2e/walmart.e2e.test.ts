import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErpContext } from '../../src/core/erp/context.js';
import { availableToSell, getOrder } from '../../src/core/erp/index.js';
import { startShopifySimulator, type ShopifySimulator } from '../sim/shopify/index.js';
import { startWalmartSimulator, walmartConnectorYaml, type WalmartSimulator } from '../sim/walmart/index.js';
import { QUICK_RETRY, oneWarehouseConfig, shopifyConnector, startHubBesideShopify } from '../helpers/e2e.js';
import { event, waitFor, type TestHub } from '../helpers/hub.js';

/**
 * Walmart next to Shopify, both selling one warehouse's stock: a Walmart order is polled,
 * acknowledged and allocated, and every channel (Walmart's own included) gets the lowered
 * availability; a Walmart cancellation gives it back; a warehouse shipment goes to Walmart with
 * its tracking.
 */
describe('Walmart end to end on the simulator, next to Shopify', () => {
  let shopify: ShopifySimulator;
  let walmart: WalmartSimulator;
  let hub: TestHub;

  beforeAll(async () => {
    shopify = await startShopifySimulator({ locations: ['Main warehouse'] });
    walmart = await startWalmartSimulator();
    const config = oneWarehouseConfig(
      [
        { id: 'web', connector: 'shopify-main' },
        { id: 'walmart', connector: 'walmart-main' },
      ],
      [shopifyConnector(shopify), walmartConnectorYaml(walmart, { location: 'wh-east', extra: [QUICK_RETRY] })],
    );
    hub = await startHubBesideShopify(config, shopify);
    shopify.store.addProduct({
      title: 'Tee',
      variants: [
        { sku: 'TEE-M', available: 0 },
        { sku: 'MUG-01', available: 0 },
      ],
    });
    walmart.store.addItem('TEE-M', 0);
    walmart.store.addItem('MUG-01', 0);
    await shopify.webhooks.idle();
    await waitFor(async () => (await hub.db.query(`SELECT 1 FROM product WHERE sku IN ('TEE-M', 'MUG-01')`)).rowCount === 2, 'products learned', 30_000);
    await hub.postEvents([
      event('inventory.level.reported', { sku: 'TEE-M', location: 'wh-east', quantity: 10, reporter: 'warehouse' }),
      event('inventory.level.reported', { sku: 'MUG-01', location: 'wh-east', quantity: 5, reporter: 'warehouse' }),
    ]);
    await waitFor(
      () => shopify.store.available('TEE-M') === 10 && walmart.store.available('TEE-M') === 10 && walmart.store.available('MUG-01') === 5,
      'warehouse stock pushed to both channels',
      30_000,
    );
  });
  afterAll(async () => {
    await hub?.stop();
    await shopify?.close();
    await walmart?.close();
  });

  const erp = () => createErpContext(hub.config);
  const orderStatus = async (po: string) => (await getOrder(hub.db, 'walmart', po))?.status;

  it('polls a Walmart order with the same SKU on two lines, acknowledges it, allocates their sum, and lowers every channel', async () => {
    const po = walmart.store.placeOrder({ lines: [{ sku: 'TEE-M' }, { sku: 'TEE-M' }, { sku: 'MUG-01' }] });
    await waitFor(async () => (await orderStatus(po.purchaseOrderId)) === 'allocated', 'walmart order allocated', 30_000);
    const stored = await getOrder(hub.db, 'walmart', po.purchaseOrderId);
    expect(stored?.lines.map((l) => [l.externalLineId, l.sku, l.quantity])).toEqual([
      ['1', 'TEE-M', 1],
      ['2', 'TEE-M', 1],
      ['3', 'MUG-01', 1],
    ]);
    expect(await availableToSell(hub.db, 'TEE-M', 'web', erp())).toBe(8);
    await waitFor(() => shopify.store.available('TEE-M') === 8 && shopify.store.available('MUG-01') === 4, 'Shopify receives the lowered availability', 30_000);
    await waitFor(
      () => walmart.store.available('TEE-M') === 8 && walmart.store.available('MUG-01') === 4,
      'Walmart receives its own lowered availability',
      30_000,
    );
    // Walmart expects new purchase orders acknowledged.
    await waitFor(
      () => walmart.store.orders.get(po.purchaseOrderId)!.lines.every((l) => l.statuses.every((s) => s.status === 'Acknowledged')),
      'order acknowledged',
      30_000,
    );
  });

  it('gives the stock back to every channel when Walmart cancels the order', async () => {
    const po = walmart.store.placeOrder({ lines: [{ sku: 'MUG-01', quantity: 2 }] });
    await waitFor(async () => (await orderStatus(po.purchaseOrderId)) === 'allocated', 'order allocated', 30_000);
    await waitFor(() => shopify.store.available('MUG-01') === 2, 'Shopify lowered to 2', 30_000);
    walmart.store.cancelOrder(po.purchaseOrderId);
    await waitFor(async () => (await orderStatus(po.purchaseOrderId)) === 'cancelled', 'order cancelled in the hub', 30_000);
    await waitFor(() => shopify.store.available('MUG-01') === 4 && walmart.store.available('MUG-01') === 4, 'stock given back on both channels', 30_000);
  });

  it('sends a warehouse shipment to Walmart as a shipping update with tracking, one unit per same-SKU line', async () => {
    const po = walmart.store.placeOrder({ lines: [{ sku: 'TEE-M' }, { sku: 'TEE-M' }] });
    await waitFor(async () => (await orderStatus(po.purchaseOrderId)) === 'allocated', 'order allocated', 30_000);
    await hub.postEvents(
      event('shipment.confirmed', {
        externalShipmentId: `wh-${po.purchaseOrderId}`,
        channel: 'walmart',
        externalOrderId: po.purchaseOrderId,
        location: 'wh-east',
        shippedAt: new Date().toISOString(),
        lines: [{ sku: 'TEE-M', quantity: 2 }],
        tracking: { number: '1Z999AA10123456784', company: 'UPS', url: 'https://www.ups.com/track?tracknum=1Z999AA10123456784' },
      }),
    );
    await waitFor(() => walmart.shippingUpdates.some((u) => u.purchaseOrderId === po.purchaseOrderId), 'shipping update received', 30_000);
    const lines = walmart.store.orders.get(po.purchaseOrderId)!.lines;
    expect(lines.map((l) => l.statuses.map((s) => [s.status, s.quantity, s.tracking?.['trackingNumber']]))).toEqual([
      [['Shipped', 1, '1Z999AA10123456784']],
      [['Shipped', 1, '1Z999AA10123456784']],
    ]);
    await waitFor(async () => (await orderStatus(po.purchaseOrderId)) === 'shipped', 'order shipped in the hub', 30_000);
  });

  it('keeps going through a 429 and an expired token: the order still arrives and the push still lands', async () => {
    walmart.expireTokens();
    walmart.faults.next(1, { type: 'status', status: 429, retryAfter: '1' });
    const issued = walmart.counters.tokensIssued;
    const po = walmart.store.placeOrder({ lines: [{ sku: 'MUG-01' }] });
    await waitFor(async () => (await orderStatus(po.purchaseOrderId)) === 'allocated', 'order allocated after the 429', 30_000);
    await waitFor(() => walmart.store.available('MUG-01') === 3 && shopify.store.available('MUG-01') === 3, 'availability 3 on both channels', 30_000);
    expect(walmart.counters.tokensIssued).toBeGreaterThan(issued);
  });
});
