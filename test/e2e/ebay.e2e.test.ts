import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErpContext } from '../../src/core/erp/context.js';
import { availableToSell, getOrder } from '../../src/core/erp/index.js';
import { listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { type EbaySimulator, ebaySimConnectorYaml, startEbaySimulator } from '../sim/ebay/index.js';
import { type ShopifySimulator, startShopifySimulator } from '../sim/shopify/index.js';
import { QUICK_RETRY, oneWarehouseConfig, shopifyConnector, startHubBesideShopify } from '../helpers/e2e.js';
import { event, type TestHub, waitFor } from '../helpers/hub.js';

/**
 * eBay end to end beside Shopify, one warehouse feeding both channels: an order placed on the eBay
 * simulator is polled (schedules.pollOrders), allocated by the ERP core, and the lowered
 * availability goes to every channel: the Shopify store and eBay itself.
 */
describe('eBay end to end on the simulator, beside Shopify', () => {
  let ebay: EbaySimulator;
  let shop: ShopifySimulator;
  let hub: TestHub;

  beforeAll(async () => {
    ebay = await startEbaySimulator();
    shop = await startShopifySimulator({ locations: ['Main warehouse'] });
    const config = oneWarehouseConfig(
      [
        { id: 'web', connector: 'shopify-main' },
        { id: 'ebay', connector: 'ebay-main', safetyStock: 1 },
      ],
      [shopifyConnector(shop), ebaySimConnectorYaml(ebay, { extra: ['schedules: { pollOrders: { every: 1000 } }', QUICK_RETRY] })],
    );
    hub = await startHubBesideShopify(config, shop);
  });
  afterAll(async () => {
    await hub?.stop();
    await shop?.close();
    await ebay?.close();
  });

  const erp = () => createErpContext(hub.config);
  const receive = (sku: string, quantity: number) =>
    hub.postEvents(event('inventory.level.reported', { sku, location: 'wh-east', quantity, reporter: 'warehouse' }));

  it('pushes the warehouse stock to both channels', async () => {
    shop.store.addProduct({ title: 'T-Shirt', variants: [{ sku: 'TSHIRT-M', available: 0 }] });
    ebay.store.addListing({ sku: 'TSHIRT-M', quantity: 0, price: '14.99' });
    await shop.webhooks.idle();
    await waitFor(async () => (await hub.db.query(`SELECT 1 FROM product WHERE sku = 'TSHIRT-M'`)).rowCount === 1, 'product learned from Shopify', 30_000);
    await receive('TSHIRT-M', 10);
    await waitFor(
      () => shop.store.available('TSHIRT-M') === 10 && ebay.store.available('TSHIRT-M') === 9,
      'availability pushed to Shopify (10) and eBay (10 - safety 1)',
      30_000,
    );
  });

  it('polls an eBay order, allocates it, and lowers availability on every channel, eBay included', async () => {
    const pushesBefore = ebay.store.pushes.length;
    const order = ebay.store.placeOrder({ lines: [{ sku: 'TSHIRT-M', quantity: 2 }], taxRate: '0.0825' });
    const stored = await waitFor(
      async () => {
        const o = await getOrder(hub.db, 'ebay', order.orderId);
        return o?.status === 'allocated' ? o : undefined;
      },
      'eBay order polled and allocated',
      30_000,
    );
    expect(stored.lines).toMatchObject([{ sku: 'TSHIRT-M', quantity: 2 }]);
    expect(await availableToSell(hub.db, 'TSHIRT-M', 'web', erp())).toBe(8);
    await waitFor(() => shop.store.available('TSHIRT-M') === 8, 'Shopify receives the lowered availability (8)', 30_000);
    // The sale itself lowered eBay's quantity to 7; the hub's own push of 7 (10 - 2 - safety 1) is what is checked.
    await waitFor(
      () => ebay.store.pushes.slice(pushesBefore).some((p) => p.sku === 'TSHIRT-M' && p.quantity === 7),
      'eBay receives its own lowered availability (7)',
      30_000,
    );
  });

  it('maps a legacy-listing line without a SKU through the product external ids', async () => {
    const legacy = ebay.store.addListing({ sku: null, quantity: 3, price: '20.00', title: 'Vintage poster' });
    await hub.postEvents(
      event('product.upserted', { sku: 'POSTER-1', title: 'Vintage poster', externalIds: { 'ebay-main': { legacyItemId: legacy.legacyItemId } } }),
    );
    await receive('POSTER-1', 5);
    await waitFor(async () => (await availableToSell(hub.db, 'POSTER-1', 'web', erp())) === 5, 'poster stock received', 30_000);
    const order = ebay.store.placeOrder({ lines: [{ legacyItemId: legacy.legacyItemId, quantity: 1 }] });
    const stored = await waitFor(
      async () => {
        const o = await getOrder(hub.db, 'ebay', order.orderId);
        return o?.status === 'allocated' ? o : undefined;
      },
      'legacy order allocated',
      30_000,
    );
    expect(stored.lines).toMatchObject([{ sku: 'POSTER-1', quantity: 1 }]);
    expect((await listDeadLetters(hub.db, { order: order.orderId })).items).toEqual([]);
    // A legacy listing has no Inventory API item, so bulkUpdatePriceQuantity cannot set it: the push of
    // that SKU alone is dead-lettered, named, while TSHIRT-M pushes go on.
    const pushFailure = await waitFor(async () => (await listDeadLetters(hub.db, { connector: 'ebay-main' })).items[0], 'legacy SKU push refused');
    expect(pushFailure).toMatchObject({ step: 'push', errorCode: 'not_found' });
    expect(pushFailure.message).toMatch(/POSTER-1.*25702/);
  });
});
