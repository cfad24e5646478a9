import { createHash } from 'node:crypto';
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
      { path: 'connectors[shopify-main].credentials.accessToken', message: 'required' },
      { path: 'connectors[amazon-eu].type', message: `unknown connector type "amazon-sellers"; known types: ${knownConnectorTypes().join(', ')}` },
      { path: 'channels[web].locations[1]', message: 'unknown location "wh-nowhere"' },
    ]);
  });

  it('names a missing environment variable and never prints the values of the others', () => {
    const result = parseConfig(minimal(shopify('{ accessToken: "${SHOP_TOKEN}", webhookSecret: "${SHOP_SECRET}" }')), {
      SHOP_TOKEN: 'shpat_live_value_that_must_not_leak',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([{ path: 'connectors[shopify-main].credentials.webhookSecret', message: 'environment variable SHOP_SECRET is not set' }]);
    expect(JSON.stringify(result.issues)).not.toContain('shpat_live');
  });

  it('notes unset variables instead of refusing them when asked (validation, mappings test), and still finds real problems', () => {
    const text = minimal(shopify('{ accessToken: "${SHOP_TOKEN}", webhookSecret: "${SHOP_SECRET}" }'));
    const noted = parseConfig(text, {}, undefined, { missingEnv: 'note' });
    expect(noted.ok).toBe(true);
    expect(noted.notes.map((n) => n.path)).toEqual(['connectors[shopify-main].credentials.accessToken', 'connectors[shopify-main].credentials.webhookSecret']);
    const broken = parseConfig(text.replace('channel: web', 'channel: webb'), {}, undefined, { missingEnv: 'note' });
    expect(broken.ok ? [] : broken.issues).toEqual([{ path: 'connectors[shopify-main].settings.channel', message: 'unknown channel "webb"' }]);
  });

  it('refuses a value map a mapping names but nobody defined, and names the defined ones', () => {
    const text = readFileSync('config/examples/acme-3pl.yaml', 'utf8').replace('map: receiptReason }', 'map: receiptReasons }');
    const result = parseConfig(text, { ACME_WEBHOOK_SECRET: 'x'.repeat(32) }, 'config/examples');
    expect(result.ok ? [] : result.issues).toEqual([
      {
        path: 'connectors[acme-3pl].settings.events.receipt.completed.data.reason.map',
        message: 'no value map "receiptReasons" in settings.valueMaps (defined: receiptReason, carrier; built in: sku, location, status)',
      },
    ]);
  });

  it('refuses two tokens with the same secret, plain or hashed', () => {
    const text = `${minimal(shopify('{ accessToken: a, webhookSecret: b }'))}
auth:
  tokens:
    - { name: ops, role: operator, token: shared-secret-0123456789 }
    - { name: admin, role: admin, tokenHash: "sha256:${createHash('sha256').update('shared-secret-0123456789').digest('hex')}" }
`;
    const result = parseConfig(text, {});
    expect(result.ok ? [] : result.issues).toEqual([
      { path: 'auth.tokens[1].tokenHash', message: 'same secret as token "ops" (auth.tokens[0]); give each token its own' },
    ]);
  });

  it('resolves ${VAR} and ${VAR:-default} references', () => {
    const result = parseConfig(minimal(shopify('{ accessToken: "${SHOP_TOKEN}", webhookSecret: "${SHOP_SECRET:-fallback}" }')), {
      SHOP_TOKEN: 'tok',
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.config.connectors[0]?.credentials).toEqual({ accessToken: 'tok', webhookSecret: 'fallback' });
  });

  it('does not require the secrets of a disabled connector', () => {
    const text = minimal(
      shopify('{ accessToken: "${SHOP_TOKEN}", webhookSecret: "${SHOP_SECRET}" }').replace('type: shopify', 'type: shopify\n    enabled: false'),
    );
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
    expect(result.issues).toEqual([{ path: 'channels[web]', message: 'unknown key "safetystock"' }]);
    const categoryOnly = parseConfig(
      minimal(shopify('{ accessToken: a, webhookSecret: b }').replace('type: shopify', 'type: shopify\n    category: marketplace')),
      {},
    );
    expect(categoryOnly.ok ? [] : categoryOnly.issues).toEqual([
      { path: 'connectors[shopify-main].category', message: 'connector type "shopify" is a storefront connector, not "marketplace"' },
    ]);
  });

  it('reports one YAML mistake once, with its line and column', () => {
    const result = parseConfig('locations:\n  - { id: a, kind: warehouse\nchannels: []\nconnectors: []\n', {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]?.path).toBe('(line 3, column 1)');
    expect(result.issues[0]?.message).toMatch(/^YAML syntax: /);
  });
});

describe('redact', () => {
  it('replaces credentials and tokens wherever they appear', () => {
    const out = redact({ connectors: [{ id: 'x', credentials: { accessToken: 's' } }], auth: { tokens: [{ name: 'a', token: 't' }] } });
    expect(JSON.stringify(out)).not.toMatch(/"s"|"t"/);
    expect(out.connectors[0]?.id).toBe('x');
  });
});
