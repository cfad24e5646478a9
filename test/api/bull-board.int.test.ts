import { describe, expect, it } from 'vitest';
import { listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { waitFor } from '../helpers/hub.js';
import { auditRows, makeDeadLetter, useOpsHub, TOKENS } from './helpers.js';

/** Findings 1 and 6: bull-board is no write path around the rules, and anonymous probes cannot flood the audit log. */
describe('bull-board and anonymous refusals', () => {
  const ops = useOpsHub();

  const board = (path: string, token: string | null, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${ops.hub.url}/admin/queues${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(token ? { cookie: `hub_token=${token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });

  it('operators get the read-only board, admins the one that acts, viewers none', async () => {
    const asOperator = (await (await board('/api/queues', TOKENS.operator)).json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(asOperator.queues.length).toBeGreaterThan(0);
    expect(asOperator.queues.every((q) => q.readOnlyMode)).toBe(true);
    const asAdmin = (await (await board('/api/queues', TOKENS.admin)).json()) as { queues: { readOnlyMode: boolean }[] };
    expect(asAdmin.queues.every((q) => !q.readOnlyMode)).toBe(true);
    const viewer = await board('/api/queues', TOKENS.viewer);
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as { error: { message: string } }).error.message).toMatch(/role viewer/);
  });

  it('refuses "add job" to hub.inbound to everyone, admins included, and audits the attempt with its payload', async () => {
    const forged = { name: 'deliver', data: { inboxId: 1, connectorId: 'events', topic: 'canonical', body: '{"forged":true}' }, options: {} };
    const counts = async () => ops.hub.hub.queues.inbound.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
    const before = await counts();
    for (const token of [TOKENS.operator, TOKENS.admin]) {
      const res = await board('/api/queues/hub.inbound/add', token, { method: 'POST', body: forged });
      expect(res.status).toBe(403);
    }
    expect(await counts()).toEqual(before);
    const edit = await board('/api/queues/hub.inbound/inbox-1/update-data', TOKENS.admin, { method: 'PATCH', body: { data: { forged: true } } });
    expect(edit.status).toBe(403);
    const rows = await waitFor(async () => {
      const r = (await auditRows(ops.hub, { action: 'bull-board' })).filter((x) => x.target === '/admin/queues/api/queues/hub.inbound/add');
      return r.length === 2 ? r : undefined;
    }, 'audit rows of the refused adds');
    const admin = rows.find((r) => r.actor === 'api:admin-1')!;
    expect(admin).toMatchObject({
      outcome: 'refused',
      details: { method: 'POST', body: { name: 'deliver', data: { connectorId: 'events', body: '{"forged":true}' } } },
    });
  });

  it('an admin retrying a failed delivery in bull-board never opens a second dead letter for it', async () => {
    const dl = await makeDeadLetter(ops.hub, 'BB-RETRY-1');
    const jobId = `inbox-${dl.inboxId}`;
    const job = await ops.hub.hub.queues.inbound.getJob(jobId);
    expect(await job?.getState()).toBe('failed');
    const retry = await board(`/api/queues/hub.inbound/${jobId}/retry`, TOKENS.admin, { method: 'PUT' });
    expect(retry.status).toBeLessThan(300);
    // The retried job fails again (the payload is still invalid); its report updates the open dead letter.
    const updated = await waitFor(
      async () => {
        const items = (await listDeadLetters(ops.hub.db, { sku: 'BB-RETRY-1', status: 'all' })).items;
        return items.some((d) => d.attempts.length > dl.attempts.length) ? items : undefined;
      },
      'the retried attempt on the dead letter',
      30_000,
    );
    expect(updated.filter((d) => d.status === 'open')).toHaveLength(1);
    expect(updated).toHaveLength(1);
    const [row] = await auditRows(ops.hub, { target: `/admin/queues/api/queues/hub.inbound/${jobId}/retry` });
    expect(row).toMatchObject({ actor: 'api:admin-1', outcome: 'ok', details: { method: 'PUT' } });
  });

  it('anonymous probes are counted, audited at a bounded rate, and never store a long URL', async () => {
    const refusals = async () =>
      ((await ops.hub.metrics.registry.getSingleMetric('hub_anonymous_refusals_total')?.get())?.values ?? [])
        .filter((v) => v.labels['surface'] === 'bull-board')
        .reduce((n, v) => n + v.value, 0);
    const counted = await refusals();
    const audited = (await auditRows(ops.hub, { actor: 'api:anonymous' })).length;
    const long = `/api/queues/${'x'.repeat(15_000)}/clean/failed`;
    for (let i = 0; i < 30; i += 1) expect((await board(long, i % 2 ? 'not-a-token-0123456789' : null, { method: 'PUT' })).status).toBe(401);
    expect(await refusals()).toBe(counted + 30);
    const rows = await waitFor(async () => {
      const r = await auditRows(ops.hub, { actor: 'api:anonymous' });
      return r.length > audited ? r : undefined;
    }, 'an anonymous refusal row');
    expect(rows.length - audited).toBeLessThanOrEqual(10);
    for (const r of rows) {
      expect(r.target!.length).toBeLessThanOrEqual(201);
      expect(JSON.stringify(r).length).toBeLessThan(1000);
    }
  });
});
