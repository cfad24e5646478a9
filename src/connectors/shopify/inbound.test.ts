import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { HubError, MappingError } from '../../core/errors.js';
import { type CanonicalEvent, CanonicalEventSchema } from '../../core/model/index.js';
import { parseJsonPreservingIds } from '../http/json.js';
import type { NormalizeContext, VerifiedDelivery } from '../types.js';
import { type ShopifyConfig, ShopifyConfigSchema } from './config.js';
import { shopifyWebhooks } from './index.js';
import { verifyShopifyWebhook } from './verify.js';

/**
 * One table test over fixtures/webhooks/<topic>/<case>.json. Each case is { doc, apiVersion,
 * headers, body } built from Shopify's documented payload; it is signed here with a test secret,
 * verified, normalized with the mappings of fixtures/webhooks/lookup.json, and compared with
 * <case>.expected.json: the canonical events, or { error: { code, connector, field, message, issues? } }.
 * UPDATE_FIXTURES=1 writes a missing expectation (review it before committing).
 */
const ROOT = fileURLToPath(new URL('./fixtures/webhooks/', import.meta.url));
const SECRET = 'fixture-webhook-secret';
const CONNECTOR = 'shopify-main';

interface Lookup {
  channel: string;
  skus: Record<string, string>;
  variants: Record<string, string>;
  inventoryItems: Record<string, string>;
  locations: Record<string, string>;
}
const lookup = JSON.parse(readFileSync(join(ROOT, 'lookup.json'), 'utf8')) as Lookup;

const fixtureConfig: ShopifyConfig = ShopifyConfigSchema.parse({
  settings: { shopDomain: 'commerce-hub-demo.myshopify.com', channel: lookup.channel, locations: lookup.locations },
  credentials: { accessToken: 'shpat_fixture', webhookSecret: SECRET },
});

function context(delivery: VerifiedDelivery): NormalizeContext<ShopifyConfig> {
  return {
    connectorId: CONNECTOR,
    connectorType: 'shopify',
    config: fixtureConfig,
    receivedAt: '2026-12-01T00:00:00.000Z',
    delivery,
    lookup: {
      sku: ({ sku, externalIds: { variantId, inventoryItemId } = {} }) =>
        (sku ? lookup.skus[sku] : undefined) ??
        (variantId ? lookup.variants[variantId] : undefined) ??
        (inventoryItemId ? lookup.inventoryItems[inventoryItemId] : undefined) ??
        null,
      location: (id) => lookup.locations[id] ?? null,
    },
  };
}

interface Case {
  name: string;
  file: string;
  doc: string;
  apiVersion: string;
  headers: Record<string, string>;
  rawBody: Buffer;
}

function loadCases(): Case[] {
  const cases: Case[] = [];
  for (const folder of readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(ROOT, folder.name)).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))) {
      const path = join(ROOT, folder.name, file);
      // Lossless parse and stringify: the raw body keeps Shopify's bare ids beyond 2^53.
      const fixture = parse(readFileSync(path, 'utf8')) as { doc: string; apiVersion: string; headers: Record<string, string>; body: unknown };
      cases.push({
        name: `${folder.name}/${file.replace(/\.json$/, '')}`,
        file: path,
        doc: fixture.doc,
        apiVersion: fixture.apiVersion,
        headers: fixture.headers,
        rawBody: Buffer.from(stringify(fixture.body) ?? ''),
      });
    }
  }
  return cases.sort((a, b) => a.name.localeCompare(b.name));
}

/** Signs, verifies and normalizes a case: the path a delivery takes through ingress and the inbound worker. */
function run(c: Pick<Case, 'headers' | 'rawBody'>): { delivery: VerifiedDelivery; events?: CanonicalEvent[]; error?: unknown } {
  const headers = Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k.toLowerCase(), v]));
  headers['x-shopify-hmac-sha256'] = createHmac('sha256', SECRET).update(c.rawBody).digest('base64');
  const webhooks = shopifyWebhooks;
  // Verified as on the day the fixture was delivered (deliveries older than Shopify's retry window are refused).
  const delivery = verifyShopifyWebhook({ headers, rawBody: c.rawBody }, fixtureConfig, Date.parse(headers['x-shopify-triggered-at'] ?? '') || Date.now());
  const normalize = (webhooks.topics as Record<string, (typeof webhooks.topics)['orders/create']>)[delivery.topic];
  if (!normalize) throw new Error(`no normalizer for ${delivery.topic}`);
  try {
    return { delivery, events: normalize(parseJsonPreservingIds(c.rawBody.toString('utf8')), context(delivery)) };
  } catch (error) {
    return { delivery, error };
  }
}

function errorView(error: unknown): Record<string, unknown> {
  if (!(error instanceof HubError)) throw error;
  return {
    code: error.code,
    connector: error.connectorId,
    field: error.field,
    message: error.message,
    ...(error instanceof MappingError ? { issues: error.issues } : {}),
  };
}

const cases = loadCases();

describe('shopify webhook fixtures', () => {
  it('covers every topic the connector subscribes to', () => {
    const topics = new Set(cases.map((c) => c.headers['X-Shopify-Topic']));
    expect([...topics].sort((p, q) => (p ?? '').localeCompare(q ?? ''))).toEqual(Object.keys(shopifyWebhooks.topics).sort((p, q) => p.localeCompare(q)));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(c.doc).toMatch(/^https:\/\/shopify\.dev\//);
    expect(c.headers['X-Shopify-API-Version']).toBe(c.apiVersion);
    const result = run(c);
    const actual = result.error === undefined ? result.events : { error: errorView(result.error) };
    const expectedFile = c.file.replace(/\.json$/, '.expected.json');
    if (!existsSync(expectedFile) && process.env['UPDATE_FIXTURES'] === '1') {
      writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
    }
    const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as unknown;
    if (result.error === undefined) {
      for (const event of result.events ?? []) expect(CanonicalEventSchema.parse(event)).toEqual(event);
      expect(actual).toEqual(expected);
    } else {
      expect(actual).toMatchObject(expected as object);
    }
  });
});

const byName = new Map(cases.map((c) => [c.name, c]));
const eventsOf = (name: string): CanonicalEvent[] => {
  const result = run(byName.get(name) as Case);
  if (result.error) throw result.error;
  return result.events ?? [];
};

describe('shopify normalizers', () => {
  it('give the same event ids when a payload is normalized again', () => {
    expect(eventsOf('refunds-create/partial-with-restock')).toEqual(eventsOf('refunds-create/partial-with-restock'));
  });

  it('give orders/create and an orders/updated of the same state one idempotency key', () => {
    const c = byName.get('orders-create/multi-line') as Case;
    const asUpdate = run({ ...c, headers: { ...c.headers, 'X-Shopify-Topic': 'orders/updated' } }).events ?? [];
    const [created] = eventsOf('orders-create/multi-line');
    expect(asUpdate[0]?.idempotencyKey).toBe(created?.idempotencyKey);
    expect(asUpdate[0]?.id).not.toBe(created?.id);
  });

  it('key a newer update apart and version it by instant, not by the offset string', () => {
    const [created] = eventsOf('orders-create/multi-line');
    const [edited] = eventsOf('orders-updated/edited-quantities');
    const [older] = eventsOf('orders-updated/older-state-in-utc');
    expect(edited?.idempotencyKey).not.toBe(created?.idempotencyKey);
    // "2026-11-24T08:30:00Z" sorts after "2026-11-24T04:15:00-05:00" as text, yet is 45 minutes earlier.
    expect(Date.parse(older?.source.version ?? '')).toBeLessThan(Date.parse(edited?.source.version ?? ''));
    expect((older?.source.version ?? '') < (edited?.source.version ?? '')).toBe(true);
  });

  it('keep an oversold level as Shopify reported it: available -2, labelled as available', () => {
    const [level] = eventsOf('inventory-levels-update/oversold');
    expect(level?.data).toMatchObject({ sku: 'TSHIRT-BLK-M', quantity: -2, reporter: 'channel', figure: 'available', channel: 'web' });
  });

  it('describe the order in a cancellation, so a cancellation that overtakes the order keeps its number and total', () => {
    const [cancel] = eventsOf('orders-cancelled/cancelled-by-customer');
    expect(cancel?.data).toMatchObject({
      orderNumber: '#1001',
      currency: 'USD',
      total: { amount: '94.80', currency: 'USD' },
      placedAt: '2026-11-24T08:00:00.000Z',
    });
  });

  it('name the refund lines that cancelled unfulfilled units, apart from money-only lines', () => {
    const refund = eventsOf('refunds-create/no-restock-and-cancel').find((e) => e.type === 'refund.created');
    expect(refund?.data).toMatchObject({ cancelledLines: [{ externalLineId: '13688971493692', quantity: 1 }] });
  });

  it('read an update per line and ship its embedded fulfilment under the key fulfillments/create uses', () => {
    const events = eventsOf('orders-updated/fulfilled-with-tracking');
    expect(events.map((e) => e.type)).toEqual(['order.upserted', 'shipment.confirmed']);
    const order = events[0] as Extract<CanonicalEvent, { type: 'order.upserted' }>;
    expect(order.data.lines.map((l) => [l.externalLineId, l.fulfilledQuantity])).toEqual([
      ['13688971493691', 2],
      ['13688971493692', 0],
      ['13688971493693', 0],
      ['13688971493699', 1],
    ]);
    const [fromWebhook] = eventsOf('fulfillments-create/with-tracking');
    // A cancelled fulfilment ships nothing, and the gift-wrapping line (no SKU) moves no stock.
    expect(events[1]?.idempotencyKey).toBe(fromWebhook?.idempotencyKey);
    expect(events[1]?.data).toMatchObject({ lines: [{ sku: 'TSHIRT-BLK-M', quantity: 2 }], tracking: { number: '1Z999AA10123456784', company: 'UPS' } });
  });

  it('leave embedded fulfilments out when the hub is the fulfilment source (ingestFulfillments false)', () => {
    const c = byName.get('orders-updated/fulfilled-with-tracking') as Case;
    const delivery = { dedupKey: 'x', topic: 'orders/updated' };
    const ctx = { ...context(delivery), config: { ...fixtureConfig, settings: { ...fixtureConfig.settings, ingestFulfillments: false } } };
    const events = shopifyWebhooks.topics['orders/updated'](parseJsonPreservingIds(c.rawBody.toString('utf8')), ctx);
    expect(events.map((e) => e.type)).toEqual(['order.upserted']);
  });

  it('keep the discount of a discount code with the order', () => {
    const [order] = eventsOf('orders-create/discount-code');
    expect(order?.data).toMatchObject({ subtotal: { amount: '76.36' }, discounts: { amount: '8.49', currency: 'USD' }, total: { amount: '86.31' } });
  });

  it('report a cancellation once, whichever topic brings it', () => {
    const [fromCancelled] = eventsOf('orders-cancelled/cancelled-by-customer');
    const [fromUpdated] = eventsOf('orders-updated/cancelled-order');
    expect(fromUpdated?.type).toBe('order.cancelled');
    expect(fromUpdated?.idempotencyKey).toBe(fromCancelled?.idempotencyKey);
  });
});
