import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorRegistry } from '../../src/connectors/registry.js';
import { type AvailabilityUpdate, type ConnectorClient, type PushFailure, defineConnector } from '../../src/connectors/types.js';
import { MappingError } from '../../src/core/errors.js';
import { listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { outboundQueue } from '../../src/queues/names.js';
import { FakeStockApi, fakePushConnector, fakePushInstance, sellThroughFakePush } from '../helpers/fake-push.js';
import { BASE_CONFIG, event, parseTestConfig, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';

/**
 * A pusher like Shopify's: an item it cannot send (no external id) fails for good before the call,
 * and when the call then fails retryably, the items that failed for good ride on the error as
 * `pushFailures` (src/connectors/shopify/outbound/push-availability.ts does the same).
 */
const splitConnector = defineConnector({
  ...fakePushConnector,
  type: 'fake-split',
  createClient(config, deps): ConnectorClient {
    const inner = fakePushConnector.createClient!(config, deps);
    return {
      async pushAvailability(updates: AvailabilityUpdate[]) {
        const failures: PushFailure[] = updates
          .filter((u) => u.sku.startsWith('NOID-'))
          .map((u) => ({
            sku: u.sku,
            error: new MappingError([{ code: 'missing_field', field: 'externalIds.id', value: null, message: `${u.sku} has no id on the API` }], {
              step: 'push',
            }),
          }));
        const sendable = updates.filter((u) => !u.sku.startsWith('NOID-'));
        try {
          const result = await inner.pushAvailability!(sendable);
          return { ...result, failures: [...failures, ...result.failures] };
        } catch (err) {
          if (failures.length > 0) Object.assign(err as object, { pushFailures: failures });
          throw err;
        }
      },
    };
  },
});

describe('outbound: a retryable batch failure and an unpushable item (PostgreSQL + Redis)', () => {
  let hub: TestHub;
  let api: FakeStockApi;
  beforeAll(async () => {
    api = await new FakeStockApi().start();
    const config = parseTestConfig(BASE_CONFIG);
    sellThroughFakePush(config, { ...fakePushInstance(api.url), type: 'fake-split' });
    // A wide coalescing window puts both changes in one push job.
    hub = await startTestHub({ config, registry: [...connectorRegistry, splitConnector], coalesceMs: 500 });
  });
  afterAll(async () => {
    await hub?.stop();
    await api?.stop();
  });

  it('gives the unpushable item its own dead letter when the batch fails retryably to the end, apart from the network failure', async () => {
    // Every attempt of the batch meets a 503 (the instance allows 4).
    api.queue.push({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    const receipt = (sku: string) => event('inventory.adjusted', { sku, location: 'wh-east', delta: 4, reason: 'receipt' });
    await hub.postEvents([receipt('NOID-1'), receipt('SPLIT-OK-1')]);
    const entries = await waitFor(
      async () => {
        const { items } = await listDeadLetters(hub.db, { connector: 'stock-api' });
        return items.length >= 2 ? items : undefined;
      },
      'two dead letters',
      45_000,
    );
    const bySku = (sku: string) => entries.filter((e) => e.skus.includes(sku));
    expect(bySku('NOID-1')).toHaveLength(1);
    expect(bySku('NOID-1')[0]).toMatchObject({ step: 'push', errorCode: 'missing_field', queue: outboundQueue('stock-api') });
    expect(bySku('NOID-1')[0]!.payload).toMatchObject({ kind: 'availability', items: [{ sku: 'NOID-1', available: 4 }] });
    // The network failure's dead letter holds only what a replay can still push.
    expect(bySku('SPLIT-OK-1')).toHaveLength(1);
    expect(bySku('SPLIT-OK-1')[0]).toMatchObject({ errorCode: 'upstream_unavailable', skus: ['SPLIT-OK-1'] });
    expect((bySku('SPLIT-OK-1')[0]!.payload as { items: { sku: string }[] }).items.map((i) => i.sku)).toEqual(['SPLIT-OK-1']);
    expect(api.queue).toHaveLength(0);
  });
});
