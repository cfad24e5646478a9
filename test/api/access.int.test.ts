import { describe, expect, it } from 'vitest';
import { hasRole } from '../../src/api/ops/auth.js';
import { opsRoutes } from '../../src/api/ops/index.js';
import { getDeadLetter } from '../../src/queues/dead-letter-store.js';
import { waitFor } from '../helpers/hub.js';
import { auditRows, call, makeDeadLetter, useOpsHub, TOKENS, type TestRole } from './helpers.js';

/** Path parameters that name nothing, so an authorized mutating call changes nothing (404 or a not-found verdict). */
const SAMPLE_PARAMS: Record<string, string> = { id: '987654321', sku: 'ACCESS-SKU', ref: 'no-such-order', connectorId: 'no-such-connector' };
/** Bodies that pass validation where a route has one. */
const SAMPLE_BODIES: Record<string, unknown> = {
  '/dead-letters/{id}/replay': { dryRun: true },
  '/dead-letters/replay': { ids: [987654321], dryRun: true },
  '/dead-letters/{id}/discard': { reason: 'access test' },
  '/dead-letters/discard': { ids: [987654321], reason: 'access test' },
  '/reconcile/connectors/{connectorId}/runs': { kind: 'stock' },
  '/variances/{id}/reject': { reason: 'access test' },
};
const concrete = (path: string) => `/api${path.replace(/\{(\w+)\}/g, (_m, name: string) => SAMPLE_PARAMS[name] ?? 'x')}`;

describe('ops API access control', () => {
  const ops = useOpsHub();

  const callers: (TestRole | null)[] = [null, 'viewer', 'operator', 'admin'];
  const cases = opsRoutes.flatMap((route) =>
    callers.map((who) => ({ route, who, label: `${route.method.toUpperCase()} ${route.path} as ${who ?? 'nobody'}` })),
  );

  it.each(cases)('$label', async ({ route, who }) => {
    const res = await call(
      ops.hub,
      who,
      route.method.toUpperCase(),
      concrete(route.path),
      route.method === 'get' ? undefined : (SAMPLE_BODIES[route.path] ?? {}),
    );
    if (route.role === 'public') return expect(res.status).toBe(200);
    if (who === null) {
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('unauthorized');
    } else if (!hasRole(who, route.role)) {
      expect(res.status).toBe(403);
      expect(res.json.error).toMatchObject({ code: 'forbidden' });
    } else {
      expect([401, 403]).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
    }
  });

  it("refuses a viewer's replay with 403, audits it as refused with the token name, and leaves the dead letter open", async () => {
    const dl = await makeDeadLetter(ops.hub, 'ACCESS-DL-1');
    const res = await call(ops.hub, 'viewer', 'POST', `/api/dead-letters/${dl.id}/replay`, { payload: '{}' });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ error: { code: 'forbidden', message: expect.stringContaining('viewer') } });
    const [row] = await auditRows(ops.hub, { target: `dead-letter:${dl.id}` });
    expect(row).toMatchObject({ actor: 'api:viewer-1', action: 'dead-letter.replay', outcome: 'refused', details: { status: 403, code: 'forbidden' } });
    expect((await getDeadLetter(ops.hub.db, dl.id))?.status).toBe('open');
  });

  it('counts anonymous and invalid callers in a metric, audits them at a bounded rate, and never audits reads', async () => {
    const refusals = async () =>
      ((await ops.hub.metrics.registry.getSingleMetric('hub_anonymous_refusals_total')?.get())?.values ?? []).reduce((n, v) => n + v.value, 0);
    const counted = await refusals();
    const audited = (await auditRows(ops.hub, { actor: 'api:anonymous' })).length;
    for (let i = 0; i < 40; i += 1) await call(ops.hub, null, 'POST', '/api/connectors/stock-api/pause');
    await call(ops.hub, { token: 'not-a-configured-token-at-all' }, 'POST', '/api/connectors/stock-api/resume');
    expect(await refusals()).toBe(counted + 41);
    const rows = await auditRows(ops.hub, { actor: 'api:anonymous' });
    // At most one minute's budget (10 rows) for 41 refusals; each row is a refusal with the method and path only.
    expect(rows.length - audited).toBeLessThanOrEqual(10);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.outcome === 'refused' && r.action === 'api.refused')).toBe(true);
    expect(await ops.hub.hub.queues.outbound('stock-api').isPaused()).toBe(false);
    const before = (await auditRows(ops.hub)).length;
    await call(ops.hub, 'admin', 'GET', '/api/queues');
    await call(ops.hub, 'viewer', 'GET', '/api/audit');
    expect((await auditRows(ops.hub)).length).toBe(before);
  });

  it('accepts a token configured by hash and refuses malformed Authorization headers', async () => {
    expect((await call(ops.hub, 'admin', 'GET', '/api/session')).json).toEqual({ name: 'admin-1', role: 'admin' });
    for (const authorization of [`Basic ${Buffer.from(`x:${TOKENS.admin}`).toString('base64')}`, TOKENS.admin, `Bearer ${TOKENS.admin}x`, 'Bearer']) {
      const res = await fetch(`${ops.hub.url}/api/session`, { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
    }
  });

  it('never writes a token into the audit log or an answer', async () => {
    await call(ops.hub, 'operator', 'POST', '/api/session');
    await call(ops.hub, 'viewer', 'POST', '/api/dead-letters/replay', { ids: [1] });
    const config = await call(ops.hub, 'admin', 'GET', '/api/config');
    const all = JSON.stringify(await auditRows(ops.hub)) + JSON.stringify(config.json);
    for (const token of Object.values(TOKENS)) expect(all).not.toContain(token);
    expect(config.json.auth.tokens).toEqual([
      { name: 'viewer-1', role: 'viewer' },
      { name: 'operator-1', role: 'operator' },
      { name: 'admin-1', role: 'admin' },
    ]);
    expect(config.json.connectors[0].credentials).toBe('[redacted]');
  });

  it('answers errors as JSON without stack traces, with helmet headers and a body size limit', async () => {
    const unknown = await call(ops.hub, 'viewer', 'GET', '/api/no-such-thing');
    expect(unknown).toMatchObject({ status: 404, json: { error: { code: 'not_found' } } });
    expect(unknown.headers.get('x-content-type-options')).toBe('nosniff');
    expect(unknown.headers.get('content-security-policy')).toContain("default-src 'self'");
    // Plain-HTTP deployments must keep loading the dashboard's own scripts.
    expect(unknown.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');

    const bad = await call(ops.hub, 'operator', 'POST', '/api/dead-letters/replay', '{"ids": [1,');
    expect(bad).toMatchObject({ status: 400, json: { error: { code: 'malformed_json' } } });
    expect(JSON.stringify(bad.json)).not.toMatch(/at .*\.(ts|js):\d+/);

    const invalid = await call(ops.hub, 'operator', 'POST', '/api/dead-letters/replay', { ids: ['x'] });
    expect(invalid).toMatchObject({ status: 400, json: { error: { code: 'invalid_request', message: expect.stringContaining('body.ids[0]') } } });

    const huge = { ids: [1], pad: 'x'.repeat(1_100_000) };
    expect((await call(ops.hub, 'operator', 'POST', '/api/dead-letters/replay', huge)).status).toBe(413);
    // A caller without the role is refused before its body is read.
    expect((await call(ops.hub, 'viewer', 'POST', '/api/dead-letters/replay', huge)).status).toBe(403);
  });

  it('sets the bull-board cookie at login; bull-board lets operators in and tells a viewer which role it needs', async () => {
    const viewer = await fetch(`${ops.hub.url}/api/session`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.viewer}` } });
    const viewerSet = viewer.headers.get('set-cookie')!;
    expect(viewerSet).toMatch(/^hub_token=.+; Path=\/admin\/queues;.*HttpOnly; SameSite=Strict$/);
    const refused = await fetch(`${ops.hub.url}/admin/queues`, { headers: { cookie: viewerSet.split(';')[0]! } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/^token "viewer-1" has role viewer; bull-board .*needs operator/);
    const operator = await fetch(`${ops.hub.url}/api/session`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.operator}` } });
    const cookie = operator.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^hub_token=.+; Max-Age=43200; Path=\/admin\/queues; Expires=.+; HttpOnly; SameSite=Strict$/);

    expect((await fetch(`${ops.hub.url}/admin/queues`)).status).toBe(401);
    const viewerCookie = `hub_token=${TOKENS.viewer}`;
    expect((await fetch(`${ops.hub.url}/admin/queues`, { headers: { cookie: viewerCookie } })).status).toBe(403);
    const page = await fetch(`${ops.hub.url}/admin/queues`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(await page.text()).toContain('__UI_CONFIG__');
    const queues = await fetch(`${ops.hub.url}/admin/queues/api/queues`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(((await queues.json()) as { queues: { name: string }[] }).queues.map((q) => q.name)).toContain('hub.inbound');
  });

  it('bull-board is read-only for operators; what admins change there is audited with its payload', async () => {
    const pause = (token: string) =>
      fetch(`${ops.hub.url}/admin/queues/api/queues/hub.outbound.stock-api/pause`, { method: 'PUT', headers: { cookie: `hub_token=${token}` } });
    const refused = await pause(TOKENS.operator);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('read_only');
    expect(await ops.hub.hub.queues.outbound('stock-api').isPaused()).toBe(false);

    const res = await pause(TOKENS.admin);
    expect(res.status).toBeLessThan(300);
    expect(await ops.hub.hub.queues.outbound('stock-api').isPaused()).toBe(true);
    await ops.hub.hub.queues.outbound('stock-api').resume();
    // Written once the response has finished, so shortly after the client has it.
    const rows = await waitFor(async () => {
      const r = await auditRows(ops.hub, { action: 'bull-board' });
      return r.some((x) => x.outcome === 'ok') ? r : undefined;
    }, 'bull-board audit row');
    expect(rows.find((r) => r.outcome === 'ok')).toMatchObject({
      actor: 'api:admin-1',
      target: '/admin/queues/api/queues/hub.outbound.stock-api/pause',
      details: { method: 'PUT', body: {} },
    });
    expect(rows.find((r) => r.outcome === 'refused')).toMatchObject({ actor: 'api:operator-1', details: { method: 'PUT', status: 403 } });
  });
});
