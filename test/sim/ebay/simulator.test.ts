import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEbayConnectorClient } from '../../../src/connectors/ebay/index.js';
import { EbayConfigSchema } from '../../../src/connectors/ebay/config.js';
import { RateLimitedError } from '../../../src/core/errors.js';
import { type EbaySimulator, startEbaySimulator } from './index.js';

/** The connector's own client against the simulator: the two agree on shapes, paging and auth. */
describe('eBay simulator with the eBay connector client', () => {
  let sim: EbaySimulator;
  const client = () =>
    createEbayConnectorClient(
      {
        id: 'ebay-sim',
        ...EbayConfigSchema.parse({
          settings: { baseUrl: sim.url, channel: 'ebay', ordersPageSize: 2 },
          credentials: { clientId: sim.clientId, clientSecret: sim.clientSecret, refreshToken: sim.refreshToken },
        }),
      },
      { logger: pino({ level: 'silent' }) },
    );
  beforeAll(async () => {
    sim = await startEbaySimulator();
  });
  afterAll(async () => sim?.close());

  it('pushes availability, refusing an unknown SKU alone', async () => {
    sim.store.addListing({ sku: 'SIM-A', quantity: 0 });
    const result = await client().pushAvailability([
      { sku: 'SIM-A', channel: 'ebay', available: 7, version: 1, externalIds: {} },
      { sku: 'SIM-NONE', channel: 'ebay', available: 1, version: 1, externalIds: {} },
    ]);
    expect(result.pushed).toBe(1);
    expect(result.failures.map((f) => [f.sku, f.error.code])).toEqual([['SIM-NONE', 'not_found']]);
    expect(sim.store.available('SIM-A')).toBe(7);
  });

  it('polls every order across pages and normalizes a legacy line and collect-and-remit tax', async () => {
    const legacy = sim.store.addListing({ sku: null, quantity: 5, price: '20.00' });
    const orders = [
      sim.store.placeOrder({ lines: [{ sku: 'SIM-A', quantity: 2 }] }),
      sim.store.placeOrder({ lines: [{ legacyItemId: legacy.legacyItemId, quantity: 1 }], taxRate: '0.0825' }),
      sim.store.placeOrder({ lines: [{ sku: 'SIM-A', quantity: 1 }] }),
    ];
    const pages = [];
    for await (const page of client().pollOrders(new Date(Date.now() - 60_000).toISOString())) pages.push(page);
    expect(pages.map((p) => p.orders.length)).toEqual([2, 1]);
    const ids = pages.flatMap((p) => p.orders.map((o) => (o as { orderId: string }).orderId));
    expect(ids.sort()).toEqual(orders.map((o) => o.orderId).sort());
    const taxed = pages.flatMap((p) => p.orders).find((o) => (o as { orderId: string }).orderId === orders[1]!.orderId) as {
      pricingSummary: { total: { value: string } };
      lineItems: object[];
    };
    expect(taxed.pricingSummary.total.value).toBe('21.65');
    expect(Object.hasOwn(taxed.lineItems[0]!, 'sku')).toBe(false);
  });

  it('answers 401 to a revoked token, and the client refreshes once and goes on', async () => {
    const c = client();
    await c.check();
    const issued = sim.counters.tokensIssued;
    sim.revokeTokens();
    expect(await c.check()).toMatchObject({ ok: true });
    expect(sim.counters.tokensIssued).toBe(issued + 1);
  });

  it('injects a 429 with Retry-After that the client reports as a retryable wait', async () => {
    const c = client();
    await c.check();
    sim.faults.next(1, { type: 'status', status: 429, retryAfter: '3' });
    const err = await c.pushAvailability([{ sku: 'SIM-A', channel: 'ebay', available: 1, version: 2, externalIds: {} }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(3000);
  });
});
