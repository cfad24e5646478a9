import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWalmartConnectorClient } from '../../../src/connectors/walmart/index.js';
import { WalmartConfigSchema } from '../../../src/connectors/walmart/config.js';
import { startWalmartSimulator, type WalmartSimulator } from './index.js';

/** The connector's client against the simulator: the paths the end-to-end test does not take. */
describe('walmart simulator with the connector client', () => {
  let sim: WalmartSimulator;
  beforeAll(async () => {
    sim = await startWalmartSimulator();
  });
  afterAll(async () => sim?.close());

  const client = (settings: Record<string, unknown> = {}, credentials = { clientId: sim.clientId, clientSecret: sim.clientSecret }) =>
    createWalmartConnectorClient(
      {
        id: 'walmart-sim',
        ...WalmartConfigSchema.parse({
          settings: { baseUrl: sim.url, channel: 'walmart', shipNode: sim.shipNode, feedPollIntervalMs: 20, ...settings },
          credentials,
        }),
      },
      { logger: pino({ level: 'silent' }) },
    );

  it('pushes many SKUs as one multipart inventory feed and fails only the SKU Walmart does not list', async () => {
    const skus = Array.from({ length: 15 }, (_, i) => `FEED-${i}`);
    for (const sku of skus) if (sku !== 'FEED-4') sim.store.addItem(sku, 0);
    const result = await client().pushAvailability(skus.map((sku, i) => ({ sku, channel: 'walmart', available: i + 1, version: 1, externalIds: {} })));
    expect(sim.counters.feeds).toBe(1);
    expect(result.failures.map((f) => f.sku)).toEqual(['FEED-4']);
    expect(result.pushed).toBe(14);
    expect(skus.filter((s) => s !== 'FEED-4').every((sku, i) => sim.store.available(sku) === (i < 4 ? i + 1 : i + 2))).toBe(true);
  });

  it('reads channel truth across inventory pages', async () => {
    const items = [];
    for await (const page of client().readStockLevels()) items.push(...page);
    expect(items.find((i) => i.sku === 'FEED-0')?.levels).toEqual([{ location: sim.shipNode, available: 1, pushed: true }]);
    expect(items.length).toBe(sim.store.inventory.size);
  });

  it('answers the credential probe, and says why when the secret is wrong', async () => {
    expect((await client().check()).ok).toBe(true);
    const bad = await client({}, { clientId: sim.clientId, clientSecret: 'wrong' }).check();
    expect(bad).toMatchObject({ ok: false });
    expect(bad.message).toMatch(/token: HTTP 401/);
    expect(bad.message).not.toMatch(/wrong/);
  });

  it('refreshes an expired token once for 10 concurrent calls', async () => {
    const c = client();
    await c.check();
    sim.expireTokens();
    const before = sim.counters.tokensIssued;
    await Promise.all(Array.from({ length: 10 }, () => c.readOrders(['does-not-exist'])));
    expect(sim.counters.tokensIssued - before).toBe(1);
  });
});
