import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrder } from '../../src/core/erp/index.js';
import { BASE_CONFIG, event, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';

/** `alerts.orderFlow`: a hop that does not follow in time raises one incident per channel, which clears once it does. */
describe('stuck order-to-cash hops', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({
      yaml: `${BASE_CONFIG}
  - id: books
    type: quickbooks
    enabled: false
    settings: { realmId: "1" }
    credentials: { clientId: c, clientSecret: s, refreshToken: r }
flow:
  accounting: [{ connector: books }]
alerts:
  intervalMs: 600000
  orderFlow: { allocatedNotShippedHours: 1 }
`,
    });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const alerts = () => hub.ops.deps.alerts;
  const backdate = (id: string, hop: string, hours: number) =>
    hub.db.query(
      `UPDATE order_hop SET at = now() - make_interval(hours => $3) FROM sales_order o WHERE o.id = order_hop.order_id AND o.external_order_id = $1 AND order_hop.hop = $2`,
      [id, hop, hours],
    );
  const active = async () => {
    await alerts().evaluate();
    return (await alerts().active()).map((a) => ({ key: a.key, message: a.message }));
  };

  it('fires when an allocated order has not shipped in time, and when a shipped order has no invoice; clears once the hop follows', async () => {
    const id = `STUCK-${randomUUID().slice(0, 8)}`;
    const sku = `STUCK-SKU-${randomUUID().slice(0, 6)}`;
    const order = {
      channel: 'web',
      externalOrderId: id,
      orderNumber: id,
      placedAt: new Date().toISOString(),
      currency: 'USD',
      total: { amount: '10.00', currency: 'USD' },
      lines: [{ externalLineId: 'L1', sku, quantity: 1, unitPrice: { amount: '10.00', currency: 'USD' } }],
    };
    await hub.postEvents([event('inventory.adjusted', { sku, location: 'wh-east', delta: 3, reason: 'receipt' }), event('order.upserted', order)]);
    await waitFor(async () => (await getOrder(hub.db, 'web', id))?.status === 'allocated', 'allocated', 30_000);
    expect(alerts().rules()).toContain('stuck-order-hop');
    expect(await active()).toEqual([]);

    await backdate(id, 'allocated', 2);
    expect(await active()).toEqual([
      { key: 'stuck-order-hop:not-shipped:web', message: `1 order(s) allocated more than 1 h ago have not shipped (0 of them at a 3PL): web/${id}` },
    ]);

    const shippedAt = new Date().toISOString();
    await hub.postEvents([
      event('shipment.confirmed', {
        externalShipmentId: `S-${id}`,
        channel: 'web',
        externalOrderId: id,
        location: 'wh-east',
        shippedAt,
        lines: [{ sku, quantity: 1 }],
      }),
    ]);
    await waitFor(async () => (await getOrder(hub.db, 'web', id))?.status === 'shipped', 'shipped', 30_000);
    // Shipped: the first incident clears; booking is due within the default 4 hours.
    expect(await active()).toEqual([]);
    await backdate(id, 'shipped', 5);
    expect(await active()).toEqual([
      { key: 'stuck-order-hop:not-invoiced:web', message: `1 order(s) shipped more than 4 h ago have no invoice in books: web/${id}` },
    ]);

    await hub.db.query(
      `INSERT INTO order_hop (order_id, hop, connector, external_id) SELECT id, 'invoiced', 'books', '77' FROM sales_order WHERE external_order_id = $1`,
      [id],
    );
    expect(await active()).toEqual([]);
  });
});
