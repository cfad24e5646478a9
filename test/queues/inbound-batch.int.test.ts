import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANONICAL_TOPIC } from '../../src/connectors/canonical/index.js';
import { getInventory } from '../../src/core/erp/index.js';
import { listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { recordDeliveries } from '../../src/queues/group-commit.js';
import { BASE_CONFIG, event, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';

/** Deliveries recorded in one flush travel in one job and apply in one transaction, yet fail one by one. */
describe('batched inbound deliveries (PostgreSQL + Redis)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ lockTimeoutMs: 150 });
  });
  afterAll(async () => {
    await hub.stop();
  });

  const onHand = async (sku: string) => (await getInventory(hub.db, sku, hub.hub.snapshot().erp)).locations.find((l) => l.location === 'wh-east')?.onHand ?? 0;
  const adjust = (sku: string, delta: number) => event('inventory.adjusted', { sku, location: 'wh-east', delta, reason: 'receipt' });
  const status = async (id: number) => (await hub.db.query<{ status: string }>('SELECT status FROM inbox WHERE id = $1', [id])).rows[0]?.status;

  /** Records bodies as one intake flush would and enqueues them as ONE batch job. */
  async function flush(bodies: Record<string, unknown>[]): Promise<number[]> {
    const deliveries = bodies.map((b) => ({ connectorId: 'events', dedupKey: randomUUID(), topic: CANONICAL_TOPIC, body: JSON.stringify(b) }));
    const recorded = await recordDeliveries(hub.db, deliveries);
    await hub.hub.queues.enqueueInboundBatch(
      recorded.map((r, i) => ({ inboxId: r.id, connectorId: 'events', topic: CANONICAL_TOPIC, body: deliveries[i]!.body })),
    );
    return recorded.map((r) => r.id);
  }

  it('records a flush in one statement: new rows, and duplicates (earlier or within the flush) with the recorded id', async () => {
    const d = { connectorId: 'events', dedupKey: randomUUID(), topic: CANONICAL_TOPIC, body: '{}' };
    const [first] = await recordDeliveries(hub.db, [d]);
    const again = await recordDeliveries(hub.db, [d, { ...d, dedupKey: 'twice' }, { ...d, dedupKey: 'twice' }]);
    expect(again[0]).toEqual({ id: first!.id, duplicate: true });
    expect(again[1]!.duplicate).toBe(false);
    expect(again[2]).toEqual({ id: again[1]!.id, duplicate: true });
    await hub.db.query(`UPDATE inbox SET status = 'processed' WHERE id = ANY($1::bigint[])`, [[first!.id, again[1]!.id]]);
  });

  it('dead-letters a delivery that fails for good inside the batch transaction; the others in the batch commit', async () => {
    const ids = await flush([adjust('BATCH-OK-1', 3), adjust('BATCH-OK-2', 4), adjust('BATCH-BAD', -100), adjust('BATCH-OK-1', 2)]);
    await waitFor(async () => (await listDeadLetters(hub.db, { sku: 'BATCH-BAD' })).items[0], 'the bad delivery dead-lettered', 30_000);
    await waitFor(async () => ((await onHand('BATCH-OK-1')) === 5 && (await onHand('BATCH-OK-2')) === 4) || null, 'the rest applied', 30_000);
    const [dead] = (await listDeadLetters(hub.db, { sku: 'BATCH-BAD' })).items;
    expect(dead).toMatchObject({ step: 'apply', errorCode: 'invalid_value', errorClass: 'ValidationError', inboxId: ids[2] });
    expect(await Promise.all(ids.map(status))).toEqual(['processed', 'processed', 'dead', 'processed']);
    expect(await onHand('BATCH-BAD')).toBe(0);
  });

  it('retries a batch that hits contention, then splits it so the others apply while one delivery waits; each applied once', async () => {
    await flush([adjust('BATCH-HELD', 1)]);
    await waitFor(async () => (await onHand('BATCH-HELD')) === 1 || null, 'seeded', 30_000);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = hub.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL lock_timeout = '60s'`);
      await tx.query('SELECT 1 FROM inventory_balance WHERE sku = $1 FOR UPDATE', ['BATCH-HELD']);
      locked();
      await released;
    });
    await isLocked;
    const ids = await flush([adjust('BATCH-FREE-1', 1), adjust('BATCH-FREE-2', 1), adjust('BATCH-HELD', 5), adjust('BATCH-FREE-3', 1)]);
    await waitFor(
      async () => ((await onHand('BATCH-FREE-1')) === 1 && (await onHand('BATCH-FREE-2')) === 1 && (await onHand('BATCH-FREE-3')) === 1) || null,
      'the deliveries not held applied while one is held',
      30_000,
    );
    expect(await status(ids[2]!)).toBe('received');
    release();
    await holder;
    await waitFor(async () => (await onHand('BATCH-HELD')) === 6 || null, 'the held delivery applied after release', 30_000);
    expect(await Promise.all(ids.map(status))).toEqual(['processed', 'processed', 'processed', 'processed']);
    expect((await listDeadLetters(hub.db, { sku: 'BATCH-HELD' })).total).toBe(0);
    expect(await onHand('BATCH-FREE-1')).toBe(1);
  });
});

/** Acknowledged deliveries wait up to queues.batchWindowMs to share one job, applied in one transaction. */
describe('the batch window', () => {
  /** On a hub with this window, posts receipts one after another (each its own intake flush) and answers how many transactions applied them. */
  async function transactionsFor(windowMs: number, n: number): Promise<number> {
    const hub = await startTestHub({ yaml: `${BASE_CONFIG}\nqueues: { batchWindowMs: ${windowMs} }\n` });
    try {
      const sku = `WINDOW-${randomUUID().slice(0, 6)}`;
      const ids: number[] = [];
      for (let i = 0; i < n; i++) {
        const res = await hub.postEvents(event('inventory.adjusted', { sku, location: 'wh-east', delta: 1, reason: 'receipt' }));
        expect(res.status).toBe(200);
        ids.push(Number(res.json['id']));
      }
      const q = `SELECT count(DISTINCT processed_at)::int AS n, count(*) FILTER (WHERE status = 'processed')::int AS done FROM inbox WHERE id = ANY($1::bigint[])`;
      const row = await waitFor(async () => (await hub.db.query<{ n: number; done: number }>(q, [ids])).rows.find((r) => r.done === n), 'all applied', 30_000);
      return row.n;
    } finally {
      await hub.stop();
    }
  }

  it('applies deliveries acknowledged one after another within the window in fewer transactions than deliveries', async () => {
    expect(await transactionsFor(1000, 6)).toBeLessThan(6);
  });

  it('with a window of 0 gives each intake flush its own job', async () => {
    expect(await transactionsFor(0, 6)).toBe(6);
  });
});
