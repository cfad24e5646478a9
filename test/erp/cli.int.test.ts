import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../helpers/db.js';

const run = promisify(execFile);
const SCENARIO = 'test/fixtures/erp/scenario.jsonl';

/** Runs `hub` against one PostgreSQL schema; resolves with the exit code instead of throwing. */
async function hub(schema: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: TEST_DATABASE_URL, HUB_DB_SCHEMA: schema, HUB_CONFIG: 'test/fixtures/erp/hub.yaml', NO_COLOR: '1' };
  try {
    const { stdout, stderr } = await run('node', ['bin/hub.js', ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** One line of a `hub apply` file: a stock adjustment at wh-east. */
function adjustLine(sku: string, key: string, delta: number): string {
  return JSON.stringify({
    id: key,
    type: 'inventory.adjusted',
    idempotencyKey: key,
    source: { connector: 'ops', connectorType: 'manual', externalId: key, version: null },
    occurredAt: '2026-03-01T00:00:00.000Z',
    data: { sku, location: 'wh-east', delta, reason: 'count' },
  });
}

describe('hub apply / inventory / ledger verify', () => {
  const schema = `t_cli_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  const snapshot = async () => {
    const balances = await admin.query(`SELECT sku, location, state, quantity FROM ${schema}.inventory_balance WHERE quantity <> 0 ORDER BY 1, 2, 3`);
    const orders = await admin.query(`SELECT channel, external_order_id, status FROM ${schema}.sales_order ORDER BY 1, 2`);
    const movements = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.inventory_movement`);
    return { balances: balances.rows, orders: orders.rows, movements: movements.rows[0] };
  };

  it('a scenario applied twice gives the same balances as applied once', async () => {
    const first = await hub(schema, ['apply', SCENARIO]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/line 17: stale inventory\.level\.reported/);
    expect(first.stdout).toMatch(/17 applied, 0 duplicate, 1 stale, 0 failed/);
    const once = await snapshot();
    expect(once.orders).toEqual([
      { channel: 'web', external_order_id: '1001', status: 'partially_shipped' },
      { channel: 'web', external_order_id: '1002', status: 'cancelled' },
      { channel: 'web', external_order_id: '1003', status: 'backordered' },
    ]);

    const second = await hub(schema, ['apply', SCENARIO]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/0 applied, 18 duplicate, 0 stale, 0 failed/);
    expect(await snapshot()).toEqual(once);

    const inv = await hub(schema, ['inventory', 'TEE-S', '--json']);
    expect(inv.code).toBe(0);
    const view = JSON.parse(inv.stdout) as { locations: unknown[]; availableToSell: unknown[] };
    expect(view.locations).toEqual([
      { sku: 'TEE-S', location: 'wh-east', onHand: 17, allocated: 2, inTransit: 0, quarantined: 0, returned: 0, available: 15 },
      { sku: 'TEE-S', location: 'wh-west', onHand: 2, allocated: 0, inTransit: 0, quarantined: 1, returned: 0, available: 1 },
    ]);
    // web: 16 - safety 1; wholesale (tpl-central + wh-east = 15): 15 - 5 - ceil(1.5) = 8
    expect(view.availableToSell).toEqual([
      { channel: 'web', available: 15, reported: [] },
      { channel: 'wholesale', available: 8, reported: [] },
    ]);

    const table = await hub(schema, ['inventory', 'GIFTBOX']);
    expect(table.stdout).toMatch(/bundle: 2 x MUG, 1 x TEE-S/);
    const plain = table.stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, 'g'), '');
    expect(plain).toMatch(/web\s+│ 15\s/);
    expect((await hub(schema, ['inventory', 'NO-SUCH-SKU'])).code).toBe(1);
  });

  it('hub ledger verify prints a one-line summary, or the offending rows and exit 1', async () => {
    const ok = await hub(schema, ['ledger', 'verify']);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toMatch(/^ledger ok: \d+ balances match \d+ movements$/);
    await admin.query(`UPDATE ${schema}.inventory_balance SET quantity = quantity + 1 WHERE sku = 'MUG' AND location = 'tpl-central' AND state = 'onHand'`);
    const bad = await hub(schema, ['ledger', 'verify']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/balance_mismatch MUG @ tpl-central onHand: balance 13, expected 12/);
    await admin.query(`UPDATE ${schema}.inventory_balance SET quantity = quantity - 1 WHERE sku = 'MUG' AND location = 'tpl-central' AND state = 'onHand'`);
  });

  it('hub apply reports each bad line with its number and reason, goes on, and exits 1', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hub-apply-')), 'events.jsonl');
    const good = (key: string, delta: number) => adjustLine('CLI-1', key, delta);
    const unknownLocation = good('bad-loc', 1).replace('"wh-east"', '"mars"');
    writeFileSync(file, [good('cli-1', 5), '{not json', '{"type":"inventory.adjusted"}', unknownLocation, '', good('cli-2', -9), good('cli-3', 2)].join('\n'));
    const res = await hub(schema, ['apply', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/line 2: invalid JSON/);
    expect(res.stderr).toMatch(/line 3: invalid event: .*idempotencyKey: required/);
    expect(res.stderr).toMatch(/line 4: inventory\.adjusted bad-loc: invalid_value at data\.location: .*mars/);
    expect(res.stderr).toMatch(/line 6: .*at data\.delta/);
    expect(res.stdout).toMatch(/line 7: applied/);
    expect(res.stdout).toMatch(/2 applied, 0 duplicate, 0 stale, 4 failed/);
    const inv = JSON.parse((await hub(schema, ['inventory', 'CLI-1', '--json'])).stdout) as { locations: { onHand: number }[] };
    expect(inv.locations[0]!.onHand).toBe(7);
  });

  it('hub apply --dry-run applies the file as one would (a later line sees an earlier one) and keeps nothing', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hub-apply-dry-')), 'events.jsonl');
    const line = (key: string, delta: number) => adjustLine('CLI-DRY', key, delta);
    // The removal is only possible after the receipt on line 1.
    writeFileSync(file, [line('dry-1', 4), line('dry-2', -3)].join('\n'));
    const res = await hub(schema, ['apply', '--dry-run', file]);
    expect(res.stdout).toMatch(/line 1: applied \(dry run\)/);
    expect(res.stdout).toMatch(/line 2: applied \(dry run\)/);
    expect(res.code).toBe(0);
    const inv = await hub(schema, ['inventory', 'CLI-DRY', '--json']);
    expect(inv.code).toBe(1);
  });
});
