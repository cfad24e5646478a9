import { describe, expect, it } from 'vitest';
import { createErpContext } from '../../src/core/erp/context.js';
import { getInventory } from '../../src/core/erp/index.js';
import { getDeadLetter } from '../../src/queues/dead-letter-store.js';
import { waitFor } from '../helpers/hub.js';
import { auditRows, call, makeDeadLetter, useOpsHub } from './helpers.js';

describe('ops API: dead letters', () => {
  const ops = useOpsHub();

  const onHand = async (sku: string) =>
    (await getInventory(ops.hub.db, sku, createErpContext(ops.hub.config))).locations.find((l) => l.location === 'wh-east')?.onHand ?? 0;

  it('lists with filters and pagination, newest first, without payloads; shows one in full', async () => {
    const a = await makeDeadLetter(ops.hub, 'DL-LIST-A');
    const b = await makeDeadLetter(ops.hub, 'DL-LIST-B');
    const bySku = await call(ops.hub, 'viewer', 'GET', '/api/dead-letters?sku=DL-LIST-A');
    expect(bySku.json).toMatchObject({ total: 1, items: [{ id: a.id, step: 'normalize', errorClass: 'ValidationError', connectorId: 'events', attempts: 1 }] });
    expect(bySku.json.items[0]).not.toHaveProperty('payload');

    const filtered = await call(ops.hub, 'viewer', 'GET', '/api/dead-letters?connector=events&error=ValidationError&step=normalize&limit=1');
    expect(filtered.json.items[0].id).toBe(b.id);
    expect(filtered.json.total).toBeGreaterThanOrEqual(2);
    const next = await call(ops.hub, 'viewer', 'GET', `/api/dead-letters?connector=events&limit=1&before=${filtered.json.nextBefore}`);
    expect(next.json.items[0].id).toBe(a.id);

    expect(
      (await call(ops.hub, 'viewer', 'GET', `/api/dead-letters?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).json.total,
    ).toBe(0);
    expect((await call(ops.hub, 'viewer', 'GET', '/api/dead-letters?step=nowhere')).status).toBe(400);
    expect((await call(ops.hub, 'viewer', 'GET', '/api/dead-letters?since=yesterday')).status).toBe(400);

    const shown = await call(ops.hub, 'viewer', 'GET', `/api/dead-letters/${a.id}`);
    expect(shown.json).toMatchObject({ id: a.id, payload: { data: { sku: 'DL-LIST-A', delta: 1.5 } }, attempts: [{ attempt: 1, code: expect.any(String) }] });
    expect((await call(ops.hub, 'viewer', 'GET', '/api/dead-letters/987654321')).status).toBe(404);
  });

  it('dry-runs a replay without changing anything, then refuses an edit that is still invalid', async () => {
    const dl = await makeDeadLetter(ops.hub, 'DL-DRY');
    const dry = await call(ops.hub, 'operator', 'POST', `/api/dead-letters/${dl.id}/replay`, { dryRun: true });
    expect(dry.json.results).toEqual([{ id: dl.id, verdict: 'refused', message: expect.stringContaining('data.delta') }]);
    const stillBad = await call(ops.hub, 'operator', 'POST', `/api/dead-letters/${dl.id}/replay`, {
      payload: { ...(dl.payload as object), data: { sku: 'DL-DRY', location: 'wh-east', delta: 0.5, reason: 'receipt' } },
    });
    expect(stillBad.json.results[0]).toMatchObject({ verdict: 'refused' });
    expect((await getDeadLetter(ops.hub.db, dl.id))?.status).toBe('open');
    const fixedDry = await call(ops.hub, 'operator', 'POST', `/api/dead-letters/${dl.id}/replay`, {
      dryRun: true,
      payload: { ...(dl.payload as object), data: { sku: 'DL-DRY', location: 'wh-east', delta: 2, reason: 'receipt' } },
    });
    expect(fixedDry.json.results[0]).toMatchObject({ verdict: 'would-apply', plan: [{ status: 'applied' }] });
    expect(await onHand('DL-DRY')).toBe(0);
    expect((await auditRows(ops.hub, { target: `dead-letter:${dl.id}` })).map((r) => r.outcome)).toEqual(['dry-run', 'refused', 'dry-run']);
  });

  it('replays with an edited payload (as JSON text, keeping it exact) and the ledger takes it once', async () => {
    const dl = await makeDeadLetter(ops.hub, 'DL-EDIT');
    const text = JSON.stringify({ ...(dl.payload as object), data: { sku: 'DL-EDIT', location: 'wh-east', delta: 3, reason: 'receipt' } });
    const res = await call(ops.hub, 'operator', 'POST', `/api/dead-letters/${dl.id}/replay`, { payload: text });
    expect(res.json.results).toEqual([{ id: dl.id, verdict: 'requeued' }]);
    await waitFor(async () => (await onHand('DL-EDIT')) === 3, 'edited replay applied');
    expect(await getDeadLetter(ops.hub.db, dl.id)).toMatchObject({ status: 'replayed', resolvedBy: 'api:operator-1' });
    const again = await call(ops.hub, 'operator', 'POST', `/api/dead-letters/${dl.id}/replay`, { payload: text });
    expect(again.json.results[0].verdict).toBe('not-open');
    expect((await call(ops.hub, 'operator', 'POST', `/api/dead-letters/${dl.id}/replay`, { payload: '{not json' })).json.error.code).toBe('invalid_payload');
    const rows = await auditRows(ops.hub, { target: `dead-letter:${dl.id}` });
    expect(rows.map((r) => r.outcome)).toEqual(['refused', 'refused', 'ok']);
    expect(rows[2]).toMatchObject({ actor: 'api:operator-1', action: 'dead-letter.edit-replay', details: { edited: true } });
  });

  it('replays many by filter and by ids, and needs exactly one of them', async () => {
    const one = await makeDeadLetter(ops.hub, 'DL-MANY-1');
    const two = await makeDeadLetter(ops.hub, 'DL-MANY-2');
    const byFilter = await call(ops.hub, 'operator', 'POST', '/api/dead-letters/replay', { filter: { sku: 'DL-MANY-1' }, dryRun: true });
    expect(byFilter.json.results).toEqual([expect.objectContaining({ id: one.id })]);
    const byIds = await call(ops.hub, 'operator', 'POST', '/api/dead-letters/replay', { ids: [one.id, two.id, 987654321], dryRun: true });
    expect(byIds.json.results.map((r: { id: number; verdict: string }) => [r.id, r.verdict])).toEqual([
      [one.id, 'refused'],
      [two.id, 'refused'],
      [987654321, 'not-found'],
    ]);
    for (const body of [{}, { ids: [1], filter: { sku: 'x' } }, { filter: {} }, { ids: [] }]) {
      expect((await call(ops.hub, 'operator', 'POST', '/api/dead-letters/replay', body)).status, JSON.stringify(body)).toBe(400);
    }
  });

  it('discards one and many with a reason, audited per entry', async () => {
    const a = await makeDeadLetter(ops.hub, 'DL-DISCARD-A');
    const b = await makeDeadLetter(ops.hub, 'DL-DISCARD-B');
    expect((await call(ops.hub, 'operator', 'POST', `/api/dead-letters/${a.id}/discard`, { reason: '  ' })).status).toBe(400);
    expect((await call(ops.hub, 'operator', 'POST', `/api/dead-letters/${a.id}/discard`, { reason: 'test data' })).json).toEqual({
      discarded: [a.id],
      refused: [],
    });
    expect((await call(ops.hub, 'operator', 'POST', '/api/dead-letters/discard', { ids: [a.id, b.id], reason: 'test data' })).json).toEqual({
      discarded: [b.id],
      refused: [a.id],
    });
    expect(await getDeadLetter(ops.hub.db, b.id)).toMatchObject({ status: 'discarded', resolvedBy: 'api:operator-1', resolution: { reason: 'test data' } });
    expect((await call(ops.hub, 'operator', 'POST', '/api/dead-letters/987654321/discard', { reason: 'x' })).status).toBe(404);
    const rows = await auditRows(ops.hub, { action: 'dead-letter.discard', target: `dead-letter:${a.id}` });
    expect(rows.map((r) => r.outcome)).toEqual(['refused', 'ok', 'refused']);
  });
});
