import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizePayload } from './normalize.js';

const fixture = (path: string) => readFileSync(new URL(`../connectors/shopify/fixtures/webhooks/${path}.json`, import.meta.url), 'utf8');
const instance = { id: 'shopify-eu', settings: { channel: 'web-eu', locations: { 'gid://shopify/Location/655441491': 'wh-east' } } };

describe('hub normalize', () => {
  it('prints the canonical events of a payload, with identity SKUs and no config', async () => {
    const { exitCode, output } = await normalizePayload('shopify', 'orders/create', fixture('orders-create/multi-line'));
    expect(exitCode).toBe(0);
    expect(output).toMatchObject([
      { type: 'order.upserted', source: { connector: 'shopify' }, data: { channel: 'shopify', lines: [{ sku: 'TSHIRT-BLK-M' }, {}, {}] } },
    ]);
  });

  it('maps locations through the configured instance, whichever id form its keys use', async () => {
    const { exitCode, output } = await normalizePayload('shopify', 'fulfillments/create', fixture('fulfillments-create/with-tracking'), { instance });
    expect(exitCode).toBe(0);
    expect(output).toMatchObject([{ type: 'shipment.confirmed', source: { connector: 'shopify-eu' }, data: { channel: 'web-eu', location: 'wh-east' } }]);
  });

  it('accepts a bare payload as well as a fixture file', async () => {
    const body = JSON.stringify((JSON.parse(fixture('inventory-levels-update/admin-edit')) as { body: unknown }).body);
    expect((await normalizePayload('shopify', 'inventory_levels/update', body)).exitCode).toBe(0);
  });

  it.each([
    ['an unknown connector type', 'amazon', 'orders/create', '{}', { code: 'invalid_value', field: 'connectorType' }],
    ['an unknown topic', 'shopify', 'orders/paid', '{}', { code: 'invalid_value', field: 'topic' }],
    ['a body that is not JSON', 'shopify', 'orders/create', '{"id": 1,', { code: 'invalid_value', field: 'payload' }],
    ['a body that is not an order', 'shopify', 'orders/create', '{"id": 1}', { code: 'missing_field', connector: 'shopify', field: 'name' }],
  ])('answers %s with exit 2 and a JSON error', async (_name, type, topic, text, error) => {
    expect(await normalizePayload(type, topic, text)).toMatchObject({ exitCode: 2, output: { error } });
  });

  it('names connector, field and reason for an unmapped location, with every issue', async () => {
    const { exitCode, output } = await normalizePayload('shopify', 'refunds/create', fixture('refunds-create/return-to-unmapped-location'), { instance });
    expect(exitCode).toBe(2);
    expect(output).toMatchObject({
      error: {
        code: 'unmapped_location',
        connector: 'shopify-eu',
        field: 'refund_line_items[0].location_id',
        message: expect.stringContaining('Shopify location 655441499 is not mapped') as string,
        issues: [{ code: 'unmapped_location' }, { code: 'missing_field' }],
      },
    });
  });
});
