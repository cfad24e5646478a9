import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ebayConnector } from '../../src/connectors/ebay/index.js';
import { walmartConnector } from '../../src/connectors/walmart/index.js';
import { createErpContext } from '../../src/core/erp/context.js';
import { availableToSell } from '../../src/core/erp/index.js';
import { burstOf, paceMs, reserveOf } from '../../src/queues/budget-policy.js';
import { createBudgetStore } from '../../src/queues/budget-store.js';
import { type EbaySimulator, ebaySimConnectorYaml, startEbaySimulator } from '../sim/ebay/index.js';
import { type WalmartSimulator, startWalmartSimulator, walmartConnectorYaml } from '../sim/walmart/index.js';
import { virtualClock } from '../helpers/clock.js';
import { QUICK_RETRY, oneWarehouseConfig } from '../helpers/e2e.js';
import { event, startTestHub, type TestHub, waitFor } from '../helpers/hub.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const VIEWER = 'budget-viewer-token-0123456789';
const revisions = ebayConnector.budgets!.find((b) => b.name === 'listing-revisions')!;

/**
 * Budgets through the production wiring (createHub, relay, outbound worker, real Redis and
 * PostgreSQL) against the eBay simulator, which counts quantity revisions per listing per day.
 */
describe('budgets: a listing whose stock churns all day (eBay, 250 revisions per listing per day)', () => {
  // The hub's budget windows and the simulator's "today" both read this clock.
  const clock = virtualClock('2031-03-04T00:00:00.000Z');
  let ebay: EbaySimulator;
  let hub: TestHub;

  beforeAll(async () => {
    ebay = await startEbaySimulator({ now: clock.now, tokenLifetimeSec: 10 * 24 * 3600 });
    const config = oneWarehouseConfig(
      [{ id: 'ebay', connector: 'ebay-main' }],
      [ebaySimConnectorYaml(ebay, { extra: [QUICK_RETRY] })],
      `auth:\n  tokens: [{ name: viewer-1, role: viewer, token: ${VIEWER} }]\n`,
    );
    hub = await startTestHub({ config, now: clock.now });
  });
  afterAll(async () => {
    await hub?.stop();
    await ebay?.close();
  });

  const level = (sku: string, quantity: number) =>
    hub.postEvents(event('inventory.level.reported', { sku, location: 'wh-east', quantity, reporter: 'warehouse' }));
  const ats = (sku: string) => availableToSell(hub.db, sku, 'ebay', createErpContext(hub.config));
  /** The relay has moved every change (pushed or held) and the connector's queue is empty. */
  const settled = async () => {
    const { rows } = await hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM availability_outbox`);
    const counts = await hub.hub.queues.outbound('ebay-main').getJobCounts('wait', 'active', 'delayed', 'prioritized');
    return Number(rows[0]!.n) === 0 && Object.values(counts).every((n) => n === 0);
  };
  const applied = async (sku: string, quantity: number) => (await ats(sku)) === quantity;

  it('keeps a day of churn (a change every 5 minutes, 288 in all) under the daily cap, then sends the latest value', { timeout: 600_000 }, async () => {
    const sku = 'CHURN-1';
    ebay.store.addListing({ sku, quantity: 0 });
    let latest = 0;
    for (let step = 0; clock.now() < Date.parse('2031-03-04T23:55:00.000Z'); step++) {
      // Never zero: every change is routine (an increase, or a decrease that leaves stock on sale).
      latest = 5 + ((step * 37) % 40);
      await level(sku, latest);
      await waitFor(() => applied(sku, latest), `change ${step} applied`, 30_000);
      await waitFor(settled, `change ${step} relayed`, 30_000);
      clock.advance(5 * MINUTE);
    }
    const sent = ebay.store.revisionsToday(sku);
    expect(sent).toBeLessThanOrEqual(revisions.max);
    // Routine changes use the budget less the reserve, paced over the day: far fewer than the 288 changes.
    expect(sent).toBeLessThanOrEqual(revisions.max - reserveOf(revisions));
    expect(sent).toBeGreaterThan(DAY / paceMs(revisions) / 2);
    // The budget left is visible to operators (the most revised listing's): every revision so far is in today's window.
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    const gauge = metrics
      .split('\n')
      .find((l) => l.startsWith('hub_connector_budget_remaining{') && l.includes('connector="ebay-main"') && l.includes('budget="listing-revisions"'));
    expect(Number(gauge?.split(' ').pop())).toBe(revisions.max - sent);
    const res = await fetch(`${hub.url}/api/connectors/ebay-main`, { headers: { authorization: `Bearer ${VIEWER}` } });
    const status = (await res.json()) as { budgets: { name: string; remaining: number; sku: string | null }[] };
    expect(status.budgets.find((b) => b.name === 'listing-revisions')).toMatchObject({ remaining: revisions.max - sent, sku });

    // The last change may still be held for its slot; once the slot comes, the latest value goes out.
    const { rows } = await hub.db.query<{ available: number; due_ms: string }>(`SELECT available, due_ms FROM availability_held WHERE sku = $1`, [sku]);
    if (rows[0]) {
      expect(rows[0].available).toBe(latest);
      clock.advance(Math.max(0, Number(rows[0].due_ms) - clock.now()));
    }
    await waitFor(() => ebay.store.available(sku) === latest, 'latest value pushed at its slot', 30_000);
    expect(ebay.store.revisionsToday(sku)).toBeLessThanOrEqual(revisions.max);
  });

  it('sends a drop to zero at once, with no time passing, even though the routine slot is hours of budget away', { timeout: 120_000 }, async () => {
    const sku = 'CHURN-1';
    // Rises with the clock frozen: the first few may use the burst the pace allows, then one waits for its slot.
    const heldValue = async () =>
      (await hub.db.query<{ available: number }>(`SELECT available FROM availability_held WHERE connector_id = 'ebay-main' AND sku = $1`, [sku])).rows[0]
        ?.available;
    let quantity = 45;
    for (; quantity <= 45 + burstOf(revisions) + 1; quantity++) {
      await level(sku, quantity);
      await waitFor(() => applied(sku, quantity), `rise to ${quantity} applied`, 30_000);
      await waitFor(settled, `rise to ${quantity} relayed`, 30_000);
      if ((await heldValue()) !== undefined) break;
    }
    expect(await heldValue()).toBe(quantity);
    expect(ebay.store.available(sku)).not.toBe(quantity);
    const before = ebay.store.revisionsToday(sku);
    await level(sku, 0);
    await waitFor(() => ebay.store.available(sku) === 0, 'drop to zero pushed without waiting for a slot', 30_000);
    expect(ebay.store.revisionsToday(sku)).toBe(before + 1);
    // The held rise is older than the drop: it is dropped, never sent over the zero.
    expect((await hub.db.query(`SELECT 1 FROM availability_held WHERE sku = $1`, [sku])).rowCount).toBe(0);
    expect(ebay.store.revisionsToday(sku)).toBeLessThanOrEqual(revisions.max);
  });
});

/**
 * A connector-wide budget (Walmart: 10 bulk inventory feeds an hour) against the Walmart simulator:
 * many SKUs go as one feed while the budget allows, item calls carry urgent drops when it does not,
 * and routine changes wait for the next feed.
 */
describe('budgets: feeds per hour choose between a feed, item calls, or waiting (Walmart)', () => {
  const clock = virtualClock('2031-03-05T08:00:00.000Z');
  const feeds = walmartConnector.budgets!.find((b) => b.name === 'inventory-feeds')!;
  const skus = ['FEED-1', 'FEED-2', 'FEED-3', 'FEED-4', 'FEED-5'];
  let walmart: WalmartSimulator;
  let hub: TestHub;

  beforeAll(async () => {
    walmart = await startWalmartSimulator();
    for (const sku of skus) walmart.store.addItem(sku, 0);
    const config = oneWarehouseConfig(
      [{ id: 'walmart', connector: 'walmart-main' }],
      [
        walmartConnectorYaml(walmart, {
          location: 'wh-east',
          pollEveryMs: 3_600_000,
          settings: ['singleUpdateMax: 2', 'feedPollIntervalMs: 20'],
          extra: [QUICK_RETRY],
        }),
      ],
    );
    hub = await startTestHub({ config, now: clock.now });
  });
  afterAll(async () => {
    await hub?.stop();
    await walmart?.close();
  });

  const levels = (quantities: Record<string, number>) =>
    hub.postEvents(
      Object.entries(quantities).map(([sku, quantity]) => event('inventory.level.reported', { sku, location: 'wh-east', quantity, reporter: 'warehouse' })),
    );
  const onWalmart = (quantities: Record<string, number>) => Object.entries(quantities).every(([sku, q]) => walmart.store.available(sku) === q);
  const held = async () =>
    Number((await hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM availability_held WHERE connector_id = 'walmart-main'`)).rows[0]!.n);

  it('sends five SKUs as one feed, holds the next round for the next feed slot, pushes a drop to zero by item call at once', { timeout: 120_000 }, async () => {
    const first = Object.fromEntries(skus.map((s, i) => [s, 10 + i]));
    await levels(first);
    await waitFor(() => onWalmart(first), 'first round pushed', 30_000);
    expect(walmart.counters.feeds).toBe(1);
    const itemCalls = walmart.counters.inventoryUpdates;

    // A second round a moment later: the feed budget is paced (one feed per 400 s), so it waits.
    const second = Object.fromEntries(skus.map((s, i) => [s, 20 + i]));
    await levels(second);
    await waitFor(async () => (await held()) === skus.length, 'second round held', 30_000);
    expect(onWalmart(first)).toBe(true);

    // One SKU sells out: an item call carries it now; the others keep waiting.
    await levels({ 'FEED-3': 0 });
    await waitFor(() => walmart.store.available('FEED-3') === 0, 'drop to zero pushed by item call', 30_000);
    expect(walmart.counters.feeds).toBe(1);
    expect(walmart.counters.inventoryUpdates).toBe(itemCalls + 1);
    expect(await held()).toBe(skus.length - 1);

    // The next feed slot comes: the held values go together as one feed, the zero stays.
    clock.advance(paceMs(feeds));
    const rest = { ...second, 'FEED-3': 0 };
    await waitFor(() => onWalmart(rest), 'held round pushed at the next feed slot', 30_000);
    expect(walmart.counters.feeds).toBe(2);
    expect(await held()).toBe(0);
  });
});

describe('budget store (Redis, injected clock)', () => {
  it('spends atomically up to the limit across concurrent callers and frees spends a window later', async () => {
    const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
    const clock = virtualClock('2031-03-06T00:00:00.000Z');
    const prefix = `{test-budget-${Date.now()}}`;
    const store = createBudgetStore(redis, prefix, clock.now);
    const spec = { name: 'feeds', max: 5, windowMs: 5 * MINUTE, per: 'connector' as const, operation: 'feed', doc: 'https://example.invalid' };
    try {
      const taken = await Promise.all(Array.from({ length: 12 }, () => store.take('c1', spec, undefined, 1)));
      expect(taken.filter(Boolean)).toHaveLength(5);
      expect(await store.usage('c1', spec)).toMatchObject({ used: 5, remaining: 0 });
      clock.advance(5 * MINUTE - 1);
      expect((await store.usage('c1', spec)).used).toBe(5);
      clock.advance(spec.windowMs); // well past the window and its bucket
      expect((await store.usage('c1', spec)).used).toBe(0);
      expect(await store.take('c1', spec, undefined, 1)).toBe(true);
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });
});
