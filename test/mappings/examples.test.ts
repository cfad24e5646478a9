import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config/load.js';
import { previewMapping } from '../../src/cli/mappings.js';

const EXAMPLES = join(import.meta.dirname, '../../config/examples');
const ENV = {
  ACME_WEBHOOK_SECRET: 'acme-test-secret-0123456789',
  B2B_PORTAL_TOKEN: 'portal-token-0123456789',
  AMAZON_LWA_CLIENT_ID: 'amzn1.application-oa2-client.example',
  AMAZON_LWA_CLIENT_SECRET: 'amzn-example-secret',
  AMAZON_LWA_REFRESH_TOKEN: 'Atzr|example-refresh-token',
  AMAZON_RELAY_SECRET: 'relay-secret-0123456789abcdef',
  EBAY_CLIENT_ID: 'Example-App-PRD-0123456789',
  EBAY_CLIENT_SECRET: 'PRD-example-cert',
  EBAY_REFRESH_TOKEN: 'v^1.1#example-refresh-token',
  WALMART_CLIENT_ID: 'walmart-example-client',
  WALMART_CLIENT_SECRET: 'walmart-example-secret',
  SHOPIFY_ACCESS_TOKEN: 'shpat_example',
  SHOPIFY_WEBHOOK_SECRET: 'shopify-example-secret',
  SHIPSTATION_API_KEY: 'ss-example-key',
  SHIPSTATION_API_SECRET: 'ss-example-secret',
  SHIPSTATION_WEBHOOK_TOKEN: 'ss-example-token-0123456789',
  EASYPOST_API_KEY: 'EZAK-example',
  EASYPOST_WEBHOOK_SECRET: 'easypost-example-secret',
  QBO_CLIENT_ID: 'qbo-example-client',
  QBO_CLIENT_SECRET: 'qbo-example-secret',
  QBO_REFRESH_TOKEN: 'qbo-example-refresh',
  QBO_VERIFIER_TOKEN: 'qbo-example-verifier',
};
const load = (file: string) => parseConfig(readFileSync(join(EXAMPLES, file), 'utf8'), ENV, EXAMPLES);

describe('config/examples', () => {
  it.each(readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')))('%s is a valid config', (file) => {
    const result = load(file);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it('hub mappings test previews a notice without side effects, and names the failing rule', async () => {
    const result = load('acme-3pl.yaml');
    if (!result.ok) throw new Error('example invalid');
    const text = readFileSync(join(EXAMPLES, 'acme-3pl/receipt-notice.json'), 'utf8');
    const ok = await previewMapping(result.config, 'acme-3pl', 'receipt.completed', text);
    expect(ok.exitCode).toBe(0);
    expect((ok.output as { data: unknown }[]).map((e) => e.data)).toMatchObject([
      { sku: 'TEE-BLK-M', location: 'acme-reno', delta: 48, reason: '3pl receipt' },
      { sku: 'MUG-WHT', location: 'acme-reno', delta: 10, reason: '3pl receipt' },
    ]);
    const bad = await previewMapping(result.config, 'acme-3pl', 'receipt.completed', text.replace('"RNO1"', '"LAX9"'));
    expect(bad.exitCode).toBe(2);
    expect(bad.output).toMatchObject({ error: { code: 'unmapped_location', connector: 'acme-3pl', field: '[0]data.location' } });
    expect(JSON.stringify(bad.output)).toContain('rule: map location via settings.locations');
  });

  it('reports a missing CSV SKU map with its config path', () => {
    const text = readFileSync(join(EXAMPLES, 'acme-3pl.yaml'), 'utf8').replace('acme-3pl-skus.csv', 'missing.csv');
    const result = parseConfig(text, ENV, EXAMPLES);
    expect(result.ok ? [] : result.issues).toEqual([
      { path: 'connectors[acme-3pl].settings.skuMap.csv', message: expect.stringContaining('cannot read SKU map') },
    ]);
  });
});
