import { readFileSync } from 'node:fs';
import nock from 'nock';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MappingError, UpstreamUnavailableError } from '../../core/errors.js';
import type { AvailabilityUpdate } from '../types.js';
import { createShopifyClient } from './client.js';
import { ShopifyConfigSchema } from './config.js';
import { MAX_STALE_ROUNDS, pushAvailability } from './outbound/push-availability.js';
import { expectEveryMockUsed } from '../../../test/helpers/nock.js';

/**
 * The compare-and-set stock push on each supported API version: read Shopify's available, send it
 * as the figure the change is from, and on a stale answer re-read, keep the hub's change, resend.
 */
const BASE = 'https://commerce-hub-demo.myshopify.com';
type Body = { query: string; variables: Record<string, unknown> };
type Fixture = { body: Record<string, unknown> };
const api = (name: string): Fixture => JSON.parse(readFileSync(new URL(`./fixtures/api/${name}.json`, import.meta.url), 'utf8')) as Fixture;

function setup(apiVersion: string, settings: Record<string, unknown> = {}) {
  const config = {
    id: 'shopify-main',
    ...ShopifyConfigSchema.parse({
      settings: { shopDomain: 'commerce-hub-demo.myshopify.com', channel: 'web', locations: { '655441491': 'wh-east' }, apiVersion, ...settings },
      credentials: { accessToken: 'shpat_cas_test', webhookSecret: 'unused' },
    }),
  };
  let t = Date.parse('2026-12-01T12:00:00Z');
  const client = createShopifyClient(config, { logger: pino({ level: 'silent' }), now: () => t, sleep: async (ms) => void (t += ms) }, { minRetryDelayMs: 1 });
  const seen: Body[] = [];
  const path = `/admin/api/${apiVersion}/graphql.json`;
  const reply = (body: unknown, status = 200) =>
    nock(BASE)
      .post(path, (b: Body) => seen.push(b) > 0)
      .reply(status, body);
  /** Answers a levels read with `available` per inventory item id (numeric). */
  const levels = (available: Record<string, number>) =>
    reply({
      data: {
        nodes: Object.entries(available).map(([id, quantity]) => ({
          id: `gid://shopify/InventoryItem/${id}`,
          level: { quantities: [{ name: 'available', quantity }] },
        })),
      },
    });
  return { config, client, seen, reply, levels };
}

const update = (sku: string, available: number, item: string | null): AvailabilityUpdate => ({
  sku,
  channel: 'web',
  available,
  version: 1,
  externalIds: item === null ? {} : { inventoryItemId: item },
});
const input = (b: Body | undefined) => b?.variables['input'] as { quantities: Record<string, unknown>[]; ignoreCompareQuantity?: boolean };
const ok = () => api('inventory-set-quantities/ok').body;

expectEveryMockUsed();

describe('inventorySetQuantities request shape per API version', () => {
  it('2026-10 (default): changeFromQuantity from the read, and an @idempotent key', async () => {
    const { client, config, seen, levels, reply } = setup('2026-10');
    levels({ '11': 10, '12': 4 });
    reply(ok());
    const result = await pushAvailability(client, config.settings, config.id, [update('A', 8, '11'), update('B', 4, '12')]);
    expect(result).toEqual({ pushed: 2, calls: 2, failures: [] });
    const set = seen[1] as Body;
    expect(set.query).toMatch(/inventorySetQuantities\(input: \$input\) @idempotent\(key: \$idempotencyKey\)/);
    expect(set.variables['idempotencyKey']).toMatch(/^[0-9a-f-]{36}$/);
    expect(input(set)).not.toHaveProperty('ignoreCompareQuantity');
    expect(input(set).quantities).toEqual([
      { inventoryItemId: 'gid://shopify/InventoryItem/11', locationId: 'gid://shopify/Location/655441491', quantity: 8, changeFromQuantity: 10 },
      { inventoryItemId: 'gid://shopify/InventoryItem/12', locationId: 'gid://shopify/Location/655441491', quantity: 4, changeFromQuantity: 4 },
    ]);
    expect(seen[0]?.variables).toEqual({
      ids: ['gid://shopify/InventoryItem/11', 'gid://shopify/InventoryItem/12'],
      locationId: 'gid://shopify/Location/655441491',
    });
  });

  it('2026-04: the same shape, since the directive and changeFromQuantity became mandatory there', async () => {
    const { client, config, seen, levels, reply } = setup('2026-04');
    levels({ '11': 3 });
    reply(ok());
    await pushAvailability(client, config.settings, config.id, [update('A', 5, '11')]);
    expect(seen[1]?.query).toContain('@idempotent(key: $idempotencyKey)');
    expect(input(seen[1]).quantities[0]).toMatchObject({ quantity: 5, changeFromQuantity: 3 });
    expect(input(seen[1]).quantities[0]).not.toHaveProperty('compareQuantity');
  });

  it('2025-10: compareQuantity per quantity, no directive', async () => {
    const { client, config, seen, levels, reply } = setup('2025-10');
    levels({ '11': 3 });
    reply(ok());
    await pushAvailability(client, config.settings, config.id, [update('A', 5, '11')]);
    expect(seen[1]?.query).not.toContain('@idempotent');
    expect(seen[1]?.variables).not.toHaveProperty('idempotencyKey');
    expect(input(seen[1])).not.toHaveProperty('ignoreCompareQuantity');
    expect(input(seen[1]).quantities[0]).toEqual({
      inventoryItemId: 'gid://shopify/InventoryItem/11',
      locationId: 'gid://shopify/Location/655441491',
      quantity: 5,
      compareQuantity: 3,
    });
  });

  it('opt-out on 2026-10: no read, an explicit changeFromQuantity null, still an idempotency key', async () => {
    const { client, config, seen, reply } = setup('2026-10', { compareAndSet: false });
    reply(ok());
    expect(await pushAvailability(client, config.settings, config.id, [update('A', 5, '11')])).toEqual({ pushed: 1, calls: 1, failures: [] });
    expect(input(seen[0]).quantities[0]).toHaveProperty('changeFromQuantity', null);
    expect(seen[0]?.variables['idempotencyKey']).toEqual(expect.any(String));
  });

  it('opt-out on 2025-10: ignoreCompareQuantity true', async () => {
    const { client, config, seen, reply } = setup('2025-10', { compareAndSet: false });
    reply(ok());
    await pushAvailability(client, config.settings, config.id, [update('A', 5, '11')]);
    expect(input(seen[0])).toMatchObject({ ignoreCompareQuantity: true });
    expect(input(seen[0]).quantities[0]).not.toHaveProperty('compareQuantity');
  });
});

describe('compare-and-set on a stale answer', () => {
  it('re-reads the item, keeps the hub change on top of the sale, and retries with a new key (2026-10)', async () => {
    const { client, config, seen, levels, reply } = setup('2026-10');
    // The hub read 10 and wants 15 (5 units received); a sale in Shopify leaves 9 before the write.
    levels({ '11': 10 });
    reply(api('inventory-set-quantities/stale-change-from').body);
    levels({ '11': 9 });
    reply(ok());
    const result = await pushAvailability(client, config.settings, config.id, [update('A', 15, '11')]);
    expect(result).toEqual({ pushed: 1, calls: 4, failures: [] });
    expect(input(seen[1]).quantities[0]).toMatchObject({ quantity: 15, changeFromQuantity: 10 });
    expect(input(seen[3]).quantities[0]).toMatchObject({ quantity: 14, changeFromQuantity: 9 });
    expect(seen[3]?.variables['idempotencyKey']).not.toBe(seen[1]?.variables['idempotencyKey']);
  });

  it('does the same on COMPARE_QUANTITY_STALE before 2026-04', async () => {
    const { client, config, seen, levels, reply } = setup('2025-10');
    levels({ '11': 2 });
    reply(api('inventory-set-quantities/stale-compare').body);
    levels({ '11': 1 });
    reply(ok());
    expect((await pushAvailability(client, config.settings, config.id, [update('A', 2, '11')])).failures).toEqual([]);
    expect(input(seen[3]).quantities[0]).toMatchObject({ quantity: 1, compareQuantity: 1 });
  });

  it('never sets a negative quantity when sales took more than the hub had left', async () => {
    const { client, config, seen, levels, reply } = setup('2026-10');
    levels({ '11': 1 });
    reply(api('inventory-set-quantities/stale-change-from').body);
    levels({ '11': -1 });
    reply(ok());
    await pushAvailability(client, config.settings, config.id, [update('A', 1, '11')]);
    expect(input(seen[3]).quantities[0]).toMatchObject({ quantity: 0, changeFromQuantity: -1 });
  });

  it('gives the job back to the queue (retryable) when the figure keeps moving', async () => {
    const { client, config, levels, reply } = setup('2026-10');
    for (let i = 0; i < MAX_STALE_ROUNDS; i++) {
      levels({ '11': 10 - i });
      reply(api('inventory-set-quantities/stale-change-from').body);
    }
    const err = await pushAvailability(client, config.settings, config.id, [update('A', 5, '11')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ retryable: true, message: expect.stringMatching(/kept changing/) });
  });

  it('fails an item Shopify does not stock at the location for good, and sets the others', async () => {
    const { client, config, seen, levels, reply } = setup('2026-10');
    levels({ '11': 3 });
    reply(ok());
    const result = await pushAvailability(client, config.settings, config.id, [update('A', 5, '11'), update('GONE', 2, '99')]);
    expect(result.pushed).toBe(1);
    expect(result.failures.map((f) => [f.sku, f.error.code])).toEqual([['GONE', 'not_found']]);
    expect(input(seen[1]).quantities).toHaveLength(1);
  });
});

describe('retryable and permanent failures of one batch', () => {
  it('carry the unpushable SKU apart on the retryable error', async () => {
    const { client, config } = setup('2026-10');
    for (let i = 0; i < 3; i++) nock(BASE).post('/admin/api/2026-10/graphql.json').reply(503, { errors: 'Service Unavailable' });
    const err = await pushAvailability(client, config.settings, config.id, [update('A', 5, '11'), update('NEW', 1, null)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    const failures = (err as { pushFailures?: { sku: string; error: unknown }[] }).pushFailures ?? [];
    expect(failures.map((f) => f.sku)).toEqual(['NEW']);
    expect(failures[0]?.error).toBeInstanceOf(MappingError);
  });
});
