import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simConnectorYaml, startShopifySimulator, type ShopifySimulator } from '../sim/shopify/index.js';
import { runHub } from '../helpers/cli.js';

/** `hub connectors check` as an operator runs it: ok or failed with the reason, exit 1 on any failure, the same with --json. */
describe('hub connectors check', () => {
  let sim: ShopifySimulator;
  let file: string;
  beforeAll(async () => {
    sim = await startShopifySimulator({ locations: ['Main warehouse'] });
    const dir = mkdtempSync(join(tmpdir(), 'hub-check-'));
    file = join(dir, 'hub.yaml');
    writeFileSync(
      file,
      `storage: { dataDir: ${join(dir, 'data')} }
locations: [{ id: wh-east, kind: warehouse }]
channels: [{ id: web, connector: shopify-main, locations: [wh-east] }]
connectors:
${simConnectorYaml(sim, { locations: [[sim.store.locations[0]!.id, 'wh-east']] })}
`,
    );
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('says ok, then failed naming the missing scope with exit 1, with and without --json', async () => {
    const env = { HUB_CONFIG: file, DATABASE_URL: undefined };
    const ok = await runHub(['connectors', 'check'], env);
    expect(ok.stdout.trim()).toBe('shopify-main (shopify): ok: Simulated shop (sim-shop.myshopify.com, API 2026-10): token accepted, scopes granted');
    expect(ok.code).toBe(0);
    sim.app.scopes = sim.app.scopes.filter((s) => s !== 'read_orders');
    const failed = await runHub(['connectors', 'check', 'shopify-main'], env);
    expect(failed.stdout).toContain(
      'shopify-main (shopify): failed: shopify-main: Simulated shop (sim-shop.myshopify.com, API 2026-10): the app lacks access scope read_orders or write_orders',
    );
    expect(failed.code).toBe(1);
    const json = await runHub(['connectors', 'check', '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ connectorId: 'shopify-main', ok: false })]);
    expect(json.code).toBe(1);
    const unknown = await runHub(['connectors', 'check', 'shopify-x'], env);
    expect(unknown.stderr).toContain('not enabled connectors: shopify-x; choose from: shopify-main');
    expect(unknown.code).toBe(1);
  });
});
