import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { knownConnectorTypes } from '../../connectors/registry.js';
import { parseConfig } from './load.js';
import { redact } from './redact.js';

const minimal = (connector: string) => `
locations: [{ id: wh-east, kind: warehouse }]
channels: [{ id: web, locations: [wh-east] }]
connectors:
${connector}
`;

const shopify = (credentials: string) => `  - id: shopify-main
    type: shopify
    settings: { shopDomain: my-shop.myshopify.com, channel: web }
    credentials: ${credentials}`;

describe('parseConfig', () => {
  it('accepts the shipped config/hub.yaml with defaults filled in', () => {
    const result = parseConfig(readFileSync('config/hub.yaml', 'utf8'), {});
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.channels[0]?.locations).toEqual(['wh-east', 'wh-west']);
    expect(result.config.connectors[0]?.retry.attempts).toBe(8);
    expect(result.config.queues.prefix).toBe('{hub}');
  });

  it('reports every problem of a config with three mistakes, each with its key path', () => {
    const result = parseConfig(readFileSync('test/fixtures/config/three-mistakes.yaml', 'utf8'), {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { path: 'connectors[0].credentials.accessToken', message: 'required' },
      { path: 'connectors[1].type', message: `unknown connector type "amazon-sellers"; known types: ${knownConnectorTypes().join(', ')}` },
      { path: 'channels[0].locations[1]', message: 'unknown location "wh-nowhere"' },
    ]);
  });

  it('names a missing environment variable and never prints the values of the others', () => {
    const result = parseConfig(minimal(shopify('{ accessToken: "${SHOP_TOKEN}", webhookSecret: "${SHOP_SECRET}" }')), {
      SHOP_TOKEN: 'shpat_live_value_that_must_not_leak',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { path: 'connectors[0].credentials.webhookSecret', message: 'environment variable SHOP_SECRET is not set' },
    ]);
    expect(JSON.stringify(result.issues)).not.toContain('shpat_live');
  });

  it('resolves ${VAR} and ${VAR:-default} references', () => {
    const result = parseConfig(minimal(shopify('{ accessToken: "${SHOP_TOKEN}", webhookSecret: "${SHOP_SECRET:-fallback}" }')), {
      SHOP_TOKEN: 'tok',
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.connectors[0]?.credentials).toEqual({ accessToken: 'tok', webhookSecret: 'fallback' });
  });

  it('does not require the secrets of a disabled connector', () => {
    const text = minimal(shopify('{ accessToken: "${SHOP_TOKEN}", webhookSecret: "${SHOP_SECRET}" }').replace('type: shopify', 'type: shopify\n    enabled: false'));
    expect(parseConfig(text, {}).ok).toBe(true);
  });

  it('rejects a category that does not match the connector type, and unknown keys', () => {
    const text = minimal(shopify('{ accessToken: a, webhookSecret: b }').replace('type: shopify', 'type: shopify\n    category: marketplace')).replace(
      'locations: [wh-east] }',
      'locations: [wh-east], safetystock: 3 }',
    );
    const result = parseConfig(text, {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { path: 'channels[0]', message: 'unknown key "safetystock"' },
    ]);
    const categoryOnly = parseConfig(minimal(shopify('{ accessToken: a, webhookSecret: b }').replace('type: shopify', 'type: shopify\n    category: marketplace')), {});
    expect(categoryOnly.ok ? [] : categoryOnly.issues).toEqual([
      { path: 'connectors[0].category', message: 'connector type "shopify" is a storefront connector, not marketplace' },
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const result = parseConfig('locations:\n  - id: a\n   kind: [\n', {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]?.path).toMatch(/^\(line \d+\)$/);
  });
});

describe('redact', () => {
  it('replaces credentials and tokens wherever they appear', () => {
    const out = redact({ connectors: [{ id: 'x', credentials: { accessToken: 's' } }], auth: { tokens: [{ name: 'a', token: 't' }] } });
    expect(JSON.stringify(out)).not.toMatch(/"s"|"t"/);
    expect(out.connectors[0]?.id).toBe('x');
  });
});
