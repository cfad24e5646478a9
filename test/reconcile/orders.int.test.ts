import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrder } from '../../src/core/erp/index.js';
import { listOrderIssues, resyncOrders, resyncSkus, runReconciliation, type ReconcileTarget } from '../../src/reconcile/index.js';
import { startShopifySimulator, type ShopifySimulator } from '../sim/shopify/index.js';
import { event, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { depsOf, setPolicy, shopConfig, targetOf } from './helpers.js';

/**
 * Order reconciliation and targeted re-sync against the Shopify simulator: webhooks that never
 * arrived are made up for through the normal intake, and an order is allocated once however often
 * it reaches the hub.
 */
describe('order reconciliation and re-sync (Shopify simulator)', () => {
  let sim: ShopifySimulator;
  let hub: TestHub;
  let target: ReconcileTarget;
  let hook: string;

  beforeAll(async () => {
    sim = await startShopifySimulator({ locations: ['Main warehouse', 'Overflow'] });
    hub = await startTestHub({ config: shopConfig(sim, '{ orders: { policy: heal } }') });
    hook = `${hub.url}/webhooks/shopify-main`;
    sim.webhooks.subscribe(hook);
    sim.store.addProduct({
      title: 'Mug',
      variants: [
        { sku: 'MUG', available: 0 },
        { sku: 'CUP', available: 0 },
      ],
    });
    await sim.webhooks.idle();
    await waitFor(async () => (await hub.db.query(`SELECT 1 FROM product WHERE sku IN ('MUG', 'CUP')`)).rowCount === 2, 'products learned');
    await hub.postEvents([
      event('inventory.level.reported', { sku: 'MUG', location: 'wh-east', quantity: 20, reporter: 'warehouse' }),
      event('inventory.level.reported', { sku: 'CUP', location: 'wh-east', quantity: 8, reporter: 'warehouse' }),
    ]);
    await waitFor(() => sim.store.available('MUG') === 20 && sim.store.available('CUP') === 8, 'stock pushed');
    target = targetOf(hub.config);
  });
  afterAll(async () => {
    await hub?.stop();
    await sim?.close();
  });

  const reconcile = () => runReconciliation(depsOf(hub), target, 'orders', { trigger: 'manual' });
  const allocated = async (sku: string) =>
    (await hub.db.query<{ n: number }>(`SELECT coalesce(sum(quantity), 0)::int AS n FROM inventory_balance WHERE sku = $1 AND state = 'allocated'`, [sku]))
      .rows[0]!.n;
  /** A change in the shop while its webhooks are lost. */
  const offline = <T>(change: () => T): T => {
    sim.webhooks.unsubscribeAll();
    const out = change();
    sim.webhooks.subscribe(hook);
    return out;
  };

  it('recovers an order whose webhook was missed; it is allocated once, also when the webhook comes after all', async () => {
    const order = offline(() => sim.store.placeOrder({ lines: [{ sku: 'MUG', quantity: 3 }] }));
    const result = await reconcile();
    expect(result.counts).toMatchObject({ drifted: 1, healed: 1, flagged: 0 });
    const issues = await listOrderIssues(hub.db, result.run!.id);
    expect(issues).toEqual([expect.objectContaining({ externalOrderId: order.id, issue: 'missing', action: 'backfilled', hubStatus: null })]);
    await waitFor(async () => (await getOrder(hub.db, 'web', order.id))?.status === 'allocated', 'backfilled order allocated');
    expect(await allocated('MUG')).toBe(3);

    const again = await reconcile();
    expect(again.counts).toMatchObject({ drifted: 0, healed: 0 });
    expect(again.accuracy).toBe(1);

    // The shop's next change of the order does reach the hub: still one allocation.
    sim.store.touchOrder(order.id);
    await sim.webhooks.idle();
    await waitFor(
      async () =>
        (
          await hub.db.query(`SELECT 1 FROM inbox WHERE connector_id = 'shopify-main' AND topic = 'orders/updated' AND status = 'processed' AND body LIKE $1`, [
            `%${order.id}%`,
          ])
        ).rowCount > 0,
      'webhook applied',
    );
    expect(await allocated('MUG')).toBe(3);
    expect((await getOrder(hub.db, 'web', order.id))?.status).toBe('allocated');
  });

  it('cancels in the hub an order cancelled while its webhooks were lost, releasing its stock', async () => {
    const order = sim.store.placeOrder({ lines: [{ sku: 'CUP', quantity: 2 }] });
    await sim.webhooks.idle();
    await waitFor(async () => (await getOrder(hub.db, 'web', order.id))?.status === 'allocated', 'order allocated');
    expect(await allocated('CUP')).toBe(2);
    offline(() => sim.store.cancelOrder(order.id));

    const result = await reconcile();
    expect((await listOrderIssues(hub.db, result.run!.id)).map((i) => [i.externalOrderId, i.issue, i.action, i.hubStatus])).toEqual([
      [order.id, 'cancelled_in_channel', 'backfilled', 'allocated'],
    ]);
    await waitFor(async () => (await getOrder(hub.db, 'web', order.id))?.status === 'cancelled', 'order cancelled');
    expect(await allocated('CUP')).toBe(0);
  });

  it('with policy report, reports a missing order and leaves it alone', async () => {
    setPolicy(hub.config, 'shopify-main', { orders: { policy: 'report' } });
    const order = offline(() => sim.store.placeOrder({ lines: [{ sku: 'MUG', quantity: 1 }] }));
    const result = await reconcile();
    expect((await listOrderIssues(hub.db, result.run!.id)).map((i) => [i.externalOrderId, i.issue, i.action])).toEqual([[order.id, 'missing', 'reported']]);
    expect(await getOrder(hub.db, 'web', order.id)).toBeNull();
    setPolicy(hub.config, 'shopify-main', { orders: { policy: 'heal' } });

    // hub resync --order: just this order, through the intake; an unknown id is named.
    const rows = await resyncOrders(depsOf(hub), target, [order.id, '424242']);
    expect(rows).toEqual([expect.objectContaining({ externalOrderId: order.id, found: true, duplicate: false }), { externalOrderId: '424242', found: false }]);
    await waitFor(async () => (await getOrder(hub.db, 'web', order.id))?.status === 'allocated', 'resynced order allocated');
  });

  it('hub resync --sku pushes the availableToSell of just those SKUs again', async () => {
    const expected = 20 - (await allocated('MUG'));
    // Let the push of the last allocation land first: the drift below must be the only change.
    await waitFor(() => sim.store.available('MUG') === expected, 'shop up to date');
    // ...and nothing more on its way: no outbox row, no push waiting or running.
    const outbound = hub.hub.queues.outbound('shopify-main');
    await waitFor(
      async () =>
        (await hub.db.query('SELECT 1 FROM availability_outbox')).rowCount === 0 &&
        Object.values(await outbound.getJobCounts('wait', 'active', 'delayed', 'prioritized')).every((n) => n === 0),
      'pushes settled',
    );
    offline(() => sim.store.setAvailable('MUG', 99));
    const rows = await resyncSkus(depsOf(hub), target, ['MUG', 'NOT-A-SKU']);
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sku: 'MUG', location: 'wh-east', channelValue: 99, expected, outcome: 'pushed' }),
        expect.objectContaining({ sku: 'MUG', location: 'wh-west', channelValue: 0, expected: 0, outcome: 'other_location' }),
        expect.objectContaining({ sku: 'NOT-A-SKU', outcome: 'unknown' }),
      ]),
    );
    await waitFor(() => sim.store.available('MUG') === expected, 'MUG pushed again');
  });
});
