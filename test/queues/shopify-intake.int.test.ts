import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { CANONICAL_SECRET, parseTestConfig, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';

const SHOP = 'commerce-hub-demo.myshopify.com';
const SECRET = 'shopify-intake-test-secret';

/** A documented orders/create payload (fixture), with a line SKU no mapping knows. */
function orderWithUnknownSku(): string {
  const fixture = readFileSync(new URL('../../src/connectors/shopify/fixtures/webhooks/orders-create/multi-line.json', import.meta.url), 'utf8');
  // Text edits keep Shopify's bare ids beyond 2^53 exactly as written.
  const body = fixture.slice(fixture.indexOf('"body":') + '"body":'.length, fixture.lastIndexOf('}')).trim();
  return body
    .replaceAll('"TSHIRT-BLK-L"', '"NOT-IN-CATALOGUE"')
    .replace('5678901234567890123', String(5678901234567890000n + BigInt(Math.floor(Math.random() * 100_000))));
}

/** Shopify's delivery headers: https://shopify.dev/docs/apps/build/webhooks/verify-deliveries */
function headers(raw: string, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const all: Record<string, string | undefined> = {
    'content-type': 'application/json',
    'x-shopify-topic': 'orders/create',
    'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(raw).digest('base64'),
    'x-shopify-shop-domain': SHOP,
    'x-shopify-api-version': '2026-10',
    'x-shopify-webhook-id': randomUUID(),
    'x-shopify-event-id': randomUUID(),
    'x-shopify-triggered-at': new Date().toISOString(),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

describe('Shopify intake through POST /webhooks (PostgreSQL + Redis)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    const config = parseTestConfig(`
locations: [{ id: wh-east, kind: warehouse }]
channels: [{ id: web, locations: [wh-east] }]
connectors:
  - id: events
    type: canonical
    credentials: { webhookSecret: ${CANONICAL_SECRET} }
  - id: shopify-main
    type: shopify
    settings: { shopDomain: ${SHOP}, channel: web, locations: { "655441491": wh-east }, baseUrl: "http://127.0.0.1:9" }
    credentials: { accessToken: shpat_test, webhookSecret: ${SECRET} }
    retry: { attempts: 3, backoffMs: 50, maxBackoffMs: 200 }
`);
    hub = await startTestHub({ config });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const post = async (raw: string, h: Record<string, string>) => {
    const res = await fetch(`${hub.url}/webhooks/shopify-main`, { method: 'POST', headers: h, body: raw });
    return { status: res.status, json: (await res.json()) as { error?: { code: string } } };
  };
  const metric = async (name: 'jobsFailed' | 'webhookRejections', labels: Record<string, string>) =>
    (await hub.metrics[name].get()).values.find((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want))?.value ??
    0;

  it('counts a mapping failure in hub_jobs_failed_total under its own code, not unexpected', async () => {
    const raw = orderWithUnknownSku();
    const before = await metric('jobsFailed', { connector: 'shopify-main', error_code: 'unknown_sku' });
    expect((await post(raw, headers(raw))).status).toBe(200);
    const entry = await waitFor(async () => (await listDeadLetters(hub.db, { sku: 'NOT-IN-CATALOGUE' })).items[0], 'dead letter', 30_000);
    expect(entry).toMatchObject({ connectorId: 'shopify-main', errorCode: 'unknown_sku' });
    await waitFor(async () => (await metric('jobsFailed', { connector: 'shopify-main', error_code: 'unknown_sku' })) > before, 'failure counted', 30_000);
    expect(await metric('jobsFailed', { connector: 'shopify-main', error_code: 'unexpected' })).toBe(0);
  });

  it('refuses a signed delivery that names no shop (401) and counts it', async () => {
    const raw = orderWithUnknownSku();
    const before = await metric('webhookRejections', { connector: 'shopify-main', reason: 'invalid_signature' });
    const res = await post(raw, headers(raw, { 'x-shopify-shop-domain': undefined }));
    expect(res.status).toBe(401);
    expect(await metric('webhookRejections', { connector: 'shopify-main', reason: 'invalid_signature' })).toBe(before + 1);
  });

  it("refuses and counts a genuine delivery replayed after Shopify's 4-hour retry window, and one from the future", async () => {
    const raw = orderWithUnknownSku();
    const eventId = randomUUID();
    const before = await metric('webhookRejections', { connector: 'shopify-main', reason: 'stale_delivery' });
    const old = await post(raw, headers(raw, { 'x-shopify-event-id': eventId, 'x-shopify-triggered-at': new Date(Date.now() - 5 * 3_600_000).toISOString() }));
    expect(old.status).toBe(400);
    expect(old.json.error?.code).toBe('stale_delivery');
    const ahead = await post(raw, headers(raw, { 'x-shopify-event-id': eventId, 'x-shopify-triggered-at': new Date(Date.now() + 3_600_000).toISOString() }));
    expect(ahead.status).toBe(400);
    expect(await metric('webhookRejections', { connector: 'shopify-main', reason: 'stale_delivery' })).toBe(before + 2);
    // Nothing was recorded: a refused delivery never reaches the inbox.
    const { rows } = await hub.db.query('SELECT 1 FROM inbox WHERE connector_id = $1 AND dedup_key = $2', ['shopify-main', `orders/create:event:${eventId}`]);
    expect(rows).toHaveLength(0);
  });
});
