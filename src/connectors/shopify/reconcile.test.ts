import { readFileSync } from 'node:fs';
import nock from 'nock';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RateLimitedError, UpstreamUnavailableError } from '../../core/errors.js';
import type { ChannelStockItem } from '../types.js';
import { ShopifyConfigSchema, type ShopifyConfig } from './config.js';
import { createShopifyConnectorClient } from './index.js';
import { inventoryItemFields, readLocations } from './reconcile/stock-levels.js';
import { expectEveryMockUsed } from '../../../test/helpers/nock.js';

const BASE = 'https://commerce-hub-demo.myshopify.com';
const PATH = '/admin/api/2026-10/graphql.json';
const FILE_HOST = 'https://storage.googleapis.com';
const FILE_PATH = '/shopify-tiers-assets-prod-us-east1/bulk-operation-outputs/720918-export.jsonl';
const fixture = (name: string) => readFileSync(new URL(`./fixtures/api/bulk-operations/${name}`, import.meta.url), 'utf8');
const api = (name: string) => JSON.parse(fixture(`${name}.json`)) as { status: number; headers: Record<string, string>; body: Record<string, unknown> };

function config(settings: Record<string, unknown> = {}): ShopifyConfig & { id: string } {
  return {
    id: 'shopify-main',
    ...ShopifyConfigSchema.parse({
      settings: {
        shopDomain: 'commerce-hub-demo.myshopify.com',
        channel: 'web',
        pushLocationId: '655441491',
        locations: { '655441491': 'wh-east', '655441492': 'wh-west' },
        ...settings,
      },
      credentials: { accessToken: 'shpat_reconcile_test', webhookSecret: 'unused' },
    }),
  };
}

const client = (settings: Record<string, unknown> = {}) =>
  createShopifyConnectorClient(config(settings), { logger: pino({ level: 'silent' }), sleep: async () => undefined });

function reply(name: string, seen: { query: string; variables: Record<string, unknown> }[] = []) {
  const f = api(name);
  nock(BASE)
    .post(PATH, (body: { query: string; variables: Record<string, unknown> }) => {
      seen.push(body);
      return true;
    })
    .matchHeader('x-shopify-access-token', 'shpat_reconcile_test')
    .reply(f.status, f.body, f.headers);
  return seen;
}

async function all(pages: AsyncIterable<ChannelStockItem[]>): Promise<ChannelStockItem[]> {
  const out: ChannelStockItem[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

expectEveryMockUsed();

describe('Shopify readStockLevels (bulk export)', () => {
  it('runs a bulk query of inventory items, waits for it, and streams the file without the access token', async () => {
    const seen = reply('run-created');
    reply('status-running', seen);
    reply('status-completed', seen);
    nock(FILE_HOST, { badheaders: ['x-shopify-access-token'] })
      .get(FILE_PATH)
      .query(true)
      .reply(200, fixture('inventory-items.jsonl'));
    const items = await all(client().readStockLevels());
    expect(seen[0]!.variables['query']).toContain('inventoryItems');
    expect(seen[0]!.variables['query']).toContain('l0: inventoryLevel(locationId: "gid://shopify/Location/655441491")');
    expect(seen.slice(1).map((s) => s.variables['id'])).toEqual(['gid://shopify/BulkOperation/720918', 'gid://shopify/BulkOperation/720918']);
    expect(items).toEqual([
      {
        sku: 'TSHIRT-M',
        externalIds: { inventoryItemId: '9007199254741993', variantId: '9007199254741992' },
        levels: [
          { location: '655441491', available: 7, pushed: true },
          { location: '655441492', available: 0, pushed: false },
        ],
      },
      // Oversold (negative) is read as is; not stocked at the second location: no level there.
      {
        sku: 'TSHIRT-L',
        externalIds: { inventoryItemId: '9007199254741995', variantId: '9007199254741994' },
        levels: [{ location: '655441491', available: -2, pushed: true }],
      },
      // The untracked gift card is left out; an item without SKU is kept (its ids may map it).
      {
        sku: null,
        externalIds: { inventoryItemId: '9007199254741999', variantId: '9007199254741998' },
        levels: [
          { location: '655441491', available: 3, pushed: true },
          { location: '655441492', available: 1, pushed: false },
        ],
      },
    ]);
  });

  it('waits (rate limited) when another bulk query of the app is running', async () => {
    reply('run-in-progress');
    await expect(all(client().readStockLevels())).rejects.toBeInstanceOf(RateLimitedError);
  });

  it("fails retryably when the export fails on Shopify's side", async () => {
    reply('run-created');
    reply('status-failed');
    await expect(all(client().readStockLevels())).rejects.toThrow(UpstreamUnavailableError);
  });

  it('reads the push location first, then every mapped location, and refuses ids it cannot put in a query', () => {
    expect(readLocations(config({ pushLocationId: '655441492' }).settings, 'shopify-main').map((l) => [l.key, l.pushed])).toEqual([
      ['655441492', true],
      ['655441491', false],
    ]);
    expect(() => readLocations(config({ pushLocationId: undefined, locations: { 'main" } evil': 'wh-east' } }).settings, 'shopify-main')).toThrow(
      /not a Shopify location id/,
    );
    expect(inventoryItemFields([{ key: '1', gid: 'gid://shopify/Location/1', pushed: true }])).toBe(
      'id sku tracked variant { id } l0: inventoryLevel(locationId: "gid://shopify/Location/1") { quantities(names: ["available"]) { name quantity } }',
    );
  });
});
