/**
 * npm run bench:outbound — how efficiently availability reaches Shopify: 1,000 availability
 * changes on 100 hot SKUs, counted at the simulator: API calls made, items carried per call
 * (inventorySetQuantities takes up to 250), and THROTTLED answers received (target 0).
 * Prints a JSON report. Needs Redis and PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { createErpContext } from '../src/core/erp/context.js';
import { computeAvailableToSell } from '../src/core/erp/index.js';
import { simConnectorYaml, startShopifySimulator } from '../test/sim/shopify/index.js';
import { CANONICAL_SECRET, event, parseTestConfig, startTestHub, waitFor } from '../test/helpers/hub.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const CHANGES = Number(args.get('changes') ?? 1000);
const HOT = Number(args.get('skus') ?? 100);
const SPREAD_MS = Number(args.get('spread') ?? 5000);

const sim = await startShopifySimulator({ locations: ['Online store'] });
const location = sim.store.locations[0]!.id;
const hub = await startTestHub({
  config: parseTestConfig(`
locations: [{ id: wh-east, kind: warehouse }]
channels: [{ id: web, connector: shopify-main, locations: [wh-east] }]
connectors:
  - { id: events, type: canonical, credentials: { webhookSecret: ${CANONICAL_SECRET} } }
${simConnectorYaml(sim, { locations: [[location, 'wh-east']] })}
`),
  coalesceMs: Number(args.get('coalesce') ?? 1000),
});
try {
  sim.webhooks.subscribe(`${hub.url}/webhooks/shopify-main`);
  const skus = Array.from({ length: HOT }, (_, i) => `HOT-${i}`);
  sim.store.addProduct({ title: 'Hot', variants: skus.map((sku) => ({ sku, available: 0 })) });
  await sim.webhooks.idle();
  await waitFor(async () => (await hub.db.query(`SELECT 1 FROM product WHERE sku LIKE 'HOT-%'`)).rowCount === HOT, 'products learned');
  await hub.postEvents(skus.map((sku) => event('inventory.level.reported', { sku, location: 'wh-east', quantity: 500, reporter: 'warehouse' })));
  await waitFor(() => skus.every((sku) => sim.store.available(sku) === 500), 'initial stock pushed', 60_000);

  const callsBefore = sim.counters.byOperation['inventorySetQuantities'] ?? 0;
  const itemsBefore = sim.counters.itemsSet;
  const throttledBefore = sim.counters.throttled;
  const start = performance.now();
  for (let i = 0; i < CHANGES; i++) {
    const due = start + (i * SPREAD_MS) / CHANGES;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const sku = skus[Math.floor(Math.random() * HOT)]!;
    await hub.postEvents(
      event('inventory.adjusted', { sku, location: 'wh-east', delta: Math.random() < 0.5 ? -1 : 1, reason: `bench ${randomUUID().slice(0, 4)}` }),
    );
  }
  const erp = createErpContext(hub.config);
  await waitFor(
    async () => {
      const expected = await computeAvailableToSell(
        hub.db,
        skus.map((sku) => ({ sku, channel: 'web' })),
        erp,
      );
      return skus.every((sku) => sim.store.available(sku) === expected.get(`${sku}\u0000web`));
    },
    'store equals the ledger',
    120_000,
  );
  const seconds = (performance.now() - start) / 1000;
  const calls = (sim.counters.byOperation['inventorySetQuantities'] ?? 0) - callsBefore;
  const items = sim.counters.itemsSet - itemsBefore;
  console.log(
    JSON.stringify(
      {
        availabilityChanges: CHANGES,
        hotSkus: HOT,
        spreadSeconds: SPREAD_MS / 1000,
        coalesceMs: hub.config.queues.coalesceMs,
        apiCalls: calls,
        apiCallsPer1000Changes: Math.round((calls / CHANGES) * 1000 * 10) / 10,
        itemsPerCall: Math.round((items / Math.max(calls, 1)) * 10) / 10,
        throttledResponses: sim.counters.throttled - throttledBefore,
        secondsUntilStoreEqualsLedger: Math.round(seconds * 10) / 10,
      },
      null,
      2,
    ),
  );
} finally {
  await hub.stop();
  await sim.close();
}
