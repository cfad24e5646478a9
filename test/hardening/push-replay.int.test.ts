import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorRegistry } from '../../src/connectors/registry.js';
import type { AvailabilityUpdate, ConnectorDefinition } from '../../src/connectors/types.js';
import { getDeadLetter, listDeadLetters, type DeadLetter } from '../../src/queues/dead-letter-store.js';
import { replayDeadLetters, type ReplayDeps } from '../../src/queues/replay.js';
import { FakeStockApi, fakePushConnector, fakePushInstance, sellThroughFakePush } from '../helpers/fake-push.js';
import { BASE_CONFIG, event, parseTestConfig, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { uniq } from '../erp/helpers.js';

/** What the pusher was asked to send, external ids included. */
const sent: AvailabilityUpdate[] = [];
const recordingConnector: ConnectorDefinition = {
  ...fakePushConnector,
  createClient: (config, deps) => {
    const inner = fakePushConnector.createClient!(config, deps);
    return {
      ...inner,
      async pushAvailability(updates) {
        sent.push(...updates);
        return inner.pushAvailability!(updates);
      },
    };
  },
};

describe('edit-before-replay of a push dead letter', () => {
  let hub: TestHub;
  let api: FakeStockApi;
  let deps: ReplayDeps;
  beforeAll(async () => {
    api = await new FakeStockApi().start();
    const config = parseTestConfig(BASE_CONFIG);
    sellThroughFakePush(config, fakePushInstance(api.url));
    hub = await startTestHub({ config, registry: [...connectorRegistry, recordingConnector] });
    deps = hub.hub.snapshot();
  });
  afterAll(async () => {
    await hub.stop();
    await api.stop();
  });
  beforeEach(() => {
    sent.length = 0;
  });

  const receipt = (sku: string, delta: number) => event('inventory.adjusted', { sku, location: 'wh-east', delta, reason: 'receipt' });
  const openPushLetters = async (sku: string) => (await listDeadLetters(hub.db, { sku, step: 'push' })).items;

  /** A SKU the channel does not know: its push dead-letters. */
  async function deadPush(sku: string, delta: number, count = 1): Promise<DeadLetter> {
    api.gone.add(sku);
    await hub.postEvents(receipt(sku, delta));
    const letters = await waitFor(
      async () => {
        const items = await openPushLetters(sku);
        return items.length >= count ? items : undefined;
      },
      'push dead letter',
      30_000,
    );
    sent.length = 0;
    return letters[0]!; // newest first
  }

  it('refuses every edit but the external ids, and the dead letter stays open', async () => {
    const sku = uniq('FORGE');
    const entry = await deadPush(sku, 3);
    const item = (entry.payload as { items: Record<string, unknown>[] }).items[0]!;
    const edits: [Record<string, unknown>, RegExp][] = [
      [{ ...(entry.payload as object), items: [{ ...item, version: 1e12 }] }, /items\[0\]\.version cannot be edited/],
      [{ ...(entry.payload as object), items: [{ ...item, available: 777 }] }, /items\[0\]\.available cannot be edited/],
      [{ ...(entry.payload as object), items: [{ ...item, sku: 'OTHER-SKU' }] }, /items\[0\]\.sku cannot be edited/],
      [{ ...(entry.payload as object), items: [{ ...item, channel: 'wholesale' }] }, /items\[0\]\.channel cannot be edited/],
      [{ ...(entry.payload as object), connectorId: 'events' }, /connectorId cannot be edited/],
      [{ ...(entry.payload as object), items: [item, { ...item, sku: 'EXTRA' }] }, /items cannot be edited/],
    ];
    for (const [payload, why] of edits) {
      const [result] = await replayDeadLetters(deps, { ids: [entry.id] }, { actor: 'test', payload });
      expect(result).toMatchObject({ verdict: 'refused', message: expect.stringMatching(why) });
    }
    expect((await getDeadLetter(hub.db, entry.id))?.status).toBe('open');
    expect(sent).toEqual([]);
  });

  it('replays with the corrected external ids and the quantity and version the ledger holds now', async () => {
    const sku = uniq('FIX');
    const first = await deadPush(sku, 3);
    // More stock arrives while the channel still refuses the SKU: the ledger moves on.
    const second = await deadPush(sku, 2, 2);
    expect((second.payload as { items: { available: number }[] }).items[0]!.available).toBe(5);
    api.gone.delete(sku);
    const item = (first.payload as { items: Record<string, unknown>[] }).items[0]!;
    const [result] = await replayDeadLetters(
      deps,
      { ids: [first.id] },
      { actor: 'operator-1', payload: { ...(first.payload as object), items: [{ ...item, externalIds: { itemId: 'X-9' } }] } },
    );
    expect(result?.verdict).toBe('requeued');
    await waitFor(() => api.levels.get(sku) === 5, 'replayed with the current value', 30_000);
    const pushed = sent.find((u) => u.sku === sku)!;
    expect(pushed).toMatchObject({
      available: 5,
      version: (second.payload as { items: { version: number }[] }).items[0]!.version,
      externalIds: { itemId: 'X-9' },
    });
    const { rows } = await hub.db.query<{ details: Record<string, unknown> }>(`SELECT details FROM audit_log WHERE target = $1 AND outcome = 'ok'`, [
      `dead-letter:${first.id}`,
    ]);
    expect(rows[0]?.details).toMatchObject({ edited: true, before: { items: [{ sku }] }, after: { items: [{ sku, externalIds: { itemId: 'X-9' } }] } });
  });

  it('refuses a replay to a connector that no longer exists, and the dead letter stays open', async () => {
    const sku = uniq('GONE');
    const entry = await deadPush(sku, 1);
    const without = { ...deps, connectors: new Map([...deps.connectors].filter(([id]) => id !== 'stock-api')) };
    const [result] = await replayDeadLetters(without, { ids: [entry.id] }, { actor: 'test' });
    expect(result).toMatchObject({ verdict: 'refused', message: expect.stringMatching(/connector "stock-api" is not configured/) });
    expect((await getDeadLetter(hub.db, entry.id))?.status).toBe('open');
  });
});

describe('edit-before-replay of a delivery', () => {
  let hub: TestHub;
  let deps: ReplayDeps;
  beforeAll(async () => {
    hub = await startTestHub();
    deps = hub.hub.snapshot();
  });
  afterAll(async () => {
    await hub.stop();
  });

  const onHand = async (sku: string) =>
    (await hub.db.query<{ quantity: number }>(`SELECT quantity FROM inventory_balance WHERE sku = $1 AND location = 'wh-east' AND state = 'onHand'`, [sku]))
      .rows[0]?.quantity ?? 0;

  it('replaces what the inbox row will be processed with: the sweeper can only pick up the edit', async () => {
    const sku = uniq('RACE');
    const original = event('inventory.adjusted', { sku, location: 'wh-east', delta: -5, reason: 'damage' });
    const res = await hub.postEvents(original);
    const inboxId = res.json['id'] as number;
    const entry = await waitFor(async () => (await listDeadLetters(hub.db, { sku })).items[0], 'dead letter', 30_000);
    // Stock arrives: the original (-5) would now apply.
    await hub.postEvents(event('inventory.adjusted', { sku, location: 'wh-east', delta: 10, reason: 'receipt' }));
    await waitFor(async () => (await onHand(sku)) === 10, 'receipt applied', 30_000);
    const edited = { ...original, data: { ...(original['data'] as object), delta: -1 } };
    const [result] = await replayDeadLetters(deps, { ids: [entry.id] }, { actor: 'test', payload: edited });
    expect(result?.verdict).toBe('requeued');
    const row = await hub.db.query<{ body: string }>('SELECT body FROM inbox WHERE id = $1', [inboxId]);
    expect(JSON.parse(row.rows[0]!.body)).toMatchObject({ data: { delta: -1 } });
    // What the sweeper does with a `received` row: drop the ended job, enqueue the row without a body.
    const stale = await hub.hub.queues.inbound.getJob(`inbox-${inboxId}`);
    if (stale && ((await stale.isFailed()) || (await stale.isCompleted()))) await stale.remove();
    await hub.hub.queues.enqueueInbound({ inboxId, connectorId: 'events', topic: 'events' });
    await waitFor(
      async () => {
        const done = await hub.hub.queues.inbound.getJob(`inbox-${inboxId}`);
        return done && (await done.isCompleted());
      },
      'sweeper job done',
      30_000,
    );
    await waitFor(
      async () => (await hub.db.query<{ status: string }>('SELECT status FROM inbox WHERE id = $1', [inboxId])).rows[0]?.status === 'processed',
      'processed',
      30_000,
    );
    expect(await onHand(sku)).toBe(9);
  });

  it('audits an edit with the payload before and after, personal data and secrets masked', async () => {
    const order = event('order.upserted', {
      channel: 'web',
      externalOrderId: uniq('o'),
      orderNumber: '#1',
      placedAt: '2026-01-01T00:00:00.000Z',
      currency: 'USD',
      total: { amount: '5.00', currency: 'USD' },
      customer: { email: 'jane.doe@example.com', name: 'Jane Doe' },
      shipTo: { name: 'Jane Doe', address1: '1 Secret Lane', city: 'Springfield' },
      lines: [{ externalLineId: 'L1', sku: 'AUD-1', quantity: 0, unitPrice: { amount: '5.00', currency: 'USD' } }],
    });
    await hub.postEvents({ ...order, token: 'sk_live_should_not_show' });
    const entry = await waitFor(
      async () => (await listDeadLetters(hub.db, { order: (order['data'] as { externalOrderId: string }).externalOrderId })).items[0],
      'dead letter',
      30_000,
    );
    const fixed = {
      ...order,
      data: {
        ...(order['data'] as Record<string, unknown>),
        lines: [{ externalLineId: 'L1', sku: 'AUD-1', quantity: 1, unitPrice: { amount: '5.00', currency: 'USD' } }],
      },
    };
    await replayDeadLetters(deps, { ids: [entry.id] }, { actor: 'test', payload: fixed });
    const { rows } = await hub.db.query<{ details: { before: { data: Record<string, unknown>; token: string }; after: { data: Record<string, unknown> } } }>(
      `SELECT details FROM audit_log WHERE target = $1`,
      [`dead-letter:${entry.id}`],
    );
    const details = rows[0]!.details;
    expect(details.before.data).toMatchObject({ customer: '[redacted]', shipTo: '[redacted]', lines: [{ quantity: 0 }] });
    expect(details.before.token).toBe('[redacted]');
    expect(details.after.data).toMatchObject({ customer: '[redacted]', lines: [{ quantity: 1 }] });
    expect(JSON.stringify(details)).not.toMatch(/jane|Secret Lane|sk_live/i);
  });
});
