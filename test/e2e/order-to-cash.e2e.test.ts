import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrder, listOrderHops } from '../../src/core/erp/index.js';
import { listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { replayDeadLetters } from '../../src/queues/replay.js';
import { runHub } from '../helpers/cli.js';
import { TEST_DATABASE_URL } from '../helpers/db.js';
import { event, parseTestConfig, startTestHub, waitFor, type TestHub, webShopYaml } from '../helpers/hub.js';
import { type EasyPostSimulator, startEasyPostSimulator } from '../sim/easypost/server.js';
import { type QboSimulator, startQboSimulator } from '../sim/quickbooks/server.js';
import { type ShipStationSimulator, startShipStationSimulator } from '../sim/shipstation/server.js';
import { simConnectorYaml, startShopifySimulator, type ShopifySimulator } from '../sim/shopify/index.js';

const TOKEN = `ss-token-${randomUUID()}`;
const EP_SECRET = `ep-secret-${randomUUID()}`;
const SKU = 'O2C-TEE';
const note = (doc: Record<string, unknown>) => (typeof doc['PrivateNote'] === 'string' ? doc['PrivateNote'] : '');
const WAIT = 60_000;
const VIEWER = `viewer-${randomUUID()}`;
const retry = 'retry: { attempts: 2, backoffMs: 50, maxBackoffMs: 200 }';

type Hop = 'three-pl' | 'storefront' | 'carrier' | 'accounting';

/**
 * One order through the whole order-to-cash flow on the simulators, production wiring: Shopify
 * (storefront), ShipStation (3PL), EasyPost (carrier), QuickBooks (accounting). Then a failure
 * at each hop in turn, replayed from the dead-letter queue, with nothing duplicated anywhere.
 */
describe('order to cash on the simulators', () => {
  let shop: ShopifySimulator;
  let ss: ShipStationSimulator;
  let ep: EasyPostSimulator;
  let qbo: QboSimulator;
  let hub: TestHub;

  beforeAll(async () => {
    [shop, ss, ep, qbo] = await Promise.all([
      startShopifySimulator({ locations: ['Main warehouse'] }),
      startShipStationSimulator({ warehouseId: 16079 }),
      startEasyPostSimulator(),
      startQboSimulator(),
    ]);
    const config = parseTestConfig(`${webShopYaml()}
${simConnectorYaml(shop, { locations: [[shop.store.locations[0]!.id, 'wh-east']], settings: ['ingestFulfillments: false'], extra: [retry] })}
  - id: ss-main
    type: shipstation
    settings: { baseUrl: "${ss.url}", locations: { "16079": wh-east } }
    credentials: { apiKey: "${ss.apiKey}", apiSecret: "${ss.apiSecret}", webhookToken: "${TOKEN}" }
    ${retry}
  - id: easypost
    type: easypost
    settings: { baseUrl: "${ep.url}" }
    credentials: { apiKey: "${ep.apiKey}", webhookSecret: "${EP_SECRET}" }
    ${retry}
  - id: qbo
    type: quickbooks
    settings: { realmId: "${qbo.realmId}", baseUrl: "${qbo.url}", tokenUrl: "${qbo.url}/oauth2/v1/tokens/bearer", document: invoice, refundItemId: "12", itemMap: { entries: { ${SKU}: "11" } } }
    credentials: { clientId: ${qbo.clientId}, clientSecret: ${qbo.clientSecret}, refreshToken: rt-initial }
    ${retry}
auth:
  tokens: [{ name: viewer, role: viewer, token: ${VIEWER} }]
flow:
  carriers: [{ connector: easypost }]
  accounting: [{ connector: qbo, channels: [web] }]
`);
    hub = await startTestHub({ config });
    shop.webhooks.subscribe(`${hub.url}/webhooks/shopify-main`);
    // ShipStation signs nothing: the registered URL carries the token.
    ss.subscribe(`${hub.url}/webhooks/ss-main?token=${encodeURIComponent(TOKEN)}`);
    ep.addWebhook(`${hub.url}/webhooks/easypost`, EP_SECRET);
    shop.store.addProduct({ title: 'Tee', variants: [{ sku: SKU, available: 0 }] });
    await shop.webhooks.idle();
    await waitFor(async () => (await hub.db.query(`SELECT 1 FROM product WHERE sku = $1`, [SKU])).rowCount === 1, 'product learned', WAIT);
    await hub.postEvents(event('inventory.level.reported', { sku: SKU, location: 'wh-east', quantity: 50, reporter: 'warehouse' }));
    await waitFor(() => shop.store.available(SKU) === 50, 'stock pushed to the store', WAIT);
  });
  afterAll(async () => {
    await hub?.stop();
    await Promise.all([shop?.close(), ss?.close(), ep?.close(), qbo?.close()]);
  });

  const onHand = async () =>
    (await hub.db.query<{ q: number }>(`SELECT quantity AS q FROM inventory_balance WHERE sku = $1 AND location = 'wh-east' AND state = 'onHand'`, [SKU]))
      .rows[0]?.q ?? 0;
  const orderId = async (id: string) =>
    (await hub.db.query<{ id: number }>(`SELECT id FROM sales_order WHERE channel = 'web' AND external_order_id = $1`, [id])).rows[0]!.id;
  const invoicesOf = (id: string) => [...qbo.entities.get('Invoice')!.values()].filter((i) => note(i).includes(`hub:web/${id}`));
  const outboundIdle = async () => {
    const counts = await hub.hub.queues.outbound('shopify-main').getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    const outbox = await hub.db.query('SELECT 1 FROM availability_outbox');
    return outbox.rowCount === 0 && Object.values(counts).every((n) => n === 0);
  };

  const faultAt = (hop: Hop) => {
    // 4xx are permanent (a dead letter at once); the accounting hop's 503s are retried until the attempts run out.
    if (hop === 'three-pl') ss.faults.next(100, { status: 400, body: { Message: 'The request is invalid.' } });
    if (hop === 'storefront') shop.faults.next(100, { type: 'status', status: 400, body: { errors: 'injected' } });
    if (hop === 'carrier') ep.faults.next(100, { status: 422, body: { error: { code: 'TRACKER.INVALID', message: 'injected' } } });
    if (hop === 'accounting') qbo.faults.next(100, { status: 503 });
  };
  const clearFaults = () => {
    ss.faults.clear();
    shop.faults.clear();
    ep.faults.clear();
    qbo.faults.clear();
  };
  const CONNECTOR: Record<Hop, string> = { 'three-pl': 'ss-main', storefront: 'shopify-main', carrier: 'easypost', accounting: 'qbo' };

  /** The dead letter a failed hop left, replayed once the simulator is healthy again. */
  async function replayHop(hop: Hop, id: string): Promise<void> {
    const dead = await waitFor(async () => (await listDeadLetters(hub.db, { connector: CONNECTOR[hop], order: id })).items[0], `dead letter at ${hop}`, WAIT);
    expect(dead).toMatchObject({ step: 'push', status: 'open' });
    clearFaults();
    const { db, queues, connectors, catalog } = hub.hub;
    const [result] = await replayDeadLetters({ db, queues, connectors, catalog, erp: hub.hub.erp() }, { ids: [dead.id] }, { actor: 'e2e' });
    expect(result?.verdict).toBe('requeued');
  }

  /** Places one order and drives it to closed, failing (and replaying) at `failAt` when given. */
  async function runOrder(failAt?: Hop): Promise<string> {
    await waitFor(outboundIdle, 'availability pushes drained', WAIT);
    const before = await onHand();
    if (failAt === 'three-pl') faultAt(failAt);
    const placed = shop.store.placeOrder({ lines: [{ sku: SKU, quantity: 2 }] });
    const id = String(placed.id);
    await shop.webhooks.idle();
    await waitFor(async () => (await getOrder(hub.db, 'web', id))?.status === 'allocated', 'order allocated', WAIT);
    if (failAt === 'three-pl') await replayHop(failAt, id);
    const key = `web/${id}`;
    await waitFor(() => ss.orders.get(key), 'order pushed to ShipStation', WAIT);
    await waitFor(outboundIdle, 'availability pushes drained', WAIT);
    if (failAt && failAt !== 'three-pl') faultAt(failAt);
    const label = await ss.shipOrder(key);
    await waitFor(async () => (await getOrder(hub.db, 'web', id))?.status === 'shipped', 'order shipped', WAIT);
    if (failAt && failAt !== 'three-pl') await replayHop(failAt, id);

    await waitFor(() => (shop.store.order(placed.id)?.fulfillments.length ?? 0) > 0, 'fulfilment in the store', WAIT);
    await waitFor(() => ep.trackers.find((t) => t.tracking_code === label.trackingNumber), 'tracker created', WAIT);
    await waitFor(() => invoicesOf(id).length > 0, 'invoice booked', WAIT);
    await ep.advance(label.trackingNumber, 'delivered');
    await waitFor(async () => (await getOrder(hub.db, 'web', id))?.status === 'closed', 'order closed', WAIT);

    // Every system holds the order's document once.
    expect([...ss.orders.values()].filter((o) => o.orderKey === key)).toHaveLength(1);
    expect(ss.shipments.filter((s) => s.orderKey === key)).toHaveLength(1);
    const fulfillments = shop.store.order(placed.id)!.fulfillments;
    expect(fulfillments).toHaveLength(1);
    expect(JSON.stringify(fulfillments)).toContain(label.trackingNumber);
    expect(ep.trackers.filter((t) => t.tracking_code === label.trackingNumber)).toHaveLength(1);
    expect(invoicesOf(id)).toHaveLength(1);
    expect(await onHand()).toBe(before - 2);
    const hops = await waitFor(
      async () => {
        const list = await listOrderHops(hub.db, await orderId(id));
        return list.some((h) => h.hop === 'fulfilment') ? list : null;
      },
      'fulfilment hop recorded',
      WAIT,
    );
    expect(hops.map((h) => h.hop).sort()).toEqual(
      ['allocated', 'closed', 'delivered', 'fulfilment', 'invoiced', 'placed', 'pushed', 'shipped', 'tracker'].sort(),
    );
    expect(hops.find((h) => h.hop === 'pushed')).toMatchObject({ connector: 'ss-main', externalId: String(ss.orders.get(key)!.orderId) });
    expect(hops.find((h) => h.hop === 'tracker')).toMatchObject({
      connector: 'easypost',
      externalId: ep.trackers.find((t) => t.tracking_code === label.trackingNumber)!.id,
    });
    expect(hops.find((h) => h.hop === 'invoiced')).toMatchObject({ connector: 'qbo', externalId: invoicesOf(id)[0]!.Id });
    expect((await listDeadLetters(hub.db, { order: id })).items).toHaveLength(0);
    return id;
  }

  it('takes one order from the store through the 3PL, the carrier and accounting to closed, and shows its hops', async () => {
    const id = await runOrder();
    const res = await fetch(`${hub.url}/api/orders/${id}?channel=web`, { headers: { authorization: `Bearer ${VIEWER}` } });
    const body = (await res.json()) as {
      order: { status: string };
      hops: { hop: string; externalId: string | null }[];
      history: { kind: string; summary: string }[];
    };
    expect(body.order.status).toBe('closed');
    expect(body.hops.find((h) => h.hop === 'pushed')?.externalId).toBe(String(ss.orders.get(`web/${id}`)!.orderId));
    expect(body.history.filter((h) => h.kind === 'hop').map((h) => h.summary)).toContainEqual(
      expect.stringMatching(/^invoiced via qbo \(external id \d+\): Invoice$/),
    );
    const cli = await runHub(['order', id, '--channel', 'web'], { DATABASE_URL: TEST_DATABASE_URL, HUB_DB_SCHEMA: (hub.db as { schema?: string }).schema });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`web/${id}`);
    expect(cli.stdout).toMatch(/tracker .*easypost .*trk_/);

    // A refund becomes one credit memo, however often it is delivered.
    const refund = event('refund.created', {
      externalRefundId: `R-${id}`,
      channel: 'web',
      externalOrderId: id,
      createdAt: new Date().toISOString(),
      amount: { amount: '5.00', currency: 'USD' },
      reason: 'damaged',
    });
    await hub.postEvents(refund);
    await hub.postEvents({ ...refund, id: `${String(refund['id'])}-again` });
    const memos = () => [...qbo.entities.get('CreditMemo')!.values()].filter((m) => note(m).includes(`refund R-${id}`));
    await waitFor(
      async () => memos().length > 0 && (await listOrderHops(hub.db, await orderId(id))).some((h) => h.hop === 'credit-memo'),
      'credit memo booked',
      WAIT,
    );
    expect(memos()).toHaveLength(1);
  }, 180_000);

  it.each(['three-pl', 'storefront', 'carrier', 'accounting'] as const)(
    'a failure at the %s hop ends in the dead-letter queue; its replay completes the flow without duplicates',
    async (hop) => {
      const id = await runOrder(hop);
      expect((await getOrder(hub.db, 'web', id))?.status).toBe('closed');
    },
    180_000,
  );
});
