import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHub } from '../helpers/cli.js';
import { event, waitFor } from '../helpers/hub.js';
import { postSigned, ProcessHub } from '../helpers/processes.js';

describe('hub dlq', () => {
  let hub: ProcessHub;
  let badId: string;
  beforeAll(async () => {
    hub = await new ProcessHub().init();
    const { url } = await hub.spawn('start');
    const bad = event('inventory.adjusted', { sku: 'CLI-1', location: 'wh-east', delta: 1.5, reason: 'receipt' });
    badId = bad['id'] as string;
    const other = event('inventory.adjusted', { sku: 'CLI-2', location: 'wh-east', delta: 0.5, reason: 'receipt' });
    expect(await postSigned(url!, bad, 'cli-1')).toBe(200);
    expect(await postSigned(url!, other, 'cli-2')).toBe(200);
    await waitFor(async () => (await hub.db.query<{ n: number }>('SELECT count(*) AS n FROM dead_letter')).rows[0]?.n === 2, 'two dead letters');
  });
  afterAll(async () => {
    await hub.stop();
  });

  const dlq = (...args: string[]) => runHub(['dlq', ...args], hub.env());

  it('lists dead letters filtered by SKU as JSON', async () => {
    const result = await dlq('list', '--sku', 'CLI-1', '--json');
    expect(result.code).toBe(0);
    const page = JSON.parse(result.stdout) as { total: number; items: { step: string; errorClass: string; message: string }[] };
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({ step: 'normalize', errorClass: 'ValidationError' });
    expect(page.items[0]?.message).toContain('data.delta');
  });

  it('prints plain tables when piped, and lists the valid choices of an option', async () => {
    const table = await dlq('list', '--sku', 'CLI-1');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/│ id +│ created/);
    expect(table.stdout).not.toContain(`${String.fromCharCode(27)}[`);
    const bad = await dlq('list', '--status', 'closed');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Allowed choices are open, replayed, discarded, all');
  });

  it('shows one entry with its attempts and payload, and refuses an unknown id', async () => {
    const { stdout } = await dlq('list', '--sku', 'CLI-1', '--json');
    const id = String((JSON.parse(stdout) as { items: { id: number }[] }).items[0]!.id);
    const shown = await dlq('show', id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`dead letter ${id} (open)`);
    expect(shown.stdout).toContain('attempt 1 at');
    expect(shown.stdout).toContain(badId);
    const missing = await dlq('show', '999999');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('dead letter 999999 does not exist');
  });

  it('refuses a replay with neither ids nor filters, and reports a dry run without changing anything', async () => {
    const none = await dlq('replay');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('name dead-letter ids or at least one filter');
    const dry = await dlq('replay', '--sku', 'CLI-1', '--dry-run');
    expect(dry.stdout).toMatch(/^\d+: refused \(.*data\.delta/m);
    // The same exit status with and without --json.
    expect(dry.code).toBe(1);
    const dryJson = await dlq('replay', '--sku', 'CLI-1', '--dry-run', '--json');
    expect(JSON.parse(dryJson.stdout)).toEqual([expect.objectContaining({ verdict: 'refused' })]);
    expect(dryJson.code).toBe(1);
    const open = await hub.db.query<{ n: number }>(`SELECT count(*) AS n FROM dead_letter WHERE status = 'open'`);
    expect(open.rows[0]?.n).toBe(2);
  });

  it('discards with a reason and records it in the audit log', async () => {
    const { stdout } = await dlq('list', '--sku', 'CLI-2', '--json');
    const id = String((JSON.parse(stdout) as { items: { id: number }[] }).items[0]!.id);
    const result = await dlq('discard', id, '--reason', 'test data');
    expect(result.stdout.trim()).toBe(`${id}: discarded`);
    const audit = await hub.db.query<{ action: string; outcome: string; actor: string }>(`SELECT action, outcome, actor FROM audit_log WHERE target = $1`, [
      `dead-letter:${id}`,
    ]);
    expect(audit.rows).toEqual([{ action: 'dead-letter.discard', outcome: 'ok', actor: expect.stringMatching(/^cli:/) }]);
    const again = await dlq('discard', id, '--reason', 'twice');
    expect(again.code).toBe(1);
  });
});
