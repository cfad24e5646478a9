import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullConnection } from '../../src/queues/runtime.js';
import { outboundQueue } from '../../src/queues/names.js';
import { event, REDIS_URL, waitFor, type TestHub } from '../helpers/hub.js';
import { auditRows, call, makeDeadLetter, startOpsHub } from './helpers.js';

const money = (amount: string) => ({ amount, currency: 'USD' });
const adjust = (sku: string, delta: number) => event('inventory.adjusted', { sku, location: 'wh-east', delta, reason: 'receipt' });
const order = (externalOrderId: string, sku: string, quantity: number, orderNumber = `#${externalOrderId}`) =>
  event(
    'order.upserted',
    {
      channel: 'web',
      externalOrderId,
      orderNumber,
      placedAt: new Date().toISOString(),
      currency: 'USD',
      total: money('10.00'),
      lines: [{ externalLineId: `${externalOrderId}-1`, sku, quantity, unitPrice: money('5.00') }],
    },
    { source: { connector: 'events', connectorType: 'canonical', externalId: externalOrderId, version: '2026-01-01T00:00:00Z' } },
  );

describe('ops API: queues, connectors, inventory, orders, replenishment, audit', () => {
  let ctx: Awaited<ReturnType<typeof startOpsHub>>;
  let hub: TestHub;
  beforeAll(async () => {
    ctx = await startOpsHub({ ops: { history: { intervalMs: 1000 } } });
    hub = ctx.hub;
    await hub.postEvents([adjust('VIEW-1', 10), adjust('REPL-1', 8)]);
    await waitFor(async () => (await call(hub, 'viewer', 'GET', '/api/inventory/VIEW-1')).json.locations[0]?.onHand === 10, 'stock applied');
  });
  afterAll(async () => {
    await ctx.stop();
  });

  it('shows every queue with counts, rates and age, and the backlog per connector', async () => {
    const res = await call(hub, 'viewer', 'GET', '/api/queues');
    const byName = Object.fromEntries(res.json.queues.map((q: { name: string }) => [q.name, q]));
    expect(Object.keys(byName).sort()).toEqual(['hub.dead-letter', 'hub.inbound', 'hub.outbound.stock-api', 'hub.reconcile']);
    expect(byName['hub.inbound']).toMatchObject({
      kind: 'inbound',
      paused: false,
      waiting: 0,
      completedPerMinute: expect.any(Number),
      oldestWaitingAgeSeconds: null,
    });
    expect(byName['hub.inbound'].completedPerMinute).toBeGreaterThanOrEqual(1);
    expect(byName['hub.inbound'].lastCompletedAt).not.toBeNull();
    expect(byName['hub.outbound.stock-api']).toMatchObject({ kind: 'outbound', connector: 'stock-api' });
    expect(res.json.connectors).toEqual([
      { connector: 'events', inboundWaiting: 0, oldestInboundWaitingAgeSeconds: null, outbound: null },
      expect.objectContaining({ connector: 'stock-api', outbound: expect.objectContaining({ name: 'hub.outbound.stock-api' }) }),
    ]);
  });

  it('reports the age of the oldest waiting job of a paused queue', async () => {
    const queue = hub.hub.queues.get('hub.reconcile');
    await queue.pause();
    try {
      await queue.add('idle', { connectorId: 'none' }, { timestamp: Date.now() - 120_000 });
      const q = (await call(hub, 'viewer', 'GET', '/api/queues')).json.queues.find((x: { name: string }) => x.name === 'hub.reconcile');
      expect(q).toMatchObject({ paused: true, waiting: 1 });
      expect(q.oldestWaitingAgeSeconds).toBeGreaterThanOrEqual(119);
    } finally {
      await queue.obliterate({ force: true });
    }
  });

  it('samples throughput and latency for the last-hour charts', async () => {
    await hub.ops.deps.history.sample();
    await hub.postEvents(adjust('VIEW-2', 1));
    await waitFor(async () => (await call(hub, 'viewer', 'GET', '/api/inventory/VIEW-2')).json.known, 'applied');
    await hub.ops.deps.history.sample();
    const res = await call(hub, 'viewer', 'GET', '/api/queues/history');
    expect(res.json.intervalMs).toBe(1000);
    const inbound = res.json.queues.find((q: { name: string }) => q.name === 'hub.inbound');
    const last = inbound.points.at(-1);
    expect(last.completed).toBeGreaterThanOrEqual(1);
    expect(last.avgLatencyMs).toBeGreaterThanOrEqual(last.avgProcessingMs);
  });

  it('shows connector status, last success and error rate, and flags failures', async () => {
    await makeDeadLetter(hub, 'VIEW-BAD');
    const res = await call(hub, 'viewer', 'GET', '/api/connectors');
    const events = res.json.connectors.find((c: { id: string }) => c.id === 'events');
    expect(events).toMatchObject({ type: 'canonical', enabled: true, paused: null, failures: 1, openDeadLetters: 1, status: 'degraded' });
    expect(events.processed).toBeGreaterThanOrEqual(1);
    expect(events.errorRate).toBeCloseTo(1 / (events.processed + 1));
    expect(Date.parse(events.lastSuccessAt)).toBeGreaterThan(Date.now() - 60_000);
    await waitFor(async () => (await call(hub, 'viewer', 'GET', '/api/connectors/stock-api')).json.lastPushAt, 'a push recorded');
    expect((await call(hub, 'viewer', 'GET', '/api/connectors/stock-api')).json).toMatchObject({ status: 'ok', paused: false });
    expect((await call(hub, 'viewer', 'GET', '/api/connectors/nope')).status).toBe(404);
  });

  it('pauses and resumes a connector, kept in Redis for other processes and restarts, and audited', async () => {
    const paused = await call(hub, 'operator', 'POST', '/api/connectors/stock-api/pause');
    expect(paused.json).toMatchObject({ id: 'stock-api', paused: true, status: 'paused' });
    // A fresh connection, as a restarted hub would open, sees the pause.
    const fresh = new Queue(outboundQueue('stock-api'), { connection: bullConnection(REDIS_URL), prefix: hub.config.queues.prefix });
    try {
      expect(await fresh.isPaused()).toBe(true);
      expect((await call(hub, 'operator', 'POST', '/api/connectors/stock-api/resume')).json).toMatchObject({ paused: false, status: 'ok' });
      expect(await fresh.isPaused()).toBe(false);
    } finally {
      await fresh.close();
    }
    expect((await call(hub, 'operator', 'POST', '/api/connectors/events/pause')).json.error.code).toBe('no_outbound_queue');
    const rows = await auditRows(hub, { target: 'connector:stock-api' });
    expect(rows.slice(0, 2).map((r) => [r.action, r.actor, r.outcome])).toEqual([
      ['connector.resume', 'api:operator-1', 'ok'],
      ['connector.pause', 'api:operator-1', 'ok'],
    ]);
  });

  it("shows a SKU's balances and availableToSell per channel", async () => {
    const res = await call(hub, 'viewer', 'GET', '/api/inventory/VIEW-1');
    expect(res.json).toMatchObject({
      sku: 'VIEW-1',
      known: true,
      locations: [{ location: 'wh-east', onHand: 10, available: 10 }],
      availableToSell: [{ channel: 'web', available: 10 }],
    });
    expect((await call(hub, 'viewer', 'GET', '/api/inventory/NEVER-SEEN')).json).toMatchObject({ known: false, locations: [] });
  });

  it('finds an order by external id, order number or internal id, with its history', async () => {
    await hub.postEvents(order('VIEW-O-1', 'VIEW-1', 2));
    const found = await waitFor(async () => {
      const r = await call(hub, 'viewer', 'GET', '/api/orders/VIEW-O-1');
      return r.status === 200 ? r : undefined;
    }, 'order applied');
    expect(found.json.order).toMatchObject({ channel: 'web', externalOrderId: 'VIEW-O-1', status: 'allocated' });
    expect(found.json.history).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'movement',
          eventType: 'order.upserted',
          connector: 'events',
          summary: expect.stringContaining('allocated +2 VIEW-1 at wh-east'),
        }),
        expect.objectContaining({ kind: 'event', eventType: 'order.upserted', summary: 'latest order version applied: 2026-01-01T00:00:00Z' }),
      ]),
    );
    expect((await call(hub, 'viewer', 'GET', `/api/orders/${encodeURIComponent('#VIEW-O-1')}`)).json.id).toBe(found.json.id);
    expect((await call(hub, 'viewer', 'GET', `/api/orders/${found.json.id}?by=id`)).json.order.externalOrderId).toBe('VIEW-O-1');
    expect((await call(hub, 'viewer', 'GET', '/api/orders/VIEW-O-1?channel=other')).status).toBe(404);
  });

  it('answers 409 with the candidates when a reference names several orders', async () => {
    await hub.postEvents([order('VIEW-A-1', 'VIEW-1', 1, 'SAME-NO'), order('VIEW-A-2', 'VIEW-1', 1, 'SAME-NO')]);
    await waitFor(async () => (await call(hub, 'viewer', 'GET', '/api/orders/VIEW-A-2')).status === 200, 'orders applied');
    const res = await call(hub, 'viewer', 'GET', '/api/orders/SAME-NO');
    expect(res.status).toBe(409);
    expect(res.json.error).toMatchObject({
      code: 'ambiguous_order',
      details: { candidates: [{ externalOrderId: 'VIEW-A-1' }, { externalOrderId: 'VIEW-A-2' }] },
    });
  });

  it('lists replenishment suggestions once stock falls below the reorder point', async () => {
    await hub.postEvents(adjust('REPL-1', -5));
    const res = await waitFor(async () => {
      const r = await call(hub, 'viewer', 'GET', '/api/replenishment?status=open&sku=REPL-1');
      return r.json.suggestions.length ? r : undefined;
    }, 'suggestion');
    expect(res.json.suggestions[0]).toMatchObject({ sku: 'REPL-1', location: 'wh-east', available: 3, reorderPoint: 5, reorderQuantity: 20, status: 'open' });
  });

  it('pages through the audit log with filters', async () => {
    const first = await call(hub, 'viewer', 'GET', '/api/audit?limit=1&actor=api:operator-1');
    expect(first.json.items).toHaveLength(1);
    expect(first.json.items[0]).toMatchObject({ actor: 'api:operator-1' });
    const second = await call(hub, 'viewer', 'GET', `/api/audit?limit=1&actor=api:operator-1&before=${first.json.nextBefore}`);
    expect(second.json.items[0].id).toBeLessThan(first.json.items[0].id);
    expect((await call(hub, 'viewer', 'GET', '/api/audit?action=connector.pause&outcome=refused')).json.items).toEqual([
      expect.objectContaining({ target: 'connector:events', details: expect.objectContaining({ code: 'no_outbound_queue' }) }),
    ]);
  });

  it('lists no alert rules when config has none', async () => {
    expect((await call(hub, 'viewer', 'GET', '/api/alerts')).json).toMatchObject({ rules: [], notifying: false, active: [], stale: false });
  });
});
