import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmazonSpConfigSchema } from '../../../src/connectors/amazon-sp/config.js';
import { createAmazonSpConnectorClient } from '../../../src/connectors/amazon-sp/index.js';
import { type AmazonSimulator, startAmazonSimulator } from './index.js';

/** The connector's client against the simulator: the two agree on every shape they exchange. */
describe('Amazon SP-API simulator with the amazon-sp client', () => {
  let sim: AmazonSimulator;
  beforeAll(async () => {
    sim = await startAmazonSimulator({ tokenTtlSeconds: 3600 });
  });
  afterAll(async () => sim?.close());

  const client = (settings: Record<string, unknown> = {}) =>
    createAmazonSpConnectorClient(
      {
        id: 'amazon-main',
        ...AmazonSpConfigSchema.parse({
          settings: {
            sellerId: sim.sellerId,
            marketplaceId: sim.marketplaceId,
            baseUrl: sim.url,
            tokenUrl: `${sim.url}/auth/o2/token`,
            channel: 'amazon',
            locations: { DEFAULT: 'wh-east' },
            feedPollMs: 10,
            ...settings,
          },
          credentials: { ...sim.credentials, relaySecret: 'sim-relay-secret-0123456789abcdef' },
        }),
      },
      { logger: pino({ level: 'silent' }) },
    );

  it('probes the credentials, pushes by patch and by feed, and reads the listings back', async () => {
    for (let i = 0; i < 6; i++) sim.store.addListing(`SIM-${i}`, 0);
    const c = client({ feedThreshold: 3 });
    expect(await c.check()).toMatchObject({ ok: true });
    const few = await c.pushAvailability([{ sku: 'SIM-0', channel: 'amazon', available: 4, version: 1, externalIds: {} }]);
    expect(few).toMatchObject({ pushed: 1, failures: [] });
    expect(sim.counters.byOperation['patchListingsItem']).toBe(1);
    const many = await c.pushAvailability(
      [1, 2, 3, 4, 5, 9].map((i) => ({ sku: i === 9 ? 'NO-LISTING' : `SIM-${i}`, channel: 'amazon', available: i, version: 1, externalIds: {} })),
    );
    expect(many.pushed).toBe(5);
    expect(many.failures.map((f) => f.sku)).toEqual(['NO-LISTING']);
    expect(sim.counters.byOperation['createFeed']).toBe(1);
    const levels = [];
    for await (const page of c.readStockLevels()) levels.push(...page);
    expect(levels.find((l) => l.sku === 'SIM-5')?.levels).toEqual([{ location: 'DEFAULT', available: 5, pushed: true }]);
  });

  it('polls an order with its items, confirms its shipment, and refuses bad credentials', async () => {
    sim.store.addListing('SIM-ORDER', 5);
    const order = sim.store.placeOrder({ lines: [{ sku: 'SIM-ORDER', quantity: 2, price: '12.50' }] });
    const c = client();
    const payloads = [];
    for await (const page of c.pollOrders(null)) payloads.push(...page.orders);
    const mine = payloads.find((p) => JSON.stringify(p).includes(order.AmazonOrderId)) as {
      orderItems: Record<string, { payload: { OrderItems: { ItemPrice: { Amount: string } }[] } }>;
    };
    expect(mine.orderItems[order.AmazonOrderId]!.payload.OrderItems[0]!.ItemPrice.Amount).toBe('25.00');
    await c.pushFulfillment(
      {
        externalShipmentId: 'wh-1',
        channel: 'amazon',
        externalOrderId: order.AmazonOrderId,
        location: 'wh-east',
        shippedAt: new Date().toISOString(),
        lines: [{ externalLineId: order.items[0]!.OrderItemId, sku: 'SIM-ORDER', quantity: 2 }],
        tracking: { number: '9400100000000000000000', company: 'USPS' },
      },
      {},
    );
    expect(sim.shipments.at(-1)).toMatchObject({ orderId: order.AmazonOrderId, body: { packageDetail: { carrierCode: 'USPS' } } });
    const bad = createAmazonSpConnectorClient(
      {
        id: 'amazon-bad',
        ...AmazonSpConfigSchema.parse({
          settings: { sellerId: sim.sellerId, marketplaceId: sim.marketplaceId, baseUrl: sim.url, tokenUrl: `${sim.url}/auth/o2/token`, channel: 'amazon' },
          credentials: { ...sim.credentials, refreshToken: 'Atzr|wrong', relaySecret: 'x'.repeat(16) },
        }),
      },
      { logger: pino({ level: 'silent' }) },
    );
    expect(await bad.check()).toMatchObject({ ok: false, message: expect.stringMatching(/^auth_failed/) });
  });
});
