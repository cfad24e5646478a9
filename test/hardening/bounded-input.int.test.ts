import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent } from '../../src/core/erp/index.js';
import { ValidationError } from '../../src/core/errors.js';
import { listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { recordDelivery } from '../../src/queues/inbox.js';
import { openTestDb, TEST_DB_KINDS } from '../helpers/db.js';
import { BASE_CONFIG, event, parseTestConfig, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { adjust, testContext, uniq } from '../erp/helpers.js';

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('bounded input through the pipeline', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ config: parseTestConfig(BASE_CONFIG.replace('retry: {', 'maxEventsPerDelivery: 5\n    retry: {')) });
  });
  afterAll(async () => {
    await hub.stop();
  });

  const deadLetterOf = (sku: string) => waitFor(async () => (await listDeadLetters(hub.db, { sku })).items[0], `dead letter of ${sku}`, 30_000);

  it('refuses JSON nested beyond the depth limit at the intake', async () => {
    const res = await hub.postEvents(null, { raw: deep(5000) });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'malformed_json', message: expect.stringMatching(/nested deeper than 64/) } });
    expect((await hub.postEvents(null, { raw: `{"a":${deep(60)}}` })).status).toBe(200);
  });

  it('dead-letters a deeply nested body that reached the worker at once, as a validation error, never retried as unexpected', async () => {
    const recorded = await recordDelivery(hub.db, { connectorId: 'events', dedupKey: uniq('deep'), topic: 'events', body: deep(5000) });
    await hub.hub.queues.enqueueInbound({ inboxId: recorded.id, connectorId: 'events', topic: 'events' });
    const entry = await waitFor(
      async () => (await listDeadLetters(hub.db, { connector: 'events' })).items.find((d) => d.inboxId === recorded.id),
      'dead letter',
      30_000,
    );
    expect(entry).toMatchObject({ errorClass: 'ValidationError', errorCode: 'invalid_value', step: 'normalize' });
    expect(entry.message).toMatch(/nested deeper than 64/);
    expect(entry.attempts).toHaveLength(1);
  });

  it('refuses a delta beyond what the store holds as a validation error naming data.delta', async () => {
    const sku = uniq('HUGE');
    await hub.postEvents(event('inventory.adjusted', { sku, location: 'wh-east', delta: 3e9, reason: 'fuzz' }));
    const entry = await deadLetterOf(sku);
    expect(entry).toMatchObject({ errorClass: 'ValidationError', step: 'normalize' });
    expect(entry.message).toContain('data.delta: must be at most 2147483647');
    expect(entry.attempts).toHaveLength(1);
  });

  it('dead-letters at once a sum the database cannot hold (integer out of range), not retried', async () => {
    const sku = uniq('OVER');
    await hub.postEvents(event('inventory.adjusted', { sku, location: 'wh-east', delta: 2_000_000_000, reason: 'a' }));
    await waitFor(async () => (await hub.db.query(`SELECT 1 FROM inventory_movement WHERE sku = $1`, [sku])).rowCount === 1, 'first applied', 30_000);
    await hub.postEvents(event('inventory.adjusted', { sku, location: 'wh-east', delta: 2_000_000_000, reason: 'b' }));
    const entry = await deadLetterOf(sku);
    expect(entry).toMatchObject({ errorClass: 'ValidationError', errorCode: 'invalid_value', step: 'apply' });
    expect(entry.message).toMatch(/SQLSTATE 22003/);
    expect(entry.attempts.map((a) => a.code)).toEqual(['invalid_value']);
  });

  it('dead-letters a delivery that fans out beyond the connector limit, applying none of it', async () => {
    const sku = uniq('FAN');
    const events = Array.from({ length: 6 }, () => event('inventory.adjusted', { sku, location: 'wh-east', delta: 1, reason: 'fan' }));
    await hub.postEvents(events);
    const entry = await deadLetterOf(sku);
    expect(entry).toMatchObject({ errorClass: 'ValidationError', error: { field: 'body', value: 6 } });
    expect(entry.message).toBe('events: one delivery became 6 events, more than the limit of 5 (connectors[].maxEventsPerDelivery); nothing was applied');
    expect(entry.attempts).toHaveLength(1);
    const { rows } = await hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inventory_movement WHERE sku = $1`, [sku]);
    expect(rows[0]?.n).toBe(0);
    // At the limit it is applied.
    await hub.postEvents(events.slice(0, 5).map((e) => ({ ...e, idempotencyKey: `${String(e['idempotencyKey'])}-ok` })));
    await waitFor(
      async () => (await hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inventory_movement WHERE sku = $1`, [sku])).rows[0]?.n === 5,
      'five applied',
      30_000,
    );
  });
});

describe.each(TEST_DB_KINDS)('database range errors on %s', (kind) => {
  it('maps integer out of range (22003) and a NUL in text (class 22) to permanent validation errors', async () => {
    const db = await openTestDb(kind);
    try {
      const ctx = testContext();
      const sku = uniq('R');
      await applyEvent(db, adjust(sku, 'wh-a', 2_000_000_000), ctx);
      const over = await applyEvent(db, adjust(sku, 'wh-a', 2_000_000_000), ctx).catch((e: unknown) => e);
      expect(over).toBeInstanceOf(ValidationError);
      expect((over as ValidationError).retryable).toBe(false);
      const nul = await applyEvent(db, adjust(`${sku}\u0000x`, 'wh-a', 1), ctx).catch((e: unknown) => e);
      expect(nul).toBeInstanceOf(ValidationError);
    } finally {
      await db.close();
    }
  });
});
