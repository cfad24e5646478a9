import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getInventory } from '../../src/core/erp/index.js';
import { createErpContext } from '../../src/core/erp/context.js';
import { getDeadLetter, listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { event, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';

const adjust = (sku: string, delta: number, location = 'wh-east') => event('inventory.adjusted', { sku, location, delta, reason: 'receipt' });

describe('webhook intake to ledger (PostgreSQL + Redis)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub.stop();
  });

  const onHand = async (sku: string, location = 'wh-east') => {
    const view = await getInventory(hub.db, sku, createErpContext(hub.config));
    return view.locations.find((l) => l.location === location)?.onHand ?? 0;
  };
  const inboxStatus = async (id: unknown) => (await hub.db.query<{ status: string }>('SELECT status FROM inbox WHERE id = $1', [id])).rows[0]?.status;

  it('acknowledges a signed delivery and applies it to the ledger', async () => {
    const res = await hub.postEvents(adjust('PIPE-1', 7));
    expect(res).toMatchObject({ status: 200, json: { status: 'accepted' } });
    await waitFor(async () => (await inboxStatus(res.json['id'])) === 'processed', 'delivery processed');
    expect(await onHand('PIPE-1')).toBe(7);
  });

  it('acknowledges a duplicate delivery without enqueuing or applying it again', async () => {
    const body = adjust('PIPE-2', 3);
    const first = await hub.postEvents(body, { deliveryId: 'dup-1' });
    await waitFor(async () => (await inboxStatus(first.json['id'])) === 'processed', 'first delivery processed');
    const counts = await hub.hub.queues.inbound.getJobCounts('completed', 'waiting', 'active', 'delayed');
    const second = await hub.postEvents(body, { deliveryId: 'dup-1' });
    expect(second).toMatchObject({ status: 200, json: { status: 'duplicate', id: first.json['id'] } });
    expect(await hub.hub.queues.inbound.getJobCounts('completed', 'waiting', 'active', 'delayed')).toEqual(counts);
    expect(await onHand('PIPE-2')).toBe(3);
  });

  it('applies the same event sent in two deliveries only once', async () => {
    const body = adjust('PIPE-3', 5);
    const a = await hub.postEvents(body);
    const b = await hub.postEvents(body);
    expect(a.json['id']).not.toEqual(b.json['id']);
    await waitFor(async () => (await inboxStatus(a.json['id'])) === 'processed' && (await inboxStatus(b.json['id'])) === 'processed', 'both processed');
    expect(await onHand('PIPE-3')).toBe(5);
  });

  it('refuses a forged signature with 401, malformed JSON with 400 and an oversized body with 413, enqueuing none and counting each', async () => {
    const before = await hub.db.query<{ n: number }>('SELECT count(*) AS n FROM inbox');
    expect((await hub.postEvents(adjust('PIPE-X', 1), { secret: 'not-the-secret-at-all-123' })).status).toBe(401);
    expect((await hub.postEvents(null, { raw: '{"id": "x", ' })).status).toBe(400);
    expect((await hub.postEvents(null, { raw: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) })).status).toBe(413);
    const after = await hub.db.query<{ n: number }>('SELECT count(*) AS n FROM inbox');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    const metrics = await hub.metrics.registry.getSingleMetricAsString('hub_webhook_rejections_total');
    expect(metrics).toContain('reason="invalid_signature"} 1');
    expect(metrics).toContain('reason="malformed_json"} 1');
    expect(metrics).toContain('reason="too_large"} 1');
  });

  it('sends a delivery that is not a canonical event straight to the dead-letter queue, naming the field', async () => {
    const bad = adjust('PIPE-4', 2.5);
    const res = await hub.postEvents(bad);
    const entry = await waitFor(async () => (await listDeadLetters(hub.db, { sku: 'PIPE-4' })).items[0], 'dead letter');
    expect(entry).toMatchObject({
      step: 'normalize',
      connectorId: 'events',
      errorClass: 'ValidationError',
      inboxId: res.json['id'],
      status: 'open',
    });
    expect(entry.message).toContain('data.delta: must be a whole number of units');
    expect(entry.attempts).toHaveLength(1);
    expect(entry.payload).toMatchObject({ data: { sku: 'PIPE-4', delta: 2.5 } });
    expect(await inboxStatus(res.json['id'])).toBe('dead');
    expect(await onHand('PIPE-4')).toBe(0);
  });

  it('dead-letters an event the ledger refuses at the apply step, with the event kept', async () => {
    const bad = event('inventory.adjusted', { sku: 'PIPE-5', location: 'wh-nowhere', delta: 1, reason: 'receipt' });
    await hub.postEvents(bad);
    const entry = await waitFor(async () => (await listDeadLetters(hub.db, { sku: 'PIPE-5' })).items[0], 'dead letter');
    expect(entry.step).toBe('apply');
    expect(entry.event).toMatchObject({ id: bad['id'], type: 'inventory.adjusted' });
    expect(entry.message).toMatch(/wh-nowhere/);
    expect((await getDeadLetter(hub.db, entry.id))?.eventType).toBe('inventory.adjusted');
  });
});
