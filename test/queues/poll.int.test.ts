import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorRegistry } from '../../src/connectors/registry.js';
import { createErpContext } from '../../src/core/erp/context.js';
import { getInventory } from '../../src/core/erp/index.js';
import { RECONCILE_QUEUE } from '../../src/queues/names.js';
import { BASE_CONFIG, event, parseTestConfig, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { FakeStockApi, fakePushConnector, fakePushInstance } from '../helpers/fake-push.js';

describe('scheduled order backfill (PostgreSQL + Redis)', () => {
  let hub: TestHub;
  let api: FakeStockApi;
  beforeAll(async () => {
    api = await new FakeStockApi().start();
    const config = parseTestConfig(BASE_CONFIG);
    config.connectors.push(fakePushInstance(api.url, { pollOrders: { every: 1000 } }));
    hub = await startTestHub({ config, registry: [...connectorRegistry, fakePushConnector] });
  });
  afterAll(async () => {
    await hub.stop();
    await api.stop();
  });

  const onHand = async (sku: string) =>
    (await getInventory(hub.db, sku, createErpContext(hub.config))).locations.find((l) => l.location === 'wh-east')?.onHand ?? 0;

  it('registers one job scheduler per connector with a poll schedule', async () => {
    const schedulers = await hub.hub.queues.get(RECONCILE_QUEUE).getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual(['poll-orders:stock-api']);
    expect(schedulers[0]?.every).toBe(1000);
  });

  it('backfills what the API lists since the cursor, through the inbox, each event applied once', async () => {
    const receipts = Array.from({ length: 5 }, () => event('inventory.adjusted', { sku: 'POLL-1', location: 'wh-east', delta: 1, reason: 'missed webhook' }));
    api.orders.push(...receipts);
    await waitFor(async () => (await onHand('POLL-1')) === 5, 'five receipts backfilled');
    await waitFor(
      async () => (await hub.db.query<{ cursor: string }>(`SELECT cursor FROM connector_cursor WHERE connector_id = 'stock-api'`)).rows[0]?.cursor === '5',
      'cursor saved',
    );
    // The same events listed again (a cursor reset) are recorded as duplicates and change nothing.
    await hub.db.query(`UPDATE connector_cursor SET cursor = '0' WHERE connector_id = 'stock-api'`);
    await waitFor(
      async () => (await hub.db.query<{ cursor: string }>(`SELECT cursor FROM connector_cursor WHERE connector_id = 'stock-api'`)).rows[0]?.cursor === '5',
      'polled again',
    );
    expect(await onHand('POLL-1')).toBe(5);
    const inbox = await hub.db.query<{ n: number }>(`SELECT count(*) AS n FROM inbox WHERE connector_id = 'stock-api'`);
    expect(inbox.rows[0]?.n).toBe(5);
  });
});
