import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDrift, listRuns, runReconciliation, startReconcileRun, type ReconcileTarget } from '../../src/reconcile/index.js';
import { startShopifySimulator, type ShopifySimulator } from '../sim/shopify/index.js';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { depsOf, setPolicy, shopConfig, targetOf } from './helpers.js';
import { seedHub, seedShop, type SeededSku } from './seed.js';

const SKUS = 10_000;

/**
 * Stock reconciliation against the Shopify simulator: 10,000 SKUs at two locations seeded in a
 * consistent state, then drift injected behind the hub's back (no webhook).
 */
describe('stock reconciliation (Shopify simulator, 10,000 SKUs)', () => {
  let sim: ShopifySimulator;
  let hub: TestHub;
  let target: ReconcileTarget;
  let seeded: SeededSku[];
  let push: string;
  let other: string;

  beforeAll(async () => {
    sim = await startShopifySimulator({ locations: ['Main warehouse', 'Overflow'] });
    [push, other] = sim.store.locations.map((l) => l.id) as [string, string];
    hub = await startTestHub({ config: shopConfig(sim, '{ stock: { policy: report } }') });
    seeded = seedShop(sim.store, 'REC', SKUS);
    await seedHub(hub.db, seeded, { connectorId: 'shopify-main', channel: 'web', locations: ['wh-east', 'wh-west'] });
    target = targetOf(hub.config);
  });
  afterAll(async () => {
    await hub?.stop();
    await sim?.close();
  });

  const run = (options: { dryRun?: boolean } = {}) => runReconciliation(depsOf(hub), target, 'stock', { trigger: 'manual', sampleSize: 1000, ...options });
  const at = (i: number) => seeded[i]!;
  const shopLevels = (i: number) => [sim.store.available(at(i).sku, push), sim.store.available(at(i).sku, other)];

  it('finds no drift on 10,000 clean SKUs, reading them through one bulk export', async () => {
    const downloads = sim.bulk.downloads;
    const result = await run();
    expect(result.status).toBe('completed');
    expect(result.counts).toEqual({ checked: SKUS, compared: 2 * SKUS, drifted: 0, healed: 0, flagged: 0, unmapped: 0, inFlight: 0 });
    expect(result.accuracy).toBe(1);
    expect(result.run).toMatchObject({ status: 'completed', accuracy: 1, trigger: 'manual' });
    expect(await listDrift(hub.db, { runId: result.run!.id })).toEqual([]);
    expect(sim.bulk.downloads).toBe(downloads + 1);
  });

  it('finds injected drift exactly, heals it by policy through the outbound queue, and the next run reports 100% accuracy', async () => {
    setPolicy(hub.config, 'shopify-main', { stock: { policy: 'heal' } });
    const drifted = [3, 77, 1234, 4999, 5000, 8191, 9999].map((i, k) => ({ i, value: k % 2 === 0 ? at(i).ats + 1 + k * 7 : 0 }));
    for (const d of drifted) sim.store.driftLevel(at(d.i).sku, d.value, push);

    const first = await run();
    expect(first.counts).toMatchObject({ checked: SKUS, drifted: drifted.length, healed: drifted.length, flagged: 0, inFlight: 0 });
    const rows = await listDrift(hub.db, { runId: first.run!.id });
    expect(
      rows
        .map((r) => ({ sku: r.sku, location: r.location, channelValue: r.channelValue, expected: r.expected, delta: r.delta, action: r.action }))
        .sort((a, b) => a.sku.localeCompare(b.sku)),
    ).toEqual(
      drifted.map((d) => ({
        sku: at(d.i).sku,
        location: 'wh-east',
        channelValue: d.value,
        expected: at(d.i).ats,
        delta: d.value - at(d.i).ats,
        action: 'healed',
      })),
    );
    expect(first.accuracy).toBeCloseTo((SKUS - drifted.length) / SKUS, 10);

    await waitFor(() => drifted.every((d) => sim.store.available(at(d.i).sku, push) === at(d.i).ats), 'healed values pushed to the shop');
    const second = await run();
    expect(second.counts.drifted).toBe(0);
    expect(second.accuracy).toBe(1);
    expect(second.run?.accuracy).toBe(1);
  });

  it('with a threshold: heals small drift, flags large drift and stock at a location the hub never pushes to, and carries first-seen over', async () => {
    setPolicy(hub.config, 'shopify-main', { stock: { policy: 'threshold', threshold: 5 } });
    sim.store.driftLevel(at(10).sku, at(10).ats - 2, push);
    sim.store.driftLevel(at(11).sku, at(11).ats + 40, push);
    sim.store.driftLevel(at(12).sku, 6, other);

    const first = await run();
    const byAction = (rows: { sku: string; action: string }[]) => Object.fromEntries(rows.map((r) => [r.sku, r.action]));
    const firstRows = await listDrift(hub.db, { runId: first.run!.id });
    expect(byAction(firstRows)).toEqual({ [at(10).sku]: 'healed', [at(11).sku]: 'flagged', [at(12).sku]: 'flagged' });
    expect(firstRows.find((r) => r.sku === at(12).sku)).toMatchObject({ location: 'wh-west', channelValue: 6, expected: 0 });
    await waitFor(() => sim.store.available(at(10).sku, push) === at(10).ats, 'small drift healed');

    const second = await run();
    const secondRows = await listDrift(hub.db, { runId: second.run!.id });
    expect(byAction(secondRows)).toEqual({ [at(11).sku]: 'flagged', [at(12).sku]: 'flagged' });
    for (const row of secondRows) expect(row.firstSeen).toBe(firstRows.find((r) => r.sku === row.sku)!.firstSeen);
    expect(shopLevels(11)).toEqual([at(11).ats + 40, 0]);

    sim.store.driftLevel(at(11).sku, at(11).ats, push);
    sim.store.driftLevel(at(12).sku, 0, other);
  });

  it('a dry run reports drift and changes and stores nothing', async () => {
    setPolicy(hub.config, 'shopify-main', { stock: { policy: 'heal' } });
    sim.store.driftLevel(at(20).sku, at(20).ats + 3, push);
    const runsBefore = (await listRuns(hub.db, { connectorId: 'shopify-main' })).length;
    const result = await run({ dryRun: true });
    expect(result.run).toBeNull();
    expect(result.counts).toMatchObject({ drifted: 1, healed: 1 });
    expect(result.sample.drift).toEqual([expect.objectContaining({ sku: at(20).sku, channelValue: at(20).ats + 3, expected: at(20).ats })]);
    expect((await listRuns(hub.db, { connectorId: 'shopify-main' })).length).toBe(runsBefore);
    expect((await hub.db.query(`SELECT 1 FROM availability_outbox WHERE sku = $1`, [at(20).sku])).rowCount).toBe(0);
    expect(sim.store.available(at(20).sku, push)).toBe(at(20).ats + 3);
    sim.store.driftLevel(at(20).sku, at(20).ats, push);
  });

  it('counts a value whose push is still on its way as in flight, not as drift', async () => {
    const sku = at(30).sku;
    // The ledger moved and a newer version waits for the relay; the shop still shows the last push.
    await hub.db.query(`UPDATE inventory_balance SET quantity = quantity + 5 WHERE sku = $1 AND location = 'wh-east' AND state = 'onHand'`, [sku]);
    await hub.db.query(`UPDATE availability_state SET version = version + 1, available = available + 5 WHERE sku = $1 AND channel = 'web'`, [sku]);
    const result = await run({ dryRun: true });
    expect(result.counts).toMatchObject({ drifted: 0, inFlight: 1 });
    await hub.db.query(`UPDATE inventory_balance SET quantity = quantity - 5 WHERE sku = $1 AND location = 'wh-east' AND state = 'onHand'`, [sku]);
    await hub.db.query(`UPDATE availability_state SET version = 1, available = available - 5 WHERE sku = $1 AND channel = 'web'`, [sku]);
  });

  it('two concurrent starts of the same reconciliation give one run, in process and through the queue', async () => {
    setPolicy(hub.config, 'shopify-main', { stock: { policy: 'report' } });
    const [a, b] = await Promise.all([run(), run()]);
    expect([a.status, b.status].sort()).toEqual(['already_running', 'completed']);
    expect(a.run?.id).toBe(b.run?.id);

    const before = (await listRuns(hub.db, { connectorId: 'shopify-main' })).length;
    const [x, y] = await Promise.all([
      startReconcileRun(hub.hub.queues, hub.hub.connectors, 'shopify-main', 'stock'),
      startReconcileRun(hub.hub.queues, hub.hub.connectors, 'shopify-main', 'stock'),
    ]);
    expect(x.jobId).toBe(y.jobId);
    expect([x.deduplicated, y.deduplicated].sort((p, q) => Number(p) - Number(q))).toEqual([false, true]);
    const runs = await waitFor(async () => {
      const list = await listRuns(hub.db, { connectorId: 'shopify-main' });
      return list.length > before && list[0]!.status === 'completed' ? list : undefined;
    }, 'the queued run');
    expect(runs.length).toBe(before + 1);
    expect(runs[0]).toMatchObject({ kind: 'stock', trigger: 'manual', accuracy: 1 });
  });
});
