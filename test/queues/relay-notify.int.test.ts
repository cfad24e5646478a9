import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorRegistry } from '../../src/connectors/registry.js';
import { event, parseTestConfig, BASE_CONFIG, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { FakeStockApi, fakePushConnector, fakePushInstance, sellThroughFakePush } from '../helpers/fake-push.js';
import type { TestDbKind } from '../helpers/db.js';

// Far beyond every wait below: a push that arrives came from the outbox notification, not the poll.
const SAFETY_POLL_MS = 10 * 60_000;

describe.each<TestDbKind>(['postgres', 'pglite'])('the relay wakes on outbox notifications (%s)', (kind) => {
  let hub: TestHub;
  let api: FakeStockApi;
  beforeAll(async () => {
    api = await new FakeStockApi().start();
    const config = parseTestConfig(BASE_CONFIG);
    sellThroughFakePush(config, fakePushInstance(api.url));
    hub = await startTestHub({ kind, config, registry: [...connectorRegistry, fakePushConnector], workers: { relaySafetyPollMs: SAFETY_POLL_MS } });
  });
  afterAll(async () => {
    await hub.stop();
    await api.stop();
  });

  const receipt = (sku: string, delta: number) => event('inventory.adjusted', { sku, location: 'wh-east', delta, reason: 'receipt' });

  it('pushes a stock change without waiting for the safety poll, and again for a later change', async () => {
    await hub.postEvents(receipt('NOTIFY-1', 4));
    await waitFor(() => api.levels.get('NOTIFY-1') === 4, 'first change pushed');
    await hub.postEvents(receipt('NOTIFY-1', 3));
    await waitFor(() => api.levels.get('NOTIFY-1') === 7, 'second change pushed');
    const { rows } = await hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM availability_outbox');
    expect(rows[0]!.n).toBe(0);
  });
});
