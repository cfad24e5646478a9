import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorRegistry } from '../../src/connectors/registry.js';
import { createErpContext } from '../../src/core/erp/context.js';
import { availableToSell } from '../../src/core/erp/index.js';
import { listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { outboundQueue } from '../../src/queues/names.js';
import { event, parseTestConfig, BASE_CONFIG, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { FakeStockApi, fakePushConnector, fakePushInstance, sellThroughFakePush } from '../helpers/fake-push.js';

describe('outbound availability pushes (PostgreSQL + Redis)', () => {
  let hub: TestHub;
  let api: FakeStockApi;
  beforeAll(async () => {
    api = await new FakeStockApi().start();
    const config = parseTestConfig(BASE_CONFIG);
    sellThroughFakePush(config, fakePushInstance(api.url));
    hub = await startTestHub({ config, registry: [...connectorRegistry, fakePushConnector] });
  });
  afterAll(async () => {
    await hub.stop();
    await api.stop();
  });
  beforeEach(() => {
    api.queue.length = 0;
  });

  const ats = (sku: string) => availableToSell(hub.db, sku, 'web', createErpContext(hub.config));
  const receipt = (sku: string, delta: number) => event('inventory.adjusted', { sku, location: 'wh-east', delta, reason: 'receipt' });

  it('coalesces many changes per SKU into few calls carrying the latest value', async () => {
    const skus = ['HOT-1', 'HOT-2', 'HOT-3', 'HOT-4', 'HOT-5'];
    const callsBefore = api.calls.length;
    const changes = skus.flatMap((sku) => Array.from({ length: 10 }, () => receipt(sku, 1)));
    await hub.postEvents(changes);
    await waitFor(async () => {
      for (const sku of skus) if (api.levels.get(sku) !== 10) return false;
      return true;
    }, 'latest values pushed');
    for (const sku of skus) expect(api.levels.get(sku)).toBe(await ats(sku));
    const items = api.calls.slice(callsBefore).flat().length;
    expect(items).toBeLessThan(changes.length);
  });

  it('retries a push that met a 5xx and then delivers it', async () => {
    api.queue.push({ status: 503 }, { status: 502 });
    await hub.postEvents(receipt('RETRY-PUSH', 3));
    await waitFor(() => api.levels.get('RETRY-PUSH') === 3, 'pushed after retries');
    expect(api.queue).toHaveLength(0);
  });

  it('dead-letters an item the API no longer knows, and still pushes the others in its batch', async () => {
    api.gone.add('DELETED-1');
    await hub.postEvents([receipt('DELETED-1', 1), receipt('ALIVE-1', 1)]);
    await waitFor(() => api.levels.get('ALIVE-1') === 1, 'live item pushed');
    const entry = await waitFor(async () => (await listDeadLetters(hub.db, { sku: 'DELETED-1' })).items[0], 'dead letter');
    expect(entry).toMatchObject({ step: 'push', connectorId: 'stock-api', errorCode: 'not_found', queue: outboundQueue('stock-api') });
    expect(entry.payload).toMatchObject({ kind: 'availability', items: [{ sku: 'DELETED-1', available: 1 }] });
  });
  it('(last: it pauses the queue) honours Retry-After: a 429 asking for 30 s pauses the connector queue at least that long without spending an attempt', async () => {
    api.queue.push({ status: 429, headers: { 'retry-after': '30' } });
    const queue = hub.hub.queues.outbound('stock-api');
    await hub.postEvents(receipt('THROTTLED', 2));
    const ttl = await waitFor(async () => {
      const t = await queue.getRateLimitTtl();
      return t > 1000 ? t : undefined; // the regular limiter alone never sets more than its 1 s window
    }, 'rate limit set');
    expect(ttl).toBeGreaterThanOrEqual(29_000);
    const [job] = await queue.getJobs(['wait', 'delayed', 'prioritized', 'waiting-children']);
    expect(job?.attemptsMade ?? 0).toBe(0);
    const calls = api.calls.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(api.calls.length).toBe(calls);
    expect(api.levels.has('THROTTLED')).toBe(false);
  });
});
