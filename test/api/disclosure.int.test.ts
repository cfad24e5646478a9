import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDeadLetter, type DeadLetterReport } from '../../src/queues/dead-letter-store.js';
import { observe } from '../../src/hub/workers/common.js';
import { event, type TestHub } from '../helpers/hub.js';
import { auditRows, call, OPS_YAML, startOpsHub, TOKENS } from './helpers.js';

const EMAIL = 'jane.roe@example.org';
const NAME = 'Jane Roe';
const STREET = '12 Quiet Lane';

function report(extra: Partial<DeadLetterReport>): DeadLetterReport {
  const key = randomUUID();
  return {
    sourceKey: `test/${key}/1`,
    queue: 'hub.inbound',
    step: 'apply',
    connectorId: 'events',
    eventType: 'order.upserted',
    error: { errorClass: 'Error', code: 'unexpected', message: 'failed' },
    attempts: [{ attempt: 1, at: new Date().toISOString(), errorClass: 'Error', code: 'unexpected', message: 'failed' }],
    inboxId: null,
    payload: null,
    event: null,
    orderKeys: [],
    skus: [],
    firstFailedAt: new Date().toISOString(),
    replayOf: null,
    ...extra,
  };
}

const scrape = async (hub: TestHub, headers: Record<string, string> = {}) => fetch(`${hub.url}/metrics`, { headers });

describe('disclosure: personal data, server paths, metrics and proxies (findings 5, 13, 20)', () => {
  let ctx: Awaited<ReturnType<typeof startOpsHub>>;
  let hub: TestHub;
  beforeAll(async () => {
    ctx = await startOpsHub({ yaml: `${OPS_YAML}\nserver: { trustProxy: loopback }\n` });
    hub = ctx.hub;
  });
  afterAll(async () => {
    await ctx.stop();
  });

  it('masks personal data of a dead letter for viewers and operators; an operator may unmask, audited', async () => {
    const order = event('order.upserted', {
      channel: 'web',
      externalOrderId: 'PD-1',
      orderNumber: '#PD-1',
      status: 'pending',
      currency: 'EUR',
      total: '10.00',
      placedAt: new Date().toISOString(),
      customer: { externalId: 'c-1', email: EMAIL, name: NAME },
      shipTo: { name: NAME, address1: STREET, city: 'Lyon', country: 'FR', postalCode: '69001' },
      lines: [{ externalLineId: 'l1', sku: 'PD-SKU', quantity: 1, unitPrice: '10.00' }],
    });
    // The raw payload repeats the buyer under keys of its own shape, and in free text.
    const payload = { order_ref: 'PD-1', buyer: { mail: EMAIL }, note: `call ${NAME} before delivery`, shipping_address: { street: STREET } };
    const id = await insertDeadLetter(
      hub.db,
      report({ event: order, payload, error: { errorClass: 'Error', code: 'unexpected', message: `no route for ${EMAIL}` } }),
    );
    for (const role of ['viewer', 'operator'] as const) {
      const shown = await call(hub, role, 'GET', `/api/dead-letters/${id}`);
      expect(shown.status).toBe(200);
      const text = JSON.stringify(shown.json);
      for (const secret of [EMAIL, NAME, STREET, '69001']) expect(text, `${role} sees ${secret}`).not.toContain(secret);
      expect(shown.json.event.data.shipTo.city).toBe('Lyon');
      expect(shown.json.payload.order_ref).toBe('PD-1');
    }
    expect((await call(hub, 'viewer', 'GET', `/api/dead-letters/${id}?unmask=true`)).status).toBe(403);
    const clear = await call(hub, 'operator', 'GET', `/api/dead-letters/${id}?unmask=true`);
    expect(clear.json.event.data.customer.email).toBe(EMAIL);
    expect(clear.json.payload.note).toContain(NAME);
    const [row] = await auditRows(hub, { action: 'dead-letter.unmask' });
    expect(row).toMatchObject({ actor: 'api:operator-1', target: `dead-letter:${id}`, outcome: 'ok' });
    expect(JSON.stringify(row)).not.toContain(EMAIL);
    // A masked payload copied into an edit would replace the buyer's data with the mask: refused.
    const masked = await call(hub, 'operator', 'GET', `/api/dead-letters/${id}`);
    const edit = await call(hub, 'operator', 'POST', `/api/dead-letters/${id}/replay`, { payload: masked.json.payload });
    expect(edit).toMatchObject({ status: 400, json: { error: { code: 'masked_payload' } } });
  });

  it('never shows a viewer an absolute server path in a dead-letter message', async () => {
    const message = "ENOENT: no such file or directory, open '/srv/commerce-hub/config/skus/acme.csv'";
    const id = await insertDeadLetter(hub.db, {
      ...report({}),
      error: { errorClass: 'Error', code: 'unexpected', message, path: '/srv/commerce-hub/config/skus/acme.csv' },
      attempts: [{ attempt: 1, at: new Date().toISOString(), errorClass: 'Error', code: 'unexpected', message }],
    });
    const list = await call(hub, 'viewer', 'GET', '/api/dead-letters?limit=50');
    const one = await call(hub, 'viewer', 'GET', `/api/dead-letters/${id}`);
    for (const text of [JSON.stringify(list.json), JSON.stringify(one.json)]) expect(text).not.toContain('/srv/commerce-hub');
    expect(one.json.message).toContain('…/acme.csv');
    expect((await call(hub, 'operator', 'GET', `/api/dead-letters/${id}`)).json.message).toBe(message);
  });

  it('serves /metrics to loopback freely and asks a remote caller (seen through the trusted proxy) for a token', async () => {
    expect((await scrape(hub)).status).toBe(200);
    const remote = { 'x-forwarded-for': '203.0.113.9' };
    expect((await scrape(hub, remote)).status).toBe(401);
    expect((await scrape(hub, { ...remote, authorization: `Bearer ${TOKENS.viewer}` })).status).toBe(200);
    const config = hub.hub.current();
    config.server.metricsAccess = 'loopback';
    try {
      expect((await scrape(hub, { ...remote, authorization: `Bearer ${TOKENS.viewer}` })).status).toBe(403);
      expect((await scrape(hub)).status).toBe(200);
    } finally {
      config.server.metricsAccess = 'loopback-or-token';
    }
  });

  it('marks the session cookie Secure behind a TLS proxy when trustProxy is set', async () => {
    const res = await fetch(`${hub.url}/api/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.operator}`, 'x-forwarded-proto': 'https' },
    });
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('keeps every metric label bounded: unknown connector ids and error codes from data share one value', async () => {
    for (let i = 0; i < 300; i += 1) await insertDeadLetter(hub.db, report({ connectorId: `probe-${randomUUID()}` }));
    const fake = Object.assign(new EventEmitter(), { name: 'hub.inbound' }) as unknown as Worker;
    observe(hub.hub, fake);
    for (let i = 0; i < 300; i += 1) {
      const code = `E${randomUUID()}`;
      (fake as unknown as EventEmitter).emit('failed', { id: String(i), data: { connectorId: `probe-${i}` } }, Object.assign(new Error('x'), { code }));
      (fake as unknown as EventEmitter).emit('completed', { id: String(i), data: { connectorId: `probe-${i}` } });
    }
    const text = await (await scrape(hub)).text();
    const series = (name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`));
    expect(series('hub_dead_letters_open').length).toBeLessThanOrEqual(hub.config.connectors.length + 2);
    expect(series('hub_dead_letters_open').join('\n')).toContain('connector="unknown"');
    expect(series('hub_jobs_failed_total').length).toBeLessThanOrEqual(3);
    expect(series('hub_jobs_processed_total').length).toBeLessThanOrEqual(3);
    expect(text).not.toMatch(/probe-|E[0-9a-f]{8}-/);
  });
});
