import '@shopify/shopify-api/adapters/web-api';
import { createHmac } from 'node:crypto';
import { shopifyApi } from '@shopify/shopify-api';
import { describe, expect, it } from 'vitest';
import { InvalidSignatureError, StaleDeliveryError } from '../../core/errors.js';
import { ShopifyConfigSchema } from './config.js';
import { SHOPIFY_RETRY_WINDOW_MS, verifyShopifyWebhook as verifyAt } from './verify.js';

/** The delivery's own instant: the fixed headers below were sent then. */
const SENT = Date.parse('2026-11-24T08:00:06.123Z');
const verifyShopifyWebhook = (request: Parameters<typeof verifyAt>[0], cfg: Parameters<typeof verifyAt>[1], now = SENT) => verifyAt(request, cfg, now);

const SECRET = 'verify-test-secret';
const SHOP = 'commerce-hub-demo.myshopify.com';
const config = ShopifyConfigSchema.parse({
  settings: { shopDomain: SHOP, channel: 'web' },
  credentials: { accessToken: 'shpat_test', webhookSecret: SECRET },
});

// A body with an id beyond 2^53 and non-ASCII text: the signature covers the raw bytes.
const BODY = Buffer.from('{"id":5678901234567890123,"note":"Größe M – danke","total_price":"94.80"}');
const TAMPERED = Buffer.from(BODY.toString().replace('94.80', '0.01'));
const sign = (body: Buffer, secret = SECRET) => createHmac('sha256', secret).update(body).digest('base64');

function delivery(overrides: Record<string, string | undefined> = {}, body = BODY) {
  const headers: Record<string, string | undefined> = {
    'x-shopify-hmac-sha256': sign(body),
    'x-shopify-topic': 'orders/create',
    'x-shopify-shop-domain': SHOP,
    'x-shopify-api-version': '2025-07',
    'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    'x-shopify-event-id': '98880550-7158-44d4-b7cd-2c97c8a091b5',
    'x-shopify-triggered-at': '2026-11-24T08:00:06.123456789Z',
    ...overrides,
  };
  return { headers, rawBody: body };
}

describe('verifyShopifyWebhook', () => {
  it('accepts a delivery signed with the app secret and names it by topic and event id', () => {
    expect(verifyShopifyWebhook(delivery(), config)).toEqual({
      dedupKey: 'orders/create:event:98880550-7158-44d4-b7cd-2c97c8a091b5',
      topic: 'orders/create',
      occurredAt: '2026-11-24T08:00:06.123Z',
    });
  });

  it('reads header names in any case', () => {
    const { headers, rawBody } = delivery();
    const mixed = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()), v]));
    expect(verifyShopifyWebhook({ headers: mixed, rawBody }, config).topic).toBe('orders/create');
  });

  it.each([
    ['a body changed after signing', delivery({ 'x-shopify-hmac-sha256': sign(BODY) }, TAMPERED)],
    ['a signature made with another secret', delivery({ 'x-shopify-hmac-sha256': sign(BODY, 'someone-else') })],
    ['a hex signature instead of base64', delivery({ 'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(BODY).digest('hex') })],
    ['a truncated signature', delivery({ 'x-shopify-hmac-sha256': sign(BODY).slice(0, 20) })],
    ['garbage', delivery({ 'x-shopify-hmac-sha256': 'not base64 at all!' })],
    ['no signature header', delivery({ 'x-shopify-hmac-sha256': undefined })],
  ])('refuses %s', (_name, request) => {
    expect(() => verifyShopifyWebhook(request, config)).toThrow(InvalidSignatureError);
  });

  it('refuses a genuine delivery for another shop of the same app', () => {
    expect(() => verifyShopifyWebhook(delivery({ 'x-shopify-shop-domain': 'other-shop.myshopify.com' }), config)).toThrow(/other-shop/);
  });

  it('refuses a signed delivery that does not name its shop', () => {
    expect(() => verifyShopifyWebhook(delivery({ 'x-shopify-shop-domain': undefined }), config)).toThrow(/X-Shopify-Shop-Domain/);
    expect(() => verifyShopifyWebhook(delivery({ 'x-shopify-shop-domain': '' }), config)).toThrow(InvalidSignatureError);
  });

  it('accepts a retry up to 4 hours plus the configured slack after it was triggered', () => {
    const slack = config.settings.deliverySlackMinutes * 60_000;
    expect(verifyShopifyWebhook(delivery(), config, SENT + SHOPIFY_RETRY_WINDOW_MS + slack - 1000).topic).toBe('orders/create');
  });

  it("refuses a replay older than Shopify's retry window plus slack, and one from the future", () => {
    const slack = config.settings.deliverySlackMinutes * 60_000;
    expect(() => verifyShopifyWebhook(delivery(), config, SENT + SHOPIFY_RETRY_WINDOW_MS + slack + 1000)).toThrow(StaleDeliveryError);
    expect(() => verifyShopifyWebhook(delivery(), config, SENT - slack - 1000)).toThrow(/outside Shopify's 4-hour retry window/);
    const strict = ShopifyConfigSchema.parse({ ...config, settings: { ...config.settings, deliverySlackMinutes: 0 } });
    expect(() => verifyShopifyWebhook(delivery(), strict, SENT + SHOPIFY_RETRY_WINDOW_MS + 1000)).toThrow(StaleDeliveryError);
  });

  it('refuses a signed delivery without a topic', () => {
    expect(() => verifyShopifyWebhook(delivery({ 'x-shopify-topic': undefined }), config)).toThrow(/X-Shopify-Topic/);
  });

  it('gives a redelivery of the same event under a new webhook id the same key', () => {
    const first = verifyShopifyWebhook(delivery(), config);
    const again = verifyShopifyWebhook(delivery({ 'x-shopify-webhook-id': '0d0d0d0d-1111-4222-8333-444455556666' }), config);
    expect(again.dedupKey).toBe(first.dedupKey);
  });

  it('keeps deliveries of different topics for one merchant action apart', () => {
    const order = verifyShopifyWebhook(delivery(), config);
    const stock = verifyShopifyWebhook(delivery({ 'x-shopify-topic': 'inventory_levels/update' }), config);
    expect(stock.dedupKey).not.toBe(order.dedupKey);
  });

  it('falls back to the webhook id, then to the body hash, when the event id is missing', () => {
    expect(verifyShopifyWebhook(delivery({ 'x-shopify-event-id': undefined }), config).dedupKey).toBe(
      'orders/create:webhook:b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    );
    const bare = verifyShopifyWebhook(
      delivery({ 'x-shopify-event-id': undefined, 'x-shopify-webhook-id': undefined, 'x-shopify-triggered-at': undefined }),
      config,
    );
    expect(bare.dedupKey).toMatch(/^orders\/create:body:[0-9a-f]{64}$/);
    expect(bare.occurredAt).toBeUndefined();
  });
});

describe('verifyShopifyWebhook against @shopify/shopify-api', () => {
  const library = shopifyApi({
    apiKey: 'test-key',
    apiSecretKey: SECRET,
    hostName: 'localhost',
    apiVersion: '2025-07' as never,
    isEmbeddedApp: false,
    logger: { level: 0, log: async () => {} },
  });
  const libraryAccepts = async (request: ReturnType<typeof delivery>) => {
    const headers = Object.entries(request.headers).filter((e): e is [string, string] => e[1] !== undefined);
    const rawRequest = new Request('https://hub.example/webhooks/shopify-main', { method: 'POST', headers, body: request.rawBody });
    const result = await library.webhooks.validate({ rawBody: request.rawBody.toString('utf8'), rawRequest });
    return result.valid;
  };
  const weAccept = (request: ReturnType<typeof delivery>) => {
    try {
      verifyShopifyWebhook(request, config);
      return true;
    } catch {
      return false;
    }
  };

  it.each([
    ['a genuine delivery', delivery()],
    ['a tampered body', delivery({ 'x-shopify-hmac-sha256': sign(BODY) }, TAMPERED)],
    ['another secret', delivery({ 'x-shopify-hmac-sha256': sign(BODY, 'someone-else') })],
  ])('agrees on %s', async (_name, request) => {
    expect(weAccept(request)).toBe(await libraryAccepts(request));
  });

  it('accepts exactly the genuine one', async () => {
    expect([weAccept(delivery()), weAccept(delivery({ 'x-shopify-hmac-sha256': sign(BODY) }, TAMPERED))]).toEqual([true, false]);
  });
});
