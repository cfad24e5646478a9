import type { Browser, Page } from 'playwright-core';
import { launchChromium, SHOTS } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeadLetters } from '../../src/queues/dead-letter-store.js';
import { simConnectorYaml, startShopifySimulator, type ShopifySimulator } from '../sim/shopify/index.js';
import { event, parseTestConfig, startTestHub, waitFor, type TestHub, webShopYaml } from '../helpers/hub.js';
import { OPS_YAML, TOKENS } from '../api/helpers.js';

const COUNTS: Record<string, number> = { 'OP-TEE-S': 4, 'OP-TEE-M': 9, 'OP-MUG': 7 };

/**
 * The operator's day in Chromium: onboarding a Shopify store from an empty hub (check, set up,
 * review, resume) until stock is pushed without dead letters; a group of dead letters replayed in
 * bulk after a dry run that shows the ledger movements; the charts; phone width; a viewer's cues.
 */
describe('operator journeys in Chromium', () => {
  let sim: ShopifySimulator;
  let hub: TestHub;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    sim = await startShopifySimulator({ locations: ['Main warehouse'] });
    sim.store.addProduct({
      title: 'Tee',
      variants: [
        { sku: 'OP-TEE-S', title: 'S', available: 4 },
        { sku: 'OP-TEE-M', title: 'M', available: 2 },
      ],
    });
    sim.store.addProduct({ title: 'Mug', variants: [{ sku: 'OP-MUG', available: 7 }] });
    const config = parseTestConfig(`${webShopYaml(['retry: { attempts: 2, backoffMs: 50, maxBackoffMs: 100 }'])}
${simConnectorYaml(sim, { locations: [[sim.store.locations[0]!.id, 'wh-east']], extra: ['retry: { attempts: 3, backoffMs: 100, maxBackoffMs: 500 }'] })}
${OPS_YAML.slice(OPS_YAML.indexOf('auth:'), OPS_YAML.indexOf('replenishment:'))}`);
    hub = await startTestHub({ config, ops: { history: { intervalMs: 1000 } } });
    hub.config.server.publicUrl = hub.url;
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1300, height: 900 } })).newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await sim?.close();
  });

  const login = async (p: Page, token: string) => {
    await p.goto(`${hub.url}/`);
    await p.fill('#login-token', token);
    await p.click('#login-form button[type=submit]');
    await p.locator('#whoami').filter({ hasText: '(' }).waitFor();
  };

  it('onboards the store from an empty hub: check, set up, review, resume, and stock is pushed without dead letters', async () => {
    await login(page, TOKENS.admin);
    await page.click('#nav a[data-view="connectors"]');
    const shop = page.locator('#connectors-table tr[data-connector="shopify-main"]');
    await shop.getByRole('button', { name: 'Check' }).click();
    await page.locator('#connector-result', { hasText: 'ok: Simulated shop' }).waitFor();
    await shop.getByRole('button', { name: 'Set up' }).click();
    const result = page.locator('#connector-result');
    await result.locator('h3', { hasText: 'shopify-main: setup done' }).waitFor({ timeout: 60_000 });
    const text = await result.textContent();
    expect(text).toContain('catalogue: 2 product(s) read, 2 recorded, 0 unchanged; applied');
    expect(text).toContain('levels: 3 SKU(s) compared, 3 differ, 0 unmapped');
    expect(text).toContain('orders/create created');
    expect(text).toContain('outbound pushes are PAUSED');
    await shop.locator('.badge', { hasText: 'paused' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/operator-onboarding.png`, fullPage: true });

    // The review: the shop's counts, nothing overwritten; then the ledger takes the counted stock.
    await page.click('#nav a[data-view="reconcile"]');
    await page.locator('#rc-trends [data-trend="shopify-main"] figure.chart').first().waitFor();
    expect(Object.keys(COUNTS).map((s) => sim.store.available(s))).toEqual([4, 2, 7]);
    for (const [sku, delta] of Object.entries(COUNTS))
      await hub.postEvents(event('inventory.adjusted', { sku, location: 'wh-east', delta, reason: 'opening count' }));
    await waitFor(
      async () => (await hub.db.query(`SELECT 1 FROM inbox WHERE connector_id = 'events' AND status = 'processed'`)).rows.length === 3,
      'counts applied',
    );

    await page.click('#nav a[data-view="connectors"]');
    await shop.getByRole('button', { name: 'Resume' }).click();
    await shop.locator('.badge', { hasText: 'ok' }).waitFor();
    await waitFor(() => Object.entries(COUNTS).every(([sku, n]) => sim.store.available(sku) === n), 'stock pushed to the shop', 30_000);
    expect((await listDeadLetters(hub.db, { status: 'all' })).items).toEqual([]);
  });

  it('replays a group of dead letters in bulk after a dry run that shows the ledger movements', async () => {
    // A 3PL site nobody configured yet: three deliveries fail the same way.
    for (const sku of ['OP-TEE-S', 'OP-TEE-M', 'OP-MUG'])
      await hub.postEvents(event('inventory.adjusted', { sku, location: 'wh-north', delta: 5, reason: 'receipt' }));
    await waitFor(async () => (await listDeadLetters(hub.db, {})).total === 3, 'three dead letters', 30_000);
    const next = structuredClone(hub.config);
    next.locations.push({ ...next.locations[0]!, id: 'wh-north' });
    hub.hub.apply(next);

    await page.click('#nav a[data-view="dead-letters"]');
    const group = page.locator('#dl-groups tr[data-group="invalid_value|events|apply"]');
    await group.waitFor();
    expect(await group.textContent()).toContain('3');
    await group.getByRole('button', { name: 'Show these' }).click();
    await page.locator('#dl-count', { hasText: '3 of 3 shown' }).waitFor();
    await expect(page.locator('#dl-bulk-replay').isDisabled()).resolves.toBe(true);
    await page.check('#dl-all-matching');
    await page.click('#dl-bulk-dry-run');
    const out = page.locator('#dl-bulk-result');
    await out.locator('h3', { hasText: 'Dry run: 3 would-apply' }).waitFor();
    expect(await out.locator('.movement').allTextContents()).toEqual(
      expect.arrayContaining(['+5 OP-MUG onHand at wh-north (receipt)', '+5 OP-TEE-S onHand at wh-north (receipt)']),
    );
    await page.screenshot({ path: `${SHOTS}/operator-bulk-dry-run.png`, fullPage: true });
    await page.click('#dl-bulk-replay');
    await page.locator('#flash', { hasText: 'Replayed: 3 requeued' }).waitFor();
    await waitFor(
      async () => {
        const { rows } = await hub.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM inventory_balance WHERE location = 'wh-north' AND state = 'onHand' AND quantity = 5`,
        );
        return Number(rows[0]?.n) === 3;
      },
      'replayed receipts applied',
      30_000,
    );
    expect((await listDeadLetters(hub.db, {})).total).toBe(0);
  });

  it('draws queue depth, oldest job age and throughput with axes and units', async () => {
    for (let i = 0; i < 4; i++) {
      await hub.postEvents(event('inventory.adjusted', { sku: `OP-CHART-${i}`, location: 'wh-east', delta: 1, reason: 'receipt' }));
      await hub.ops.deps.history.sample();
    }
    await page.click('#nav a[data-view="overview"]');
    const inbound = page.locator('.queue-charts[data-queue="hub.inbound"]');
    await inbound.locator('figure.chart').first().waitFor();
    expect(await inbound.locator('figcaption').allTextContents()).toEqual([
      'Queue depth (jobs)',
      'Oldest waiting job (seconds)',
      'Completed per 1 s sample (jobs)',
    ]);
    expect(await inbound.locator('text.axis').count()).toBeGreaterThanOrEqual(15);
    expect(await inbound.locator('.legend').last().textContent()).toMatch(/\d+ completed in the last \d+ min/);
    await page.screenshot({ path: `${SHOTS}/operator-charts.png`, fullPage: true });
  });

  it('never scrolls sideways at phone width, and shows a viewer no edit cues', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    phone.on('pageerror', (err) => pageErrors.push(err.message));
    await login(phone, TOKENS.viewer);
    for (const view of ['overview', 'dead-letters', 'connectors', 'reconcile', 'audit']) {
      await phone.goto(`${hub.url}/dashboard/#${view}`);
      await phone.locator(`#view-${view}`).waitFor();
      await phone.waitForLoadState('networkidle');
      const overflow = await phone.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow, `${view} scrolls sideways`).toBeLessThanOrEqual(0);
    }
    await phone.screenshot({ path: `${SHOTS}/operator-phone-audit.png`, fullPage: true });

    await phone.goto(`${hub.url}/dashboard/#dead-letters`);
    await phone.selectOption('#dl-filters select[name=status]', 'all');
    await phone.click('#dl-filters button[type=submit]');
    await phone.locator('#dl-table tbody tr').first().click();
    await phone.locator('#dl-payload').waitFor();
    expect(await phone.locator('label[for=dl-payload]').textContent()).toBe('Payload');
    expect(await phone.locator('#dl-payload').getAttribute('readonly')).not.toBeNull();
    expect(await phone.locator('#dl-bulk').isHidden()).toBe(true);
    const board = await phone.goto(`${hub.url}/admin/queues`);
    expect(board?.status()).toBe(403);
    expect(await phone.textContent('body')).toContain('has role viewer; bull-board shows raw job data and needs operator');
    await phone.close();
    expect(pageErrors).toEqual([]);
  });
});
