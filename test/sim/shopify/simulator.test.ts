import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthError, InvalidSignatureError } from '../../../src/core/errors.js';
import { parseJsonPreservingIds } from '../../../src/connectors/http/json.js';
import type { AvailabilityUpdate, NormalizeContext, VerifiedDelivery } from '../../../src/connectors/types.js';
import { createShopifyClient } from '../../../src/connectors/shopify/client.js';
import { type ShopifyConfig, ShopifyConfigSchema } from '../../../src/connectors/shopify/config.js';
import { createShopifyConnectorClient, shopifyWebhooks } from '../../../src/connectors/shopify/index.js';
import { FULFILLMENT_STATE } from '../../../src/connectors/shopify/outbound/create-fulfillment.js';
import { verifyShopifyWebhook } from '../../../src/connectors/shopify/verify.js';
import { ORDERS_UPDATED_SINCE, ORDER_LINES } from '../../../src/connectors/shopify/poll.js';
import { type ShopifySimulator, requestedCost, startShopifySimulator } from './index.js';

const logger = pino({ level: 'silent' });
let sim: ShopifySimulator;

function configFor(s: ShopifySimulator, settings: Record<string, unknown> = {}): ShopifyConfig & { id: string } {
  const location = s.store.locations[0]?.id ?? '';
  return {
    id: 'shopify-sim',
    ...ShopifyConfigSchema.parse({
      settings: { shopDomain: s.shopDomain, baseUrl: s.url, channel: 'web', locations: { [location]: 'wh-east' }, requestTimeoutMs: 2000, ...settings },
      credentials: { accessToken: s.accessToken, webhookSecret: s.webhookSecret },
    }),
  };
}
const clientFor = (s: ShopifySimulator, settings: Record<string, unknown> = {}) => createShopifyConnectorClient(configFor(s, settings), { logger });
const updateFor = (sku: string, available: number, version = 1): AvailabilityUpdate => {
  const variant = sim.store.variantBySku(sku);
  return { sku, channel: 'web', available, version, externalIds: variant ? { inventoryItemId: variant.inventoryItemId, variantId: variant.id } : {} };
};

beforeEach(async () => {
  sim = await startShopifySimulator({ locations: ['Main warehouse', 'Overflow'] });
});
afterEach(async () => {
  await sim.close();
});

describe('Shopify simulator with the connector client', () => {
  it('takes availability pushes as absolute sets at the push location', async () => {
    sim.store.addProduct({
      title: 'T-Shirt',
      variants: [
        { sku: 'TSHIRT-M', title: 'M', available: 10 },
        { sku: 'TSHIRT-L', title: 'L', available: 4 },
      ],
    });
    const result = await clientFor(sim).pushAvailability([updateFor('TSHIRT-M', 7), updateFor('TSHIRT-L', 0)]);
    // One read of the levels, one compare-and-set write.
    expect(result).toEqual({ pushed: 2, calls: 2, failures: [] });
    expect([sim.store.available('TSHIRT-M'), sim.store.available('TSHIRT-L')]).toEqual([7, 0]);
    expect(sim.counters.itemsSet).toBe(2);
  });

  it('batches 600 SKUs into three writes and refuses a 251-item input like Shopify', { timeout: 60_000 }, async () => {
    // A Shopify Plus store (1,000 points a second): this test is about batching, not about waiting for the bucket.
    sim.bucket.configure({ restoreRate: 1000 });
    const product = sim.store.addProduct({ title: 'Bulk', variants: Array.from({ length: 600 }, (_, i) => ({ sku: `BULK-${i}`, title: `v${i}` })) });
    const result = await clientFor(sim).pushAvailability(product.variants.map((v, i) => updateFor(v.sku as string, i)));
    // Three reads of the levels before three compare-and-set writes.
    expect(result).toMatchObject({ pushed: 600, calls: 6, failures: [] });
    expect(sim.store.available('BULK-599')).toBe(599);
    const raw = createShopifyClient(configFor(sim, { apiVersion: '2025-10' }), { logger }, { retries: 0 });
    const quantities = Array.from({ length: 251 }, () => ({
      inventoryItemId: 'gid://shopify/InventoryItem/1',
      locationId: 'gid://shopify/Location/1',
      quantity: 1,
    }));
    await expect(
      raw.graphql({
        name: 'oversize',
        query: 'mutation m($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { userErrors { field message code } } }',
        variables: { input: { name: 'available', reason: 'correction', ignoreCompareQuantity: true, quantities } },
        data: {} as never,
        idempotent: true,
      }),
    ).rejects.toThrow(/maximum allowed of 250/);
  });

  it('refuses the pre-2026-04 input shape and a call without @idempotent on 2026-04 and later, as Shopify does', async () => {
    sim.store.addProduct({ title: 'Mug', variants: [{ sku: 'MUG', available: 3 }] });
    const item = `gid://shopify/InventoryItem/${sim.store.variantBySku('MUG')?.inventoryItemId}`;
    const location = `gid://shopify/Location/${sim.store.locations[0]?.id}`;
    const old = 'mutation m($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { userErrors { field message code } } }';
    const idempotent =
      'mutation m($input: InventorySetQuantitiesInput!, $k: String!) { inventorySetQuantities(input: $input) @idempotent(key: $k) { userErrors { field message code } } }';
    const call = (version: string, query: string, variables: Record<string, unknown>) =>
      createShopifyClient(configFor(sim, { apiVersion: version }), { logger }, { retries: 0 }).graphql({
        name: 'set',
        query,
        variables,
        data: { safeParse: (d: unknown) => ({ success: true, data: d }) } as never,
        idempotent: true,
      });
    const blind = {
      name: 'available',
      reason: 'correction',
      ignoreCompareQuantity: true,
      quantities: [{ inventoryItemId: item, locationId: location, quantity: 1 }],
    };
    const compared = {
      name: 'available',
      reason: 'correction',
      quantities: [{ inventoryItemId: item, locationId: location, quantity: 1, compareQuantity: 3 }],
    };
    for (const version of ['2026-04', '2026-10']) {
      await expect(call(version, idempotent, { input: blind, k: 'a' })).rejects.toThrow(/ignoreCompareQuantity \(Field is not defined/);
      await expect(call(version, idempotent, { input: compared, k: 'b' })).rejects.toThrow(/compareQuantity \(Field is not defined/);
      const modern = {
        name: 'available',
        reason: 'correction',
        quantities: [{ inventoryItemId: item, locationId: location, quantity: 1, changeFromQuantity: null }],
      };
      await expect(call(version, old, { input: modern })).rejects.toThrow(/@idempotent directive/);
    }
    expect(sim.store.available('MUG')).toBe(3);
    // The old shape still works where it belongs.
    await call('2025-10', old, { input: compared });
    expect(sim.store.available('MUG')).toBe(1);
  });

  it('answers a reused idempotency key with the first outcome, and refuses it with other parameters', async () => {
    sim.store.addProduct({ title: 'Mug', variants: [{ sku: 'MUG', available: 3 }] });
    const item = `gid://shopify/InventoryItem/${sim.store.variantBySku('MUG')?.inventoryItemId}`;
    const location = `gid://shopify/Location/${sim.store.locations[0]?.id}`;
    const query =
      'mutation m($input: InventorySetQuantitiesInput!, $k: String!) { inventorySetQuantities(input: $input) @idempotent(key: $k) { userErrors { field message code } } }';
    const raw = createShopifyClient(configFor(sim), { logger }, { retries: 0 });
    const set = (quantity: number, from: number | null) => ({
      name: 'available',
      reason: 'correction',
      quantities: [{ inventoryItemId: item, locationId: location, quantity, changeFromQuantity: from }],
    });
    type R = { inventorySetQuantities: { userErrors: { code: string }[] } };
    const send = async (input: unknown) =>
      (
        await raw.graphql<R>({
          name: 'set',
          query,
          variables: { input, k: 'key-1' },
          data: { safeParse: (d: unknown) => ({ success: true, data: d }) } as never,
          idempotent: true,
        })
      ).inventorySetQuantities.userErrors;
    expect(await send(set(5, 3))).toEqual([]);
    sim.store.setAvailable('MUG', 4);
    // The same request again (a lost answer): not run twice.
    expect(await send(set(5, 3))).toEqual([]);
    expect(sim.store.available('MUG')).toBe(4);
    expect((await send(set(6, 4))).map((e) => e.code)).toEqual(['IDEMPOTENCY_KEY_PARAMETER_MISMATCH']);
  });

  it('fails a deleted variant alone and sets the rest', async () => {
    sim.store.addProduct({ title: 'Mug', variants: [{ sku: 'MUG', available: 3 }] });
    const gone = { ...updateFor('MUG', 1), sku: 'GONE', externalIds: { inventoryItemId: '123456789' } };
    const result = await clientFor(sim).pushAvailability([gone, updateFor('MUG', 9)]);
    expect(result.pushed).toBe(1);
    expect(result.failures.map((f) => [f.sku, f.error.code, f.error.retryable])).toEqual([['GONE', 'not_found', false]]);
    expect(sim.store.available('MUG')).toBe(9);
  });

  it('waits for the cost bucket instead of being throttled again and again', async () => {
    sim.store.addProduct({ title: 'Cap', variants: [{ sku: 'CAP', available: 0 }] });
    sim.bucket.configure({ currentlyAvailable: 0, restoreRate: 200 });
    const client = clientFor(sim);
    for (let i = 1; i <= 12; i++) await client.pushAvailability([updateFor('CAP', i, i)]);
    expect(sim.store.available('CAP')).toBe(12);
    // Only the first call, made before any response told the client the bucket was empty.
    expect(sim.counters.throttled).toBeLessThanOrEqual(1);
  });

  it('retries through injected 5xx, dropped connections and timeouts', async () => {
    sim.store.addProduct({ title: 'Hat', variants: [{ sku: 'HAT', available: 0 }] });
    const client = createShopifyConnectorClient(configFor(sim, { requestTimeoutMs: 300 }), { logger });
    sim.faults.next(1, { type: 'status', status: 503 });
    sim.faults.next(1, { type: 'reset' });
    // The faults hit the read before the write; both are retried in-call.
    expect(await client.pushAvailability([updateFor('HAT', 5)])).toMatchObject({ pushed: 1, calls: 4 });
    sim.faults.next(1, { type: 'timeout', ms: 1000 });
    expect(await client.pushAvailability([updateFor('HAT', 6)])).toMatchObject({ pushed: 1, calls: 3 });
    expect(sim.store.available('HAT')).toBe(6);
    expect(sim.counters.faults).toBe(3);
  });

  it('answers a wrong token with 401, which the client reports as AuthError', async () => {
    sim.store.addProduct({ title: 'Hat', variants: [{ sku: 'HAT', available: 0 }] });
    const config = configFor(sim);
    const client = createShopifyConnectorClient({ ...config, credentials: { ...config.credentials, accessToken: 'shpat_wrong' } }, { logger });
    await expect(client.pushAvailability([updateFor('HAT', 5)])).rejects.toBeInstanceOf(AuthError);
    expect(sim.counters.unauthorized).toBe(1);
  });

  it('records a fulfilment with tracking once, however often it is pushed', async () => {
    sim.store.addProduct({ title: 'T-Shirt', variants: [{ sku: 'TSHIRT-M', available: 10 }] });
    const order = sim.store.placeOrder({ lines: [{ sku: 'TSHIRT-M', quantity: 2 }] });
    const shipment = {
      externalShipmentId: 'tpl-1',
      channel: 'web',
      externalOrderId: order.id,
      location: 'wh-east',
      shippedAt: new Date().toISOString(),
      lines: [{ sku: 'TSHIRT-M', quantity: 2 }],
      tracking: { number: 'TRACK-1', company: 'UPS', url: 'https://www.ups.com/track?tracknum=TRACK-1' },
    };
    const client = clientFor(sim);
    await client.pushFulfillment(shipment, {});
    await client.pushFulfillment(shipment, {});
    expect(order.fulfillments).toHaveLength(1);
    expect(order.fulfillments[0]?.tracking).toEqual({ number: 'TRACK-1', company: 'UPS', url: 'https://www.ups.com/track?tracknum=TRACK-1' });
    expect(order.lines[0]?.fulfilled).toBe(2);
    expect(sim.counters.fulfillmentsCreated).toBe(1);
  });

  it('serves the order backfill page by page with a resumable cursor', async () => {
    sim.store.addProduct({ title: 'T-Shirt', variants: [{ sku: 'TSHIRT-M', available: 100 }] });
    const placed = Array.from({ length: 6 }, () => sim.store.placeOrder({ lines: [{ sku: 'TSHIRT-M', quantity: 1 }] }));
    const client = clientFor(sim);
    const pages = [];
    for await (const page of client.pollOrders(null)) pages.push(page);
    expect(pages.map((p) => p.orders.length)).toEqual([4, 2]);
    const ids = pages.flatMap((p) => p.orders.map((o) => (o as { id: string }).id));
    expect(ids).toEqual(placed.map((o) => o.id));
    const last = pages.at(-1)?.cursor ?? '';
    expect(last).toBe(new Date(placed.at(-1)?.updatedAt ?? 0).toISOString());
    const again = [];
    for await (const page of client.pollOrders(last)) again.push(...page.orders);
    // The bound is inclusive: orders placed in the cursor's second (whole seconds, as Shopify writes them) come again.
    const sameSecond = placed.filter((o) => o.updatedAt === placed.at(-1)?.updatedAt).map((o) => o.id);
    expect(again.map((o) => (o as { id: string }).id)).toEqual(sameSecond);
  });

  it("prices the connector's queries under the single-query limit", () => {
    expect(requestedCost(ORDERS_UPDATED_SINCE, { first: 4, lines: 50 })).toBeLessThanOrEqual(1000);
    expect(requestedCost(ORDER_LINES, { lines: 100 })).toBeLessThanOrEqual(1000);
    expect(requestedCost(FULFILLMENT_STATE)).toBeLessThanOrEqual(1000);
    expect(requestedCost(ORDERS_UPDATED_SINCE, { first: 50, lines: 50 })).toBeGreaterThan(1000);
  });
});

describe('Shopify simulator webhooks', () => {
  let receiver: Server;
  let url: string;
  const received: { delivery?: VerifiedDelivery; error?: unknown; body: unknown }[] = [];

  beforeEach(async () => {
    received.length = 0;
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
        try {
          const delivery = verifyShopifyWebhook({ headers, rawBody }, configFor(sim));
          received.push({ delivery, body: parseJsonPreservingIds(rawBody.toString('utf8')) });
          res.writeHead(200).end();
        } catch (error) {
          received.push({ error, body: null });
          res.writeHead(401).end();
        }
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/shopify-sim`;
    sim.webhooks.subscribe(url);
  });
  afterEach(async () => {
    await sim.webhooks.idle();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  const ctx = (delivery: VerifiedDelivery): NormalizeContext<ShopifyConfig> => ({
    connectorId: 'shopify-sim',
    connectorType: 'shopify',
    config: configFor(sim),
    receivedAt: new Date().toISOString(),
    delivery,
    lookup: {
      sku: ({ sku, externalIds: { inventoryItemId } = {} }) =>
        sku ?? (inventoryItemId ? (sim.store.variantByInventoryItem(inventoryItemId)?.sku ?? null) : null),
      location: (id) => (id === sim.store.locations[0]?.id ? 'wh-east' : null),
    },
  });

  it('signs deliveries the connector verifies and normalizes, keeping ids beyond 2^53 exact', async () => {
    sim.store.addProduct({ title: 'T-Shirt', variants: [{ sku: 'TSHIRT-M', title: 'M', available: 10 }] });
    const order = sim.store.placeOrder({ lines: [{ sku: 'TSHIRT-M', quantity: 2 }] });
    await sim.webhooks.idle();
    expect(received.map((r) => r.delivery?.topic)).toEqual(['products/create', 'orders/create', 'inventory_levels/update']);
    const orderDelivery = received[1] as { delivery: VerifiedDelivery; body: unknown };
    const [event] = shopifyWebhooks.topics['orders/create'](orderDelivery.body, ctx(orderDelivery.delivery));
    expect(BigInt(order.id)).toBeGreaterThan(2n ** 53n);
    expect(event).toMatchObject({ type: 'order.upserted', source: { externalId: order.id }, data: { lines: [{ sku: 'TSHIRT-M', quantity: 2 }] } });
    const levelDelivery = received[2] as { delivery: VerifiedDelivery; body: unknown };
    const [level] = shopifyWebhooks.topics['inventory_levels/update'](levelDelivery.body, ctx(levelDelivery.delivery));
    expect(level).toMatchObject({ type: 'inventory.level.reported', data: { sku: 'TSHIRT-M', location: 'wh-east', quantity: 8, reporter: 'channel' } });
    // One checkout, two topics, one event id: the dedup keys must still differ.
    expect(orderDelivery.delivery.dedupKey).not.toBe(levelDelivery.delivery.dedupKey);
  });

  it('redelivers under a new webhook id with the same event, duplicates, and forges on request', async () => {
    sim.webhooks.unsubscribeAll();
    const product = sim.store.addProduct({ title: 'Mug', variants: [{ sku: 'MUG' }] });
    const delivery = sim.webhooks.build('products/update', { id: product.id, title: 'Mug', updated_at: '2026-11-24T03:00:00-05:00', variants: [] });
    expect(await sim.webhooks.send(delivery, url)).toBe(200);
    expect(await sim.webhooks.redeliver(delivery, url)).toBe(200);
    expect(await sim.webhooks.duplicate(delivery, url)).toEqual([200, 200]);
    expect(await sim.webhooks.forge(delivery, url)).toBe(401);
    const keys = received.filter((r) => r.delivery).map((r) => r.delivery?.dedupKey);
    expect(new Set(keys).size).toBe(1);
    expect(received.at(-1)?.error).toBeInstanceOf(InvalidSignatureError);
    const webhookIds = sim.webhooks.log.map((r) => r.delivery.webhookId);
    expect(webhookIds[1]).not.toBe(webhookIds[0]);
  });

  it('holds deliveries and releases them out of order', async () => {
    sim.store.addProduct({ title: 'T-Shirt', variants: [{ sku: 'TSHIRT-M', available: 10 }] });
    await sim.webhooks.idle();
    received.length = 0;
    const order = sim.store.placeOrder({ lines: [{ sku: 'TSHIRT-M', quantity: 1 }] });
    sim.webhooks.hold();
    sim.store.touchOrder(order.id);
    sim.store.cancelOrder(order.id);
    const released = sim.webhooks.release('reverse');
    await sim.webhooks.idle();
    expect(released.map((d) => d.topic)).toEqual(['inventory_levels/update', 'orders/updated', 'orders/cancelled', 'orders/updated']);
    const updates = received.filter((r) => r.delivery?.topic === 'orders/updated');
    const versions = updates.map((r) => shopifyWebhooks.topics['orders/updated'](r.body, ctx(r.delivery as VerifiedDelivery))[0]?.source.version ?? '');
    // The newer state (the cancellation) arrived first; its version says so, as an instant.
    expect(Date.parse(versions[0] ?? '')).toBeGreaterThan(Date.parse(versions[1] ?? ''));
  });
});
