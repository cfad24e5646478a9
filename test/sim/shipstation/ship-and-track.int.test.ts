import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEasyPostConnectorClient } from '../../../src/connectors/easypost/index.js';
import { createShipStationConnectorClient } from '../../../src/connectors/shipstation/index.js';
import { getOrder } from '../../../src/core/erp/index.js';
import { createLogger } from '../../../src/core/logger.js';
import type { Order } from '../../../src/core/model/index.js';
import { BASE_CONFIG, event, startTestHub, waitFor, type TestHub } from '../../helpers/hub.js';
import { type EasyPostSimulator, startEasyPostSimulator } from '../easypost/server.js';
import { type ShipStationSimulator, startShipStationSimulator } from './server.js';

const TOKEN = `ss-token-${randomUUID()}`;
const EP_SECRET = 'ﬁle-s\u00e9cret-int';
const logger = createLogger({ level: 'silent', pretty: false });

describe('ShipStation SHIP_NOTIFY and EasyPost tracker.updated through POST /webhooks/<id>', () => {
  let hub: TestHub;
  let ss: ShipStationSimulator;
  let ep: EasyPostSimulator;
  const id = `SS-${randomUUID().slice(0, 8)}`;
  const sku = `TEE-${randomUUID().slice(0, 6)}`;

  beforeAll(async () => {
    [ss, ep] = await Promise.all([startShipStationSimulator({ warehouseId: 16079 }), startEasyPostSimulator()]);
    hub = await startTestHub({
      yaml: `${BASE_CONFIG}
  - id: ss-main
    type: shipstation
    settings: { baseUrl: "${ss.url}", locations: { "16079": wh-east } }
    credentials: { apiKey: "${ss.apiKey}", apiSecret: "${ss.apiSecret}", webhookToken: "${TOKEN}" }
    retry: { attempts: 3, backoffMs: 50, maxBackoffMs: 200 }
  - id: easypost
    type: easypost
    settings: { baseUrl: "${ep.url}" }
    credentials: { apiKey: "${ep.apiKey}", webhookSecret: "${EP_SECRET}" }
    retry: { attempts: 3, backoffMs: 50, maxBackoffMs: 200 }
`,
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await Promise.all([ss?.close(), ep?.close()]);
  });

  const shipmentRow = async () =>
    (
      await hub.db.query<{
        external_shipment_id: string;
        location: string;
        tracking: { number: string; company?: string; service?: string };
        tracking_status: string | null;
      }>(
        `SELECT s.external_shipment_id, s.location, s.tracking, s.tracking_status FROM shipment s JOIN sales_order o ON o.id = s.order_id WHERE o.channel = 'web' AND o.external_order_id = $1`,
        [id],
      )
    ).rows;

  it('ships a pushed order from a SHIP_NOTIFY, then marks it delivered from a signed tracker.updated', async () => {
    const order: Order = {
      channel: 'web',
      externalOrderId: id,
      orderNumber: `#${id}`,
      placedAt: new Date().toISOString(),
      currency: 'USD',
      total: { amount: '39.00', currency: 'USD' },
      shipTo: { name: 'Jane Doe', address1: '1 Main St', city: 'Austin', province: 'TX', postalCode: '78701', country: 'US' },
      lines: [{ externalLineId: 'L1', sku, quantity: 2, unitPrice: { amount: '19.50', currency: 'USD' }, title: 'Tee' }],
    };
    expect(
      (
        await hub.postEvents([
          event('product.upserted', { sku, title: 'Tee' }),
          event('inventory.adjusted', { sku, location: 'wh-east', delta: 5, reason: 'receipt' }),
          event('order.upserted', order),
        ])
      ).status,
    ).toBe(200);
    await waitFor(async () => (await getOrder(hub.db, 'web', id))?.status === 'allocated', 'order allocated', 30_000);

    const ssConfig = hub.config.connectors.find((c) => c.id === 'ss-main')!;
    const shipstation = createShipStationConnectorClient(ssConfig as never, { logger });
    // Twice: a retried push updates the one ShipStation order.
    await shipstation.pushOrder(order, { location: 'wh-east' });
    const pushed = await shipstation.pushOrder(order, { location: 'wh-east' });
    expect([...ss.orders.values()].filter((o) => o.orderKey === `web/${id}`)).toHaveLength(1);
    expect(pushed.orderKey).toBe(`web/${id}`);

    ss.subscribe(`${hub.url}/webhooks/ss-main`, { 'x-hub-webhook-token': TOKEN });
    const label = await ss.shipOrder(`web/${id}`);
    expect(ss.notifications.at(-1)?.status).toBe(200);
    const [row] = await waitFor(
      async () => {
        const rows = await shipmentRow();
        return rows.length > 0 ? rows : null;
      },
      'shipment recorded',
      30_000,
    );
    expect(row).toMatchObject({
      external_shipment_id: String(label.shipmentId),
      location: 'wh-east',
      tracking: { number: label.trackingNumber, company: 'USPS', service: 'usps_priority_mail' },
    });
    await waitFor(async () => (await getOrder(hub.db, 'web', id))?.status === 'shipped', 'order shipped', 30_000);

    // The same notification again is acknowledged as a duplicate; a wrong token is refused.
    const again = await fetch(`${hub.url}/webhooks/ss-main`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-webhook-token': TOKEN },
      body: JSON.stringify({
        resource_url: `${ss.url}/shipments?storeID=1&batchId=${label.batchNumber}&includeShipmentItems=False`,
        resource_type: 'SHIP_NOTIFY',
      }),
    });
    expect(((await again.json()) as { status: string }).status).toBe('duplicate');
    const forged = await fetch(`${hub.url}/webhooks/ss-main`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-webhook-token': 'not-the-token-at-all' },
      body: '{"resource_url":"https://evil.example/shipments","resource_type":"SHIP_NOTIFY"}',
    });
    expect(forged.status).toBe(401);

    const epConfig = hub.config.connectors.find((c) => c.id === 'easypost')!;
    const easypost = createEasyPostConnectorClient(epConfig as never, { logger });
    const tracker = await easypost.createTracker({ externalShipmentId: row!.external_shipment_id, tracking: row!.tracking });
    expect((await easypost.createTracker({ externalShipmentId: row!.external_shipment_id, tracking: row!.tracking })).trackerId).toBe(tracker.trackerId);
    expect(ep.counters.trackersCreated).toBe(1);

    ep.addWebhook(`${hub.url}/webhooks/easypost`, EP_SECRET);
    await ep.advance(label.trackingNumber, 'in_transit');
    await waitFor(async () => (await shipmentRow())[0]?.tracking_status === 'in_transit', 'in transit', 30_000);
    const eventId = await ep.advance(label.trackingNumber, 'delivered', { resend: 1 });
    expect(ep.deliveries.filter((d) => d.eventId === eventId).map((d) => d.status)).toEqual([200, 200]);
    await waitFor(async () => (await shipmentRow())[0]?.tracking_status === 'delivered', 'delivered', 30_000);
    const inbox = await hub.db.query<{ n: string }>(`SELECT count(*) AS n FROM inbox WHERE connector_id = 'easypost' AND dedup_key = $1`, [`event:${eventId}`]);
    expect(Number(inbox.rows[0]?.n)).toBe(1);

    const unsigned = await fetch(`${hub.url}/webhooks/easypost`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hmac-signature': 'hmac-sha256-hex=00' },
      body: '{"id":"evt_x","description":"tracker.updated"}',
    });
    expect(unsigned.status).toBe(401);
  });
});
