import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErpContext } from '../../src/core/erp/context.js';
import { availableToSell, getOrder, listOrderRequests } from '../../src/core/erp/index.js';
import { signRelayDelivery } from '../../src/connectors/amazon-sp/verify.js';
import { type AmazonSimulator, SIM_RELAY_SECRET, simAmazonConnectorYaml, startAmazonSimulator } from '../sim/amazon-sp/index.js';
import { type ShopifySimulator, startShopifySimulator } from '../sim/shopify/index.js';
import { QUICK_RETRY, oneWarehouseConfig, shopifyConnector, startHubBesideShopify } from '../helpers/e2e.js';
import { type TestHub, event, waitFor } from '../helpers/hub.js';

/**
 * Amazon next to Shopify, both selling from one warehouse: an order placed on the Amazon
 * simulator is polled (getOrders + getOrderItems), allocated by the ERP core, and the lowered
 * availability reaches every channel, Amazon's own listing included.
 */
describe('Amazon SP-API end to end on the simulator, next to Shopify', () => {
  let amazon: AmazonSimulator;
  let shopify: ShopifySimulator;
  let hub: TestHub;

  beforeAll(async () => {
    // The usage plan the simulator reports lets the test poll every second (the default getOrders plan allows one call a minute).
    amazon = await startAmazonSimulator({ rateLimitHeader: '5' });
    shopify = await startShopifySimulator({ locations: ['Main warehouse'] });
    const config = oneWarehouseConfig(
      [
        { id: 'web', connector: 'shopify-main' },
        { id: 'amazon', connector: 'amazon-main' },
      ],
      [shopifyConnector(shopify), simAmazonConnectorYaml(amazon, { location: 'wh-east', extra: ['schedules: { pollOrders: { every: 1000 } }', QUICK_RETRY] })],
    );
    hub = await startHubBesideShopify(config, shopify);
    shopify.store.addProduct({ title: 'T-Shirt', variants: [{ sku: 'TSHIRT-M', available: 0 }] });
    amazon.store.addListing('TSHIRT-M', 0);
    await shopify.webhooks.idle();
    await waitFor(async () => (await hub.db.query(`SELECT 1 FROM product WHERE sku = 'TSHIRT-M'`)).rowCount === 1, 'product learned from Shopify');
    await hub.postEvents(event('inventory.level.reported', { sku: 'TSHIRT-M', location: 'wh-east', quantity: 10, reporter: 'warehouse' }));
    await waitFor(() => shopify.store.available('TSHIRT-M') === 10 && amazon.store.available('TSHIRT-M') === 10, 'stock 10 pushed to both channels', 30_000);
  });
  afterAll(async () => {
    await hub?.stop();
    await shopify?.close();
    await amazon?.close();
  });

  it('polls an Amazon order, allocates it, and pushes the lowered availability to Shopify and to Amazon', async () => {
    const pushesBefore = amazon.store.listings.get('TSHIRT-M')!.pushes.length;
    const order = amazon.store.placeOrder({ lines: [{ sku: 'TSHIRT-M', quantity: 3, price: '19.99' }] });
    const stored = await waitFor(
      async () => {
        const o = await getOrder(hub.db, 'amazon', order.AmazonOrderId);
        return o?.status === 'allocated' ? o : undefined;
      },
      'Amazon order allocated',
      60_000,
    );
    expect(stored.status).toBe('allocated');
    expect(await availableToSell(hub.db, 'TSHIRT-M', 'web', createErpContext(hub.config))).toBe(7);
    await waitFor(() => shopify.store.available('TSHIRT-M') === 7, 'Shopify receives 7', 30_000);
    // Amazon lowered its own count at the sale; the hub's push of 7 is recorded on top of it.
    await waitFor(() => amazon.store.listings.get('TSHIRT-M')!.pushes.slice(pushesBefore).includes(7), 'Amazon receives its own 7', 30_000);
    expect(amazon.counters.byOperation['getOrderItems']).toBeGreaterThanOrEqual(1);
  });

  it("records a buyer's cancellation request relayed as ORDER_CHANGE without cancelling, and drops the redelivery", async () => {
    const order = amazon.store.placeOrder({ lines: [{ sku: 'TSHIRT-M', quantity: 1 }] });
    await waitFor(async () => (await getOrder(hub.db, 'amazon', order.AmazonOrderId))?.status === 'allocated', 'second order allocated', 60_000);
    const notification = {
      NotificationVersion: '1.0',
      NotificationType: 'ORDER_CHANGE',
      PayloadVersion: '1.0',
      EventTime: new Date().toISOString(),
      Payload: {
        OrderChangeNotification: {
          NotificationLevel: 'OrderLevel',
          SellerId: amazon.sellerId,
          AmazonOrderId: order.AmazonOrderId,
          OrderChangeType: 'BuyerRequestedChange',
          OrderChangeTrigger: { TimeOfOrderChange: new Date().toISOString(), ChangeReason: 'Buyer Requested Cancel' },
          Summary: {
            MarketplaceId: amazon.marketplaceId,
            OrderStatus: 'Unshipped',
            PurchaseDate: order.PurchaseDate,
            DestinationPostalCode: '98109',
            FulfillmentType: 'MFN',
            OrderType: 'StandardOrder',
            OrderItems: [{ OrderItemId: order.items[0]!.OrderItemId, SellerSKU: 'TSHIRT-M', SupplySourceId: null, Quantity: 1, IsBuyerRequestedCancel: true }],
          },
        },
      },
      NotificationMetadata: {
        ApplicationId: 'amzn1.sellerapps.app.sim',
        SubscriptionId: 'sub-1',
        PublishTime: new Date().toISOString(),
        NotificationId: `n-${order.AmazonOrderId}`,
      },
    };
    const raw = JSON.stringify(notification);
    const post = async (secret = SIM_RELAY_SECRET) => {
      const ts = Math.floor(Date.now() / 1000);
      const res = await fetch(`${hub.url}/webhooks/amazon-main`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-relay-timestamp': String(ts), 'x-relay-signature': signRelayDelivery(raw, ts, secret) },
        body: raw,
      });
      return res.status;
    };
    expect(await post('not-the-relay-secret-0123456789')).toBe(401);
    expect(await post()).toBe(200);
    expect(await post()).toBe(200);
    const requests = await waitFor(
      async () => {
        const rows = await listOrderRequests(hub.db, { channel: 'amazon', externalOrderId: order.AmazonOrderId });
        return rows.length > 0 ? rows : undefined;
      },
      'cancellation request recorded',
      30_000,
    );
    expect(requests).toEqual([expect.objectContaining({ kind: 'cancellation', requestedBy: 'buyer', status: 'open' })]);
    expect((await getOrder(hub.db, 'amazon', order.AmazonOrderId))?.status).toBe('allocated');
    const { rows } = await hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbox WHERE connector_id = 'amazon-main' AND topic = 'ORDER_CHANGE'`);
    expect(rows[0]?.n).toBe(1);
  });
});
