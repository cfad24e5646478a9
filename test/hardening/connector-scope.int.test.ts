import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCanonical } from '../../src/connectors/canonical/index.js';
import { listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { CANONICAL_SECRET, event, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { uniq } from '../erp/helpers.js';

const OTHER_SECRET = 'other-canonical-secret-0123456789';

/** Two canonical senders: `events` (open) and `wms`, confined to channel web and location wh-west. */
const YAML = `
locations:
  - { id: wh-east, kind: warehouse }
  - { id: wh-west, kind: warehouse }
channels:
  - { id: web, locations: [wh-east, wh-west], safetyStock: 0 }
  - { id: wholesale, locations: [wh-east], safetyStock: 0 }
connectors:
  - id: events
    type: canonical
    credentials: { webhookSecret: ${CANONICAL_SECRET} }
    retry: { attempts: 3, backoffMs: 50, maxBackoffMs: 200 }
  - id: wms
    type: canonical
    settings: { channels: [web], locations: [wh-west] }
    credentials: { webhookSecret: ${OTHER_SECRET} }
    retry: { attempts: 3, backoffMs: 50, maxBackoffMs: 200 }
`;

describe('connectors act in their own namespace and scope', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ yaml: YAML });
  });
  afterAll(async () => {
    await hub.stop();
  });

  async function postAs(connector: string, secret: string, body: unknown): Promise<number> {
    const raw = JSON.stringify(body);
    const res = await fetch(`${hub.url}/webhooks/${connector}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-delivery-id': randomUUID(), 'x-hub-signature-256': signCanonical(raw, secret) },
      body: raw,
    });
    return ((await res.json()) as { id: number }).id;
  }
  const processed = (id: number) =>
    waitFor(
      async () => (await hub.db.query<{ status: string }>('SELECT status FROM inbox WHERE id = $1', [id])).rows[0]?.status !== 'received',
      `inbox ${id}`,
      30_000,
    );
  const onHand = async (sku: string, location: string) =>
    (await hub.db.query<{ quantity: number }>(`SELECT quantity FROM inventory_balance WHERE sku = $1 AND location = $2 AND state = 'onHand'`, [sku, location]))
      .rows[0]?.quantity ?? 0;

  it("a sender cannot pre-register another connector's idempotency key", async () => {
    const sku = uniq('NS');
    const victimKey = `events:${uniq('receipt')}`;
    // wms claims the key that `events` is about to use...
    const squat = event('inventory.adjusted', { sku, location: 'wh-west', delta: 1, reason: 'squat' }, { idempotencyKey: victimKey });
    await processed(await postAs('wms', OTHER_SECRET, squat));
    // ...and the real receipt from `events` under that key is still applied.
    const real = event('inventory.adjusted', { sku, location: 'wh-east', delta: 7, reason: 'receipt' }, { idempotencyKey: victimKey.slice('events:'.length) });
    await processed(await postAs('events', CANONICAL_SECRET, real));
    expect(await onHand(sku, 'wh-east')).toBe(7);
    const { rows } = await hub.db.query<{ idempotency_key: string; connector: string }>(
      `SELECT idempotency_key, connector FROM erp_applied_event WHERE idempotency_key LIKE '%' || $1 ORDER BY connector`,
      [victimKey.slice('events:'.length)],
    );
    expect(rows).toEqual([
      { idempotency_key: victimKey, connector: 'events' },
      { idempotency_key: `wms:${victimKey}`, connector: 'wms' },
    ]);
  });

  it('a confined sender naming another channel or location is refused for good, naming the field', async () => {
    const sku = uniq('SCOPE');
    const loc = await postAs('wms', OTHER_SECRET, event('inventory.adjusted', { sku, location: 'wh-east', delta: 1, reason: 'r' }));
    const letter = await waitFor(async () => (await listDeadLetters(hub.db, { sku })).items[0], 'dead letter', 30_000);
    expect(letter).toMatchObject({ inboxId: loc, errorClass: 'ValidationError', error: { field: 'data.location', value: 'wh-east' } });
    expect(letter.message).toContain('wms: data.location "wh-east" is outside what this connector may act on');
    expect(letter.attempts).toHaveLength(1);

    const order = event('order.cancelled', { channel: 'wholesale', externalOrderId: uniq('o'), cancelledAt: '2026-01-01T00:00:00.000Z' });
    await postAs('wms', OTHER_SECRET, [event('inventory.adjusted', { sku, location: 'wh-west', delta: 1, reason: 'r' }), order]);
    const second = await waitFor(
      async () => (await listDeadLetters(hub.db, { connector: 'wms', error: 'ValidationError' })).items.find((d) => d.message.includes('data.channel')),
      'channel refusal',
      30_000,
    );
    expect(second.error).toMatchObject({ field: '[1].data.channel', value: 'wholesale' });
    expect(await onHand(sku, 'wh-west')).toBe(0);

    // Inside its scope it is applied.
    await processed(await postAs('wms', OTHER_SECRET, event('inventory.adjusted', { sku, location: 'wh-west', delta: 2, reason: 'r' })));
    expect(await onHand(sku, 'wh-west')).toBe(2);
  });
});
