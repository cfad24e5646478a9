import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getInventory } from '../../src/core/erp/index.js';
import { getDeadLetter, listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { discardDeadLetters, replayDeadLetters, type ReplayDeps } from '../../src/queues/replay.js';
import { event, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';

describe('retries, dead letters and replay (PostgreSQL + Redis)', () => {
  let hub: TestHub;
  let deps: ReplayDeps;
  beforeAll(async () => {
    hub = await startTestHub({ lockTimeoutMs: 150 });
    deps = hub.hub.snapshot();
  });
  afterAll(async () => {
    await hub.stop();
  });

  const onHand = async (sku: string) => (await getInventory(hub.db, sku, deps.erp)).locations.find((l) => l.location === 'wh-east')?.onHand ?? 0;
  const adjust = (sku: string, delta: number) => event('inventory.adjusted', { sku, location: 'wh-east', delta, reason: 'receipt' });

  /** Holds the row locks of a SKU's balances, as a long transaction elsewhere would, until released. */
  async function holdLocks(sku: string): Promise<() => Promise<void>> {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const done = hub.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL lock_timeout = '60s'`);
      await tx.query('SELECT 1 FROM inventory_balance WHERE sku = $1 FOR UPDATE', [sku]);
      locked();
      await released;
    });
    await isLocked;
    return async () => {
      release();
      await done;
    };
  }

  it('retries a step that hit lock contention and then applies it once', async () => {
    await hub.postEvents(adjust('RETRY-1', 4));
    await waitFor(async () => (await onHand('RETRY-1')) === 4, 'first receipt');
    const release = await holdLocks('RETRY-1');
    const res = await hub.postEvents(adjust('RETRY-1', 6));
    const job = await waitFor(async () => {
      const j = await hub.hub.queues.inbound.getJob(`inbox-${String(res.json['id'])}`);
      return j && (j.data.history?.length ?? 0) >= 1 ? j : undefined;
    }, 'a failed attempt');
    expect(job.data.history?.[0]).toMatchObject({ attempt: 1, code: 'lock_timeout', errorClass: 'LockTimeoutError' });
    await release();
    await waitFor(async () => (await onHand('RETRY-1')) === 10, 'applied after retry');
    expect((await listDeadLetters(hub.db, { sku: 'RETRY-1' })).total).toBe(0);
  });

  it('moves a step whose retries run out to the dead-letter queue with every attempt, and a replay applies it once', async () => {
    await hub.postEvents(adjust('RETRY-2', 1));
    await waitFor(async () => (await onHand('RETRY-2')) === 1, 'first receipt');
    const release = await holdLocks('RETRY-2');
    await hub.postEvents(adjust('RETRY-2', 5));
    const entry = await waitFor(async () => (await listDeadLetters(hub.db, { sku: 'RETRY-2' })).items[0], 'dead letter', 30_000);
    await release();
    expect(entry).toMatchObject({ step: 'apply', errorCode: 'lock_timeout', errorClass: 'LockTimeoutError', eventType: 'inventory.adjusted' });
    expect(entry.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(entry.attempts.every((a) => a.code === 'lock_timeout' && !Number.isNaN(Date.parse(a.at)))).toBe(true);
    expect(await onHand('RETRY-2')).toBe(1);

    const [plan] = await replayDeadLetters(deps, { ids: [entry.id] }, { actor: 'test', dryRun: true });
    expect(plan).toMatchObject({ verdict: 'would-apply' });
    expect(plan?.plan?.[0]?.movements).toContainEqual(expect.objectContaining({ sku: 'RETRY-2', state: 'onHand', delta: 5 }));
    expect(await onHand('RETRY-2')).toBe(1);

    const [replayed] = await replayDeadLetters(deps, { ids: [entry.id] }, { actor: 'test' });
    expect(replayed?.verdict).toBe('requeued');
    await waitFor(async () => (await onHand('RETRY-2')) === 6, 'applied after replay');
    const [again] = await replayDeadLetters(deps, { ids: [entry.id] }, { actor: 'test' });
    expect(again?.verdict).toBe('not-open');
    expect(await onHand('RETRY-2')).toBe(6);
  });

  it('says a replay of an event already applied would change nothing', async () => {
    const body = adjust('RETRY-3', 2);
    await hub.postEvents(body);
    await waitFor(async () => (await onHand('RETRY-3')) === 2, 'applied');
    // The same event arrives again wrapped with an invalid sibling: the delivery dead-letters.
    await hub.postEvents([body, { ...adjust('RETRY-3', 1), type: 'inventory.teleported' }]);
    const entry = await waitFor(async () => (await listDeadLetters(hub.db, { sku: 'RETRY-3' })).items[0], 'dead letter');
    const [dry] = await replayDeadLetters(deps, { ids: [entry.id] }, { actor: 'test', dryRun: true, payload: [body] });
    expect(dry).toMatchObject({ verdict: 'already-applied' });
    expect(dry?.plan?.[0]?.status).toBe('duplicate');
  });

  it('refuses an invalid edit-before-replay and keeps the entry open; a valid edit is applied once', async () => {
    const original = adjust('EDIT-1', 2.5);
    await hub.postEvents(original);
    const entry = await waitFor(async () => (await listDeadLetters(hub.db, { sku: 'EDIT-1' })).items[0], 'dead letter');
    const [refused] = await replayDeadLetters(
      deps,
      { ids: [entry.id] },
      { actor: 'test', payload: { ...original, data: { ...(original['data'] as object), delta: 'two' } } },
    );
    expect(refused?.verdict).toBe('refused');
    expect(refused?.message).toContain('data.delta');
    expect((await getDeadLetter(hub.db, entry.id))?.status).toBe('open');

    const [ok] = await replayDeadLetters(
      deps,
      { ids: [entry.id] },
      { actor: 'test', payload: { ...original, data: { ...(original['data'] as object), delta: 2 } } },
    );
    expect(ok?.verdict).toBe('requeued');
    await waitFor(async () => (await onHand('EDIT-1')) === 2, 'edited event applied');
    const stored = await getDeadLetter(hub.db, entry.id);
    expect(stored?.status).toBe('replayed');
    expect(stored?.payload).toMatchObject({ data: { delta: 2.5 } });
    const audits = await hub.db.query<{ action: string; outcome: string }>(`SELECT action, outcome FROM audit_log WHERE target = $1 ORDER BY id`, [
      `dead-letter:${entry.id}`,
    ]);
    expect(audits.rows).toEqual([
      { action: 'dead-letter.edit-replay', outcome: 'refused' },
      { action: 'dead-letter.edit-replay', outcome: 'ok' },
    ]);
  });

  it('discards a dead letter with a reason and records who did it', async () => {
    await hub.postEvents(adjust('DISC-1', 1.5));
    const entry = await waitFor(async () => (await listDeadLetters(hub.db, { sku: 'DISC-1' })).items[0], 'dead letter');
    await expect(discardDeadLetters(hub.db, [entry.id], ' ', 'ops@example')).rejects.toThrow(/reason/);
    expect(await discardDeadLetters(hub.db, [entry.id], 'test data', 'ops@example')).toEqual([entry.id]);
    expect(await getDeadLetter(hub.db, entry.id)).toMatchObject({ status: 'discarded', resolvedBy: 'ops@example', resolution: { reason: 'test data' } });
    const audits = await hub.db.query(`SELECT actor, action, outcome, details FROM audit_log WHERE target = $1`, [`dead-letter:${entry.id}`]);
    expect(audits.rows).toEqual([{ actor: 'ops@example', action: 'dead-letter.discard', outcome: 'ok', details: { reason: 'test data' } }]);
    expect((await listDeadLetters(hub.db, { sku: 'DISC-1' })).total).toBe(0);
  });

  it('replays by filter every open entry of a connector and error', async () => {
    await hub.postEvents(event('inventory.adjusted', { sku: 'FILT-1', location: 'wh-east', delta: 0.5, reason: 'x' }));
    await waitFor(async () => (await listDeadLetters(hub.db, { sku: 'FILT-1' })).items[0], 'dead letter');
    const results = await replayDeadLetters(
      deps,
      { filter: { connector: 'events', error: 'ValidationError', sku: 'FILT-1' } },
      { actor: 'test', dryRun: true },
    );
    expect(results).toHaveLength(1);
    expect(results[0]?.verdict).toBe('refused');
  });
});
