import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorRegistry } from '../../src/connectors/registry.js';
import type { Db } from '../../src/core/store/index.js';
import { openTestDb } from '../helpers/db.js';
import { FakeStockApi, fakePushConnector, fakePushInstance, sellThroughFakePush } from '../helpers/fake-push.js';
import { parseTestConfig, REDIS_URL, waitFor } from '../helpers/hub.js';
import { auditRows, OPS_YAML, TOKENS } from '../api/helpers.js';
import { startInProcessHub, type InProcessHub } from './in-process.js';
import { TcpProxy } from './tcp-proxy.js';

/**
 * Finding 10: Redis goes down (its proxy stops) while operators use the console. Reads answer
 * within their time-out with what they have, marked stale; a pause Redis never received is
 * refused and never runs later.
 */
const OPS_TIMEOUT_MS = 1000;
/** A ceiling with room for a busy machine; without the fix these calls wait for Redis to return. */
const ANSWER_WITHIN_MS = 6000;

describe('Redis down during ops API calls', () => {
  const target = new URL(REDIS_URL);
  const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
  const stockApi = new FakeStockApi();
  let db: Db;
  let hub: InProcessHub;

  beforeAll(async () => {
    await Promise.all([proxy.start(), stockApi.start()]);
    db = await openTestDb('postgres');
    const config = parseTestConfig(`${OPS_YAML}\nqueues: { opsTimeoutMs: ${OPS_TIMEOUT_MS} }\n`);
    sellThroughFakePush(config, fakePushInstance(stockApi.url));
    hub = await startInProcessHub(config, db, `redis://${proxy.url}`, [...connectorRegistry, fakePushConnector]);
  });

  afterAll(async () => {
    await proxy.start().catch(() => undefined);
    await hub?.stop();
    await db?.close();
    await proxy.stop();
    await stockApi.stop();
  });

  it('answers reads within the time-out, marked stale, and a pause it could not send never runs later', async () => {
    // Warm: one good read of everything, as a console open before the outage has.
    expect((await hub.get('/api/queues', TOKENS.viewer)).json.stale).toBe(false);
    expect((await hub.get('/metrics')).status).toBe(200);
    const admin = { headers: { cookie: `hub_token=${TOKENS.admin}` } };

    await proxy.stop();
    const calls = {
      metrics: await hub.get('/metrics'),
      queues: await hub.get('/api/queues', TOKENS.viewer),
      connectors: await hub.get('/api/connectors', TOKENS.viewer),
      alerts: await hub.get('/api/alerts', TOKENS.viewer),
      pause: await hub.request('/api/connectors/stock-api/pause', { method: 'POST', headers: { authorization: `Bearer ${TOKENS.operator}` } }),
      board: await hub.request('/admin/queues/api/queues', admin),
    };
    for (const [name, res] of Object.entries(calls)) expect(res.ms, `${name} answered in ${res.ms} ms`).toBeLessThan(ANSWER_WITHIN_MS);

    expect(calls.queues).toMatchObject({ status: 200, json: { stale: true } });
    // The last good figures, with when they were read.
    expect(calls.queues.json.queues.map((q: { name: string }) => q.name)).toContain('hub.inbound');
    expect(calls.queues.json.redisAsOf).toEqual(expect.any(String));
    expect(calls.connectors).toMatchObject({ status: 200, json: { stale: true } });
    expect(calls.alerts).toMatchObject({ status: 200, json: { stale: true } });
    expect(calls.metrics.status).toBe(200);
    expect(calls.metrics.json.text).toContain('hub_metrics_stale{source="redis"} 1');
    expect(calls.pause).toMatchObject({ status: 503, json: { error: { code: 'redis_unavailable' } } });
    expect(calls.board.status).toBeGreaterThanOrEqual(500);

    // Redis back: reads are fresh again, and the pause the API refused has not happened.
    await proxy.start();
    await waitFor(async () => (await hub.get('/api/queues', TOKENS.viewer)).json.stale === false, 'fresh queue stats', 60_000);
    const stock = (await hub.get('/api/connectors/stock-api', TOKENS.viewer)).json;
    expect(stock.paused).toBe(false);
    expect(await hub.hub.queues.outbound('stock-api').isPaused()).toBe(false);
    const rows = await auditRows({ db } as never, { action: 'connector.pause' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'api:operator-1', outcome: 'failed', details: { status: 503 } });
    expect((await hub.get('/metrics')).json.text).toContain('hub_metrics_stale{source="redis"} 0');
  });
});
