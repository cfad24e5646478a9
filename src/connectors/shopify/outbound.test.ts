import { readFileSync } from 'node:fs';
import nock from 'nock';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AuthError, ContractError, MappingError, NetworkError, RateLimitedError, UpstreamUnavailableError, ValidationError } from '../../core/errors.js';
import type { Shipment } from '../../core/model/index.js';
import type { AvailabilityUpdate, NormalizeContext } from '../types.js';
import { type ShopifyClientOptions, createShopifyClient } from './client.js';
import { type ShopifyConfig, ShopifyConfigSchema } from './config.js';
import { createShopifyConnectorClient, shopifyWebhooks } from './index.js';
import { createFulfillment } from './outbound/create-fulfillment.js';
import { pushAvailability } from './outbound/push-availability.js';
import { pollOrdersSince } from './poll.js';
import { clockDeps, virtualClock } from '../../../test/helpers/clock.js';
import { expectEveryMockUsed } from '../../../test/helpers/nock.js';

const BASE = 'https://commerce-hub-demo.myshopify.com';
const PATH = '/admin/api/2025-07/graphql.json';
const T0 = Date.parse('2026-11-24T12:00:00Z');

interface ApiFixture {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}
const api = (name: string): ApiFixture => JSON.parse(readFileSync(new URL(`./fixtures/api/${name}.json`, import.meta.url), 'utf8')) as ApiFixture;

function configWith(settings: Record<string, unknown> = {}): ShopifyConfig & { id: string } {
  return {
    id: 'shopify-main',
    ...ShopifyConfigSchema.parse({
      settings: {
        shopDomain: 'commerce-hub-demo.myshopify.com',
        channel: 'web',
        locations: { '655441491': 'wh-east' },
        apiVersion: '2025-07',
        compareAndSet: false,
        ...settings,
      },
      credentials: { accessToken: 'shpat_outbound_test', webhookSecret: 'unused' },
    }),
  };
}

function setup(settings: Record<string, unknown> = {}, options: ShopifyClientOptions = {}) {
  const clock = virtualClock(T0);
  const config = configWith(settings);
  const client = createShopifyClient(config, clockDeps(clock), { minRetryDelayMs: 1, ...options });
  return { clock, config, client };
}

/** Queues one reply and records the GraphQL request it answers. */
function reply(fixture: ApiFixture, seen: { query: string; variables: Record<string, unknown> }[] = [], status = fixture.status) {
  nock(BASE)
    .post(PATH, (body: { query: string; variables: Record<string, unknown> }) => {
      seen.push(body);
      return true;
    })
    .matchHeader('x-shopify-access-token', 'shpat_outbound_test')
    .reply(status, fixture.body, fixture.headers);
  return seen;
}

const update = (sku: string, available: number, item: string | null, version = 1): AvailabilityUpdate => ({
  sku,
  channel: 'web',
  available,
  version,
  externalIds: item === null ? {} : { inventoryItemId: item, variantId: '1' },
});
type Quantity = { inventoryItemId: string; locationId: string; quantity: number; changeFromQuantity?: null };
const quantitiesOf = (body: { variables: Record<string, unknown> }) => (body.variables['input'] as { quantities: Quantity[] }).quantities;

expectEveryMockUsed();

describe('pushAvailability', () => {
  it('sets absolute available quantities in calls of at most 250', async () => {
    const { client, config } = setup();
    const seen = reply(api('inventory-set-quantities/ok'));
    reply(api('inventory-set-quantities/ok'), seen);
    reply(api('inventory-set-quantities/ok'), seen);
    const updates = Array.from({ length: 600 }, (_, i) => update(`SKU-${i}`, i, String(46_000_000_000_000_000_000n + BigInt(i))));
    const result = await pushAvailability(client, config.settings, config.id, updates);
    expect(result).toEqual({ pushed: 600, calls: 3, failures: [] });
    expect(seen.map((b) => quantitiesOf(b).length)).toEqual([250, 250, 100]);
    const input = seen[0]?.variables['input'] as Record<string, unknown>;
    expect(input).toMatchObject({ name: 'available', reason: 'correction', ignoreCompareQuantity: true });
    expect(quantitiesOf(seen[0] as never)[1]).toEqual({
      inventoryItemId: 'gid://shopify/InventoryItem/46000000000000000001',
      locationId: 'gid://shopify/Location/655441491',
      quantity: 1,
    });
    expect(seen[0]?.query).toMatch(/inventorySetQuantities\(input: \$input\)/);
  });

  it('sends only the newest value when one SKU appears twice in a batch', async () => {
    const { client, config } = setup();
    const seen = reply(api('inventory-set-quantities/ok'));
    const result = await pushAvailability(client, config.settings, config.id, [update('A', 5, '11', 7), update('A', 3, '11', 9), update('A', 4, '11', 8)]);
    expect(quantitiesOf(seen[0] as never)).toEqual([expect.objectContaining({ quantity: 3 })]);
    expect(result).toEqual({ pushed: 3, calls: 1, failures: [] });
  });

  it('waits for the cost bucket when throttled, then sets the quantities', async () => {
    const { client, config, clock } = setup();
    reply(api('inventory-set-quantities/throttled'));
    reply(api('inventory-set-quantities/ok'));
    const result = await pushAvailability(client, config.settings, config.id, [update('A', 5, '11')]);
    expect(result).toEqual({ pushed: 1, calls: 2, failures: [] });
    // 8 points short at 50 points/s.
    expect(clock.sleeps).toEqual([160]);
    expect(client.stats.throttledResponses).toBe(1);
  });

  it('waits before calling when the last response left the bucket short', async () => {
    const { client, config, clock } = setup();
    const low = api('inventory-set-quantities/ok');
    (low.body['extensions'] as { cost: { throttleStatus: { currentlyAvailable: number } } }).cost.throttleStatus.currentlyAvailable = 4;
    reply(low);
    reply(api('inventory-set-quantities/ok'));
    await pushAvailability(client, config.settings, config.id, [update('A', 5, '11')]);
    await pushAvailability(client, config.settings, config.id, [update('B', 5, '12')]);
    expect(clock.sleeps).toEqual([120]);
    expect(client.stats.throttledResponses).toBe(0);
  });

  it('hands a long throttle back to the queue as RateLimitedError with the wait', async () => {
    const { client, config } = setup({}, { maxThrottleWaitMs: 5_000 });
    const slow = api('inventory-set-quantities/throttled');
    (slow.body['extensions'] as { cost: { throttleStatus: { restoreRate: number } } }).cost.throttleStatus.restoreRate = 1;
    reply(slow);
    const err = await pushAvailability(client, config.settings, config.id, [update('A', 5, '11')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 8000 });
  });

  it('honours Retry-After on an HTTP 429', async () => {
    const { client, config, clock } = setup();
    reply(api('inventory-set-quantities/http-429'));
    reply(api('inventory-set-quantities/ok'));
    expect(await pushAvailability(client, config.settings, config.id, [update('A', 5, '11')])).toMatchObject({ pushed: 1, calls: 2 });
    expect(clock.sleeps).toEqual([2000]);
  });

  it('retries a 5xx in-call and succeeds', async () => {
    const { client, config } = setup();
    reply(api('inventory-set-quantities/http-503'));
    reply(api('inventory-set-quantities/http-503'), [], 502);
    reply(api('inventory-set-quantities/ok'));
    expect(await pushAvailability(client, config.settings, config.id, [update('A', 5, '11')])).toEqual({ pushed: 1, calls: 3, failures: [] });
    expect(client.stats.retries).toBe(2);
  });

  it('classifies a lasting 5xx as retryable UpstreamUnavailableError for the queue', async () => {
    const { client, config } = setup();
    for (let i = 0; i < 3; i++) reply(api('inventory-set-quantities/http-503'));
    const err = await pushAvailability(client, config.settings, config.id, [update('A', 5, '11')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ retryable: true, code: 'upstream_unavailable', connectorId: 'shopify-main' });
    expect((err as Error).message).toContain('HTTP 503: Service Unavailable');
  });

  it('gives up on a timeout as a retryable NetworkError', async () => {
    const { client, config } = setup({ requestTimeoutMs: 100 }, { retries: 0 });
    nock(BASE).post(PATH).delay(1000).reply(200, api('inventory-set-quantities/ok').body);
    const err = await pushAvailability(client, config.settings, config.id, [update('A', 5, '11')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    // Logged the way pino logs errors, it still carries no token.
    expect(JSON.stringify(pino.stdSerializers.err(err as Error))).not.toContain('shpat_');
  });

  it('fails a 401 once as AuthError, without retrying', async () => {
    const { client, config } = setup();
    reply(api('inventory-set-quantities/http-401'));
    const err = await pushAvailability(client, config.settings, config.id, [update('A', 5, '11')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ retryable: false, code: 'auth_failed' });
    expect(client.stats.calls).toBe(1);
  });

  it('fails a deleted variant permanently and still sets the other SKUs', async () => {
    const { client, config } = setup();
    const seen = reply(api('inventory-set-quantities/deleted-item'));
    reply(api('inventory-set-quantities/ok'), seen);
    const result = await pushAvailability(client, config.settings, config.id, [update('A', 5, '11'), update('GONE', 2, '12'), update('C', 9, '13')]);
    expect(result.pushed).toBe(2);
    expect(result.calls).toBe(2);
    expect(quantitiesOf(seen[1] as never).map((q) => q.inventoryItemId)).toEqual(['gid://shopify/InventoryItem/11', 'gid://shopify/InventoryItem/13']);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]?.sku).toBe('GONE');
    expect(result.failures[0]?.error).toBeInstanceOf(ContractError);
    expect(result.failures[0]?.error).toMatchObject({
      retryable: false,
      code: 'not_found',
      field: 'externalIds.inventoryItemId',
      value: 'gid://shopify/InventoryItem/12',
    });
  });

  it('fails every SKU of a call rejected as a whole', async () => {
    const { client, config } = setup();
    reply(api('inventory-set-quantities/invalid-reason'));
    const result = await pushAvailability(client, config.settings, config.id, [update('A', 5, '11'), update('B', 2, '12')]);
    expect(result.pushed).toBe(0);
    expect(result.failures.map((f) => [f.sku, f.error.code])).toEqual([
      ['A', 'contract_rejected'],
      ['B', 'contract_rejected'],
    ]);
  });

  it('fails a SKU without a Shopify inventory item id before any call', async () => {
    const { client, config } = setup();
    const result = await pushAvailability(client, config.settings, config.id, [update('NEW', 5, null)]);
    expect(result).toMatchObject({ pushed: 0, calls: 0 });
    expect(result.failures[0]?.error).toBeInstanceOf(MappingError);
    expect(result.failures[0]?.error.field).toBe('externalIds.inventoryItemId');
  });

  it('needs a push location when several Shopify locations are mapped', async () => {
    const { client, config } = setup({ locations: { '1': 'wh-east', '2': 'wh-west' } });
    const result = await pushAvailability(client, config.settings, config.id, [update('A', 5, '11')]);
    expect(result.failures[0]?.error).toMatchObject({ code: 'unmapped_location', field: 'settings.pushLocationId' });
  });

  it('is what the connector client exposes', async () => {
    const connectorClient = createShopifyConnectorClient(configWith({ pushLocationId: 'gid://shopify/Location/777' }), clockDeps(virtualClock(T0)));
    const seen = reply(api('inventory-set-quantities/ok'));
    expect(await connectorClient.pushAvailability([update('A', 5, '11')])).toEqual({ pushed: 1, calls: 1, failures: [] });
    expect(quantitiesOf(seen[0] as never)[0]?.locationId).toBe('gid://shopify/Location/777');
  });
});

const shipment: Shipment = {
  externalShipmentId: 'tpl-shipment-88',
  channel: 'web',
  externalOrderId: '5678901234567890123',
  location: 'wh-east',
  shippedAt: '2026-11-25T15:20:00.000Z',
  lines: [
    { externalLineId: '13688971493691', sku: 'TSHIRT-BLK-M', quantity: 2 },
    { sku: 'MUG-WHT', quantity: 1 },
  ],
  tracking: { number: '1Z999AA10123456784', company: 'UPS', url: 'https://www.ups.com/track?tracknum=1Z999AA10123456784' },
};

describe('createFulfillment', () => {
  it('fulfils the matching fulfilment-order lines with tracking number, company and URL', async () => {
    const { client, config } = setup();
    const seen = reply(api('fulfillment/state-open'));
    reply(api('fulfillment/create-ok'), seen);
    await createFulfillment(client, config.settings, config.id, shipment, {});
    expect(seen[0]?.variables).toEqual({ id: 'gid://shopify/Order/5678901234567890123' });
    expect(seen[1]?.variables['fulfillment']).toEqual({
      notifyCustomer: true,
      lineItemsByFulfillmentOrder: [
        {
          fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/6012345678901',
          fulfillmentOrderLineItems: [{ id: 'gid://shopify/FulfillmentOrderLineItem/7012345678901', quantity: 2 }],
        },
        {
          fulfillmentOrderId: 'gid://shopify/FulfillmentOrder/6012345678902',
          fulfillmentOrderLineItems: [{ id: 'gid://shopify/FulfillmentOrderLineItem/7012345678903', quantity: 1 }],
        },
      ],
      trackingInfo: { number: '1Z999AA10123456784', company: 'UPS', url: 'https://www.ups.com/track?tracknum=1Z999AA10123456784' },
    });
    expect(seen[1]?.query).toMatch(/fulfillmentCreate\(fulfillment: \$fulfillment\)/);
  });

  it('does nothing when a fulfilment with this tracking number exists (an earlier attempt succeeded)', async () => {
    const { client, config } = setup();
    reply(api('fulfillment/state-fulfilled'));
    await createFulfillment(client, config.settings, config.id, shipment, {});
    expect(client.stats.calls).toBe(1);
  });

  it('refuses, naming the line, a shipment with more units than are left to fulfil', async () => {
    const { client, config } = setup();
    reply(api('fulfillment/state-open'));
    const tooMany = { ...shipment, lines: [{ sku: 'TSHIRT-BLK-L', quantity: 3 }] };
    const err = await createFulfillment(client, config.settings, config.id, tooMany, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContractError);
    expect(err).toMatchObject({ retryable: false, field: 'lines[0]' });
    expect((err as Error).message).toMatch(/line 1 \(SKU TSHIRT-BLK-L\) has 2 of 3 units with nothing left to fulfil/);
  });

  it('refuses an order Shopify does not know', async () => {
    const { client, config } = setup();
    reply({ status: 200, headers: {}, body: { data: { order: null } } });
    await expect(createFulfillment(client, config.settings, config.id, shipment, { orderId: '1' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('turns userErrors into a permanent ContractError', async () => {
    const { client, config } = setup();
    reply(api('fulfillment/state-open'));
    reply({
      status: 200,
      headers: {},
      body: { data: { fulfillmentCreate: { fulfillment: null, userErrors: [{ field: ['fulfillment'], message: 'Fulfillment order is on hold' }] } } },
    });
    await expect(createFulfillment(client, config.settings, config.id, shipment, {})).rejects.toThrow(/on hold/);
  });

  it('never repeats the create in-call after a 5xx (the queue retries, and the read comes first)', async () => {
    const { client, config } = setup();
    reply(api('fulfillment/state-open'));
    reply(api('inventory-set-quantities/http-503'));
    await expect(createFulfillment(client, config.settings, config.id, shipment, {})).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect(client.stats.calls).toBe(2);
  });
});

describe('pollOrdersSince', () => {
  const ctx = (config: ShopifyConfig): NormalizeContext<ShopifyConfig> => ({
    connectorId: 'shopify-main',
    connectorType: 'shopify',
    config,
    receivedAt: '2026-11-24T12:00:00.000Z',
    delivery: { dedupKey: 'poll', topic: 'orders/updated' },
    lookup: { sku: ({ sku }) => sku ?? null, location: () => 'wh-east' },
  });

  it('reads orders updated since the cursor, page by page, in the webhook shape', async () => {
    const { client, config, clock } = setup();
    const seen = reply(api('orders/page-1'));
    reply(api('orders/lines-page-2'), seen);
    reply(api('orders/page-2'), seen);
    const pages = [];
    for await (const page of pollOrdersSince(client, null, clock.now)) pages.push(page);
    expect(seen[0]?.variables).toMatchObject({ query: "updated_at:>='2026-11-23T12:00:00.000Z'", after: null });
    expect(seen[1]?.variables).toMatchObject({ id: 'gid://shopify/Order/5678901234567890123', after: 'eyJsYXN0X2lkIjoxfQ==' });
    expect(seen[2]?.variables['after']).toBe('eyJsYXN0X2lkIjo1Njc4OTAxMjM0NTY3ODkwMTIzfQ==');
    expect(pages.map((p) => [p.orders.length, p.cursor, p.topic])).toEqual([
      [2, '2026-11-24T09:20:00.000Z', 'orders/updated'],
      [1, '2026-11-24T10:00:00.000Z', 'orders/updated'],
    ]);
    const normalize = shopifyWebhooks.topics['orders/updated'];
    const [event] = normalize(pages[0]?.orders[0], ctx(config));
    expect(event).toMatchObject({ type: 'order.upserted', source: { externalId: '5678901234567890123', version: '2026-11-24T09:15:00.000Z' } });
    expect(event?.type === 'order.upserted' && event.data.lines.map((l) => [l.sku, l.quantity])).toEqual([
      ['TSHIRT-BLK-M', 1],
      ['MUG-WHT', 1],
    ]);
  });

  it('resumes from a cursor, inclusively', async () => {
    const { client } = setup();
    const seen = reply(api('orders/page-2'));
    const pages = [];
    for await (const page of pollOrdersSince(client, '2026-11-24T09:20:00.000Z')) pages.push(page);
    expect(seen[0]?.variables['query']).toBe("updated_at:>='2026-11-24T09:20:00.000Z'");
    expect(pages).toHaveLength(1);
  });

  it('refuses a cursor that is not an instant', async () => {
    const { client } = setup();
    await expect(pollOrdersSince(client, 'last tuesday').next()).rejects.toBeInstanceOf(ValidationError);
  });
});
