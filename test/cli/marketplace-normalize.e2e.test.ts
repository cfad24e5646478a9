import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runHub } from '../helpers/cli.js';

/** Secrets the example configs reference; previews never use them, but the config must load. */
const ENV = {
  AMAZON_LWA_CLIENT_ID: 'amzn1.application-oa2-client.example',
  AMAZON_LWA_CLIENT_SECRET: 'example-secret',
  AMAZON_LWA_REFRESH_TOKEN: 'Atzr|example',
  AMAZON_RELAY_SECRET: 'relay-secret-0123456789abcdef',
  EBAY_CLIENT_ID: 'Example-App',
  EBAY_CLIENT_SECRET: 'example-cert',
  EBAY_REFRESH_TOKEN: 'v^1.1#example',
  WALMART_CLIENT_ID: 'walmart-example',
  WALMART_CLIENT_SECRET: 'walmart-secret',
};

const dir = mkdtempSync(join(tmpdir(), 'hub-normalize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A documented response body, as a script would save it (the fixture's `body`, nothing around it). */
function bodyFile(name: string, fixture: string): { path: string; body: Record<string, unknown> } {
  const body = (JSON.parse(readFileSync(join(ROOT, fixture), 'utf8')) as { body: Record<string, unknown> }).body;
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(body));
  return { path, body };
}

async function preview(type: string, topic: string, file: string) {
  const result = await runHub(['normalize', type, topic, file, '--config', `config/examples/${type}.yaml`], ENV);
  return { code: result.code, output: JSON.parse(result.stdout) as unknown };
}

type Events = { type: string; source: { connector: string }; data: { channel?: string; externalOrderId?: string } }[];

/**
 * The preview contract scripts depend on: `hub normalize <type> <topic> <file>` prints canonical
 * events as JSON (exit 0), or a JSON error naming connector and field (exit 2). Run against the
 * shipped example configs, so their channel and locations are the ones used.
 */
describe('hub normalize for the marketplace connectors (preview contract)', () => {
  it('amazon-sp orders: { orders: <getOrders body>, orderItems: { <AmazonOrderId>: <getOrderItems body> } } prints every order of the page', async () => {
    const { path, body } = bodyFile('amazon-orders', 'src/connectors/amazon-sp/fixtures/orders/multi-line.json');
    const ids = (body['orders'] as { payload: { Orders: { AmazonOrderId: string }[] } }).payload.Orders.map((o) => o.AmazonOrderId);
    const { code, output } = await preview('amazon-sp', 'orders', path);
    expect(code).toBe(0);
    const events = output as Events;
    expect(events.map((e) => e.data.externalOrderId)).toEqual(ids);
    expect(events.every((e) => e.type === 'order.upserted' && e.source.connector === 'amazon-us' && e.data.channel === 'amazon-us')).toBe(true);
  });

  it('amazon-sp ORDER_CHANGE: one notification as delivered', async () => {
    const { path, body } = bodyFile('amazon-notification', 'src/connectors/amazon-sp/fixtures/notifications/cancelled.json');
    const orderId = (body['Payload'] as { OrderChangeNotification: { AmazonOrderId: string } }).OrderChangeNotification.AmazonOrderId;
    const { code, output } = await preview('amazon-sp', 'ORDER_CHANGE', path);
    expect(code).toBe(0);
    expect((output as Events).length).toBeGreaterThan(0);
    expect((output as Events).every((e) => e.data.externalOrderId === orderId)).toBe(true);
  });

  it('ebay orders: one getOrders response page', async () => {
    const { path, body } = bodyFile('ebay-orders', 'src/connectors/ebay/fixtures/api/get-orders-page-1.json');
    const ids = (body['orders'] as { orderId: string }[]).map((o) => o.orderId);
    const { code, output } = await preview('ebay', 'orders', path);
    expect(code).toBe(0);
    expect([...new Set((output as Events).map((e) => e.data.externalOrderId))]).toEqual(ids);
    expect((output as Events).every((e) => e.source.connector === 'ebay-us' && e.data.channel === 'ebay-us')).toBe(true);
  });

  it('walmart orders: one getAllOrders response page', async () => {
    const { path, body } = bodyFile('walmart-orders', 'src/connectors/walmart/fixtures/api/orders-page-1.json');
    const ids = (body['list'] as { elements: { order: { purchaseOrderId: string }[] } }).elements.order.map((o) => o.purchaseOrderId);
    const { code, output } = await preview('walmart', 'orders', path);
    expect(code).toBe(0);
    expect([...new Set((output as Events).map((e) => e.data.externalOrderId))]).toEqual(ids);
    expect((output as Events).every((e) => e.source.connector === 'walmart-us' && e.data.channel === 'walmart-us')).toBe(true);
  });

  it.each([
    ['amazon-sp', 'orders', { orders: { payload: { Orders: [{ AmazonOrderId: '111-0000000-0000000' }] } }, orderItems: {} }],
    ['amazon-sp', 'ORDER_CHANGE', { NotificationType: 'ORDER_CHANGE', Payload: {} }],
    ['ebay', 'orders', { orders: [{ orderId: '01-00000-00000' }], total: 1 }],
    ['walmart', 'orders', { list: { elements: { order: [{ purchaseOrderId: '1' }] } } }],
  ])('%s %s: a malformed body exits 2 with a JSON error naming the connector and a field', async (type, topic, bad) => {
    const path = join(dir, `bad-${type}-${topic}.json`);
    writeFileSync(path, JSON.stringify(bad));
    const { code, output } = await preview(type, topic, path);
    expect(code).toBe(2);
    expect(output).toMatchObject({
      error: { code: expect.any(String), connector: expect.stringMatching(/-us$/), field: expect.any(String), message: expect.any(String) },
    });
  });
});
