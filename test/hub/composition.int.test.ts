import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config/load.js';
import { listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { call, OPS_YAML, startOpsHub } from '../api/helpers.js';
import { CANONICAL_SECRET, event, parseTestConfig, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';

describe('the ops API after a hot reload', () => {
  let ops: Awaited<ReturnType<typeof startOpsHub>>;
  beforeAll(async () => {
    ops = await startOpsHub();
  });
  afterAll(async () => {
    await ops?.stop();
  });

  it('answers inventory, config, connectors and queues with the reloaded locations and channels', async () => {
    const { hub } = ops;
    await hub.postEvents(event('inventory.adjusted', { sku: 'RELOAD-1', location: 'wh-east', delta: 9, reason: 'receipt' }));
    await waitFor(async () => (await call(hub, 'viewer', 'GET', '/api/inventory/RELOAD-1')).json?.locations?.length > 0, 'stock applied');
    const before = await call(hub, 'viewer', 'GET', '/api/inventory/RELOAD-1');
    expect(before.json.availableToSell.map((a: { channel: string }) => a.channel)).toEqual(['web']);

    // A new channel fed by wh-east, a new location and a new webhook-only connector.
    const next = parseTestConfig(OPS_YAML);
    next.channels.push({ ...next.channels[0]!, id: 'outlet', locations: ['wh-east'], safetyStock: 2, connector: undefined });
    next.locations.push({ ...next.locations[0]!, id: 'wh-north' });
    next.connectors.push({ ...next.connectors.find((c) => c.id === 'events')!, id: 'events-2' });
    next.connectors.push(...hub.config.connectors.filter((c) => c.id === 'stock-api'));
    next.channels.find((c) => c.id === 'web')!.connector = 'stock-api';
    next.queues.prefix = hub.config.queues.prefix;
    hub.hub.apply(next);

    const after = await call(hub, 'viewer', 'GET', '/api/inventory/RELOAD-1');
    expect(after.json.availableToSell).toEqual(
      expect.arrayContaining([expect.objectContaining({ channel: 'web', available: 9 }), expect.objectContaining({ channel: 'outlet', available: 7 })]),
    );
    const config = await call(hub, 'admin', 'GET', '/api/config');
    expect(config.json.locations.map((l: { id: string }) => l.id)).toContain('wh-north');
    const connectors = await call(hub, 'viewer', 'GET', '/api/connectors');
    expect(connectors.json.connectors.map((c: { id: string }) => c.id)).toContain('events-2');
    const queues = await call(hub, 'viewer', 'GET', '/api/queues');
    expect(queues.json.connectors.map((c: { connector: string }) => c.connector)).toContain('events-2');
  });
});

describe('generic-http: an instance pushes only what it has a request for', () => {
  let hub: TestHub;
  let server: Server;
  const received: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(`${req.method} ${req.url}`);
      req.resume().on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    hub = await startTestHub({
      config: parseTestConfig(`
locations: [{ id: wh-east, kind: warehouse }]
channels: [{ id: marketplace, connector: tracking-only, locations: [wh-east], safetyStock: 0 }]
connectors:
  - { id: events, type: canonical, credentials: { webhookSecret: ${CANONICAL_SECRET} } }
  - id: tracking-only
    type: generic-http
    settings:
      fulfillment: { url: "${url}/shipments/{{ externalOrderId }}", body: '{ "tracking": tracking.number }' }
`),
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('sends no availability to a fulfilment-only endpoint, and dead-letters nothing for it', async () => {
    await hub.postEvents(event('inventory.adjusted', { sku: 'TRK-1', location: 'wh-east', delta: 5, reason: 'receipt' }));
    await waitFor(async () => (await hub.db.query(`SELECT 1 FROM inventory_balance WHERE sku = 'TRK-1'`)).rowCount > 0, 'stock applied');
    // Relayed, then every queue a push or its failure would pass through is idle.
    await waitFor(async () => (await hub.db.query(`SELECT 1 FROM availability_outbox WHERE sku = 'TRK-1'`)).rowCount === 0, 'outbox relayed');
    const idle = async (name: string) =>
      Object.values(await hub.hub.queues.get(name).getJobCounts('wait', 'active', 'delayed', 'prioritized')).every((n) => n === 0);
    await waitFor(async () => (await idle('hub.outbound.tracking-only')) && (await idle('hub.dead-letter')), 'queues idle');
    expect((await listDeadLetters(hub.db, { connector: 'tracking-only', status: 'all' })).items).toEqual([]);
    expect(received).toEqual([]);
    expect([...hub.hub.connectors.get('tracking-only')!.capabilities]).toEqual(['push.fulfillment']);
  });
});

describe('config: a channel and its connector', () => {
  it('refuses a channel routed to a connector whose settings.channel names another channel, naming both keys', () => {
    const result = parseConfig(
      `
locations: [{ id: wh-east, kind: warehouse }]
channels:
  - { id: web, connector: shop, locations: [wh-east] }
  - { id: outlet, locations: [wh-east] }
connectors:
  - id: shop
    type: shopify
    settings: { shopDomain: a.myshopify.com, channel: outlet, locations: { "1": wh-east }, pushLocationId: "1" }
    credentials: { accessToken: shpat_x, webhookSecret: whsec_x }
`,
      {},
    );
    expect(result.ok).toBe(false);
    const issue = !result.ok ? result.issues.find((i) => i.path === 'channels[web].connector') : undefined;
    expect(issue?.message).toContain('connectors[shop].settings.channel');
    expect(issue?.message).toContain('"outlet"');
  });
});
