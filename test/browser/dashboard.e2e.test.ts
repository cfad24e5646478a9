import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, SHOTS } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDeadLetter } from '../../src/queues/dead-letter-store.js';
import type { DeadLetter } from '../../src/queues/dead-letter-store.js';
import { event, waitFor, type TestHub } from '../helpers/hub.js';
import { makeDeadLetter, startOpsHub, TOKENS } from '../api/helpers.js';
import { FakeWarehouse, fakeWarehouseConnector, fakeWarehouseInstance } from '../reconcile/fake-warehouse.js';

describe('operations dashboard in Chromium', () => {
  let ctx: Awaited<ReturnType<typeof startOpsHub>>;
  let hub: TestHub;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dl: DeadLetter;
  const pageErrors: string[] = [];
  const warehouse = new FakeWarehouse();

  beforeAll(async () => {
    ctx = await startOpsHub({
      ops: { history: { intervalMs: 1000 } },
      extra: {
        instances: [fakeWarehouseInstance({ stock: { policy: 'threshold', threshold: 5 }, orders: { policy: 'report', windowMinutes: 60 } })],
        definitions: [fakeWarehouseConnector(warehouse)],
      },
    });
    hub = ctx.hub;
    dl = await makeDeadLetter(hub, 'BROWSER-1');
    await hub.ops.deps.history.sample();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });
  afterAll(async () => {
    await browser?.close();
    await ctx?.stop();
  });

  it('refuses a wrong token, then logs in and shows queue health', async () => {
    await page.goto(`${hub.url}/`);
    await page.fill('#login-token', 'not-a-valid-token-0000');
    await page.click('#login-form button[type=submit]');
    await page.getByText('That token is not valid.').waitFor();
    await page.fill('#login-token', TOKENS.operator);
    await page.click('#login-form button[type=submit]');
    await page.locator('#whoami', { hasText: 'operator-1 (operator)' }).waitFor();
    await page.locator('#queues-table tr[data-queue="hub.inbound"]').waitFor();
    await page.locator('.queue-charts[data-queue="hub.inbound"] figure.chart').first().waitFor();
    expect(await page.evaluate('sessionStorage.getItem("hub.token")')).toBe(TOKENS.operator);
  });

  it('sees the dead letter, fixes its payload, replays it and sees it gone', async () => {
    await page.click('#nav a[data-view="dead-letters"]');
    const row = page.locator(`#dl-table tr[data-id="${dl.id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('data.delta: must be a whole number of units');
    await row.click();
    const payload = page.locator('#dl-payload');
    await payload.waitFor();
    const text = await payload.inputValue();
    expect(text).toContain('"delta": 1.5');
    await payload.fill(text.replace('"delta": 1.5', '"delta": 2'));
    await page.click('#dl-dry-run');
    await page.locator('#dl-result', { hasText: 'Dry run: would-apply' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/dashboard-dead-letter.png`, fullPage: true });
    await page.click('#dl-replay-edited');
    await page.locator('#flash', { hasText: `Dead letter ${dl.id} replayed` }).waitFor();
    await row.waitFor({ state: 'detached' });
    expect(await page.locator('#dl-count').textContent()).toMatch(/^0 of 0 shown$/);
    expect((await getDeadLetter(hub.db, dl.id))?.status).toBe('replayed');
    await waitFor(async () => {
      const { rows } = await hub.db.query<{ quantity: number }>(`SELECT quantity FROM inventory_balance WHERE sku = 'BROWSER-1' AND state = 'onHand'`);
      return rows[0]?.quantity === 2;
    }, 'edited replay applied');
  });

  it('pauses and resumes a connector, looks up a SKU and shows the overview', async () => {
    await page.click('#nav a[data-view="connectors"]');
    const stock = page.locator('#connectors-table tr[data-connector="stock-api"]');
    await stock.getByRole('button', { name: 'Pause' }).click();
    await stock.locator('.badge', { hasText: 'paused' }).waitFor();
    await stock.getByRole('button', { name: 'Resume' }).click();
    await stock.locator('.badge', { hasText: 'ok' }).waitFor();

    await page.click('#nav a[data-view="inventory"]');
    await page.fill('#sku-form input[name=sku]', 'BROWSER-1');
    await page.click('#sku-form button');
    await page.locator('#sku-result td', { hasText: 'wh-east' }).waitFor();

    // Some traffic between samples, so the charts have a history to draw.
    for (let i = 1; i <= 6; i++) {
      const batch = Array.from({ length: i }, () => event('inventory.adjusted', { sku: `BROWSER-T${i}`, location: 'wh-east', delta: 1, reason: 'receipt' }));
      await hub.postEvents(batch);
      await waitFor(async () => (await hub.db.query(`SELECT 1 FROM inbox WHERE status = 'received'`)).rows.length === 0, 'traffic processed');
      await hub.ops.deps.history.sample();
    }
    await page.click('#nav a[data-view="overview"]');
    await page.locator('#queues-table tr[data-queue="hub.inbound"]').waitFor();
    await page.screenshot({ path: `${SHOTS}/dashboard.png`, fullPage: true });
  });

  it('runs a warehouse reconciliation, shows its drift, and approves and rejects its variances', async () => {
    // BROWSER-1 holds 2 units after the replay above; the 3PL counts 40, and 25 of a SKU the ledger never saw.
    warehouse.counts = [
      { sku: 'BROWSER-1', location: 'EAST-1', onHand: 40 },
      { sku: 'BROWSER-W2', location: 'EAST-1', onHand: 25 },
    ];
    await page.click('#nav a[data-view="reconcile"]');
    const connector = page.locator('#rc-connectors tr[data-connector="tpl-main"]');
    await connector.getByRole('button', { name: 'Run stock reconciliation' }).click();
    const run = page.locator('#rc-runs tbody tr').first();
    await run.locator('.badge', { hasText: 'completed' }).waitFor();
    expect(await run.textContent()).toContain('tpl-main');
    await run.click();
    await page.locator('#rc-drift tr[data-sku="BROWSER-1"]', { hasText: 'awaiting_approval' }).waitFor();
    expect(await page.locator('#rc-drift tr[data-sku="BROWSER-1"]').textContent()).toContain('+38');

    const [a, b] = ['BROWSER-1', 'BROWSER-W2'].map((sku) => page.locator('#rc-variances tbody tr', { hasText: sku }));
    await page.screenshot({ path: `${SHOTS}/dashboard-reconcile.png`, fullPage: true });
    await a!.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#flash', { hasText: 'BROWSER-1): approved' }).waitFor();
    await b!.locator('input').fill('miscount at the 3PL');
    await b!.getByRole('button', { name: 'Reject' }).click();
    await page.locator('#flash', { hasText: 'BROWSER-W2): rejected' }).waitFor();
    await page.locator('#rc-no-variances').waitFor();
    const { rows } = await hub.db.query<{ quantity: number }>(
      `SELECT quantity FROM inventory_balance WHERE sku = 'BROWSER-1' AND location = 'wh-east' AND state = 'onHand'`,
    );
    expect(rows[0]?.quantity).toBe(40);
  });

  it('opens bull-board with the cookie the login set', async () => {
    const board = await context.newPage();
    const res = await board.goto(`${hub.url}/admin/queues`);
    expect(res?.status()).toBe(200);
    await board.getByText('hub.inbound').first().waitFor();
    await board
      .getByText(/Loading/)
      .first()
      .waitFor({ state: 'detached' });
    await board.screenshot({ path: `${SHOTS}/bull-board.png` });
    await board.close();
    expect(pageErrors).toEqual([]);
  });
});
