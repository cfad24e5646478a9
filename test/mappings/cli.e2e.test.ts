import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHub } from '../helpers/cli.js';

const ENV = { HUB_CONFIG: 'config/examples/acme-3pl.yaml', ACME_WEBHOOK_SECRET: 'acme-test-secret-0123456789' };

describe('hub mappings test <connectorId> <kind> <payload-file>', () => {
  it('prints the canonical events of a sample notice with the live config', async () => {
    const { code, stdout } = await runHub(['mappings', 'test', 'acme-3pl', 'shipment.confirmed', 'config/examples/acme-3pl/shipment-notice.json'], ENV);
    expect(code).toBe(0);
    const [event] = JSON.parse(stdout) as { type: string; data: Record<string, unknown> }[];
    expect(event).toMatchObject({ type: 'shipment.confirmed', data: { externalOrderId: '1001', location: 'acme-reno', tracking: { company: 'UPS' } } });
  });

  it('exits 2 with every mapping error as JSON', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'preview-')), 'bad.json');
    writeFileSync(file, JSON.stringify({ notice_id: 'R-9', site: 'XX1', lines: [{ item: 'NOPE', qty_received: 1 }] }));
    const { code, stdout } = await runHub(['mappings', 'test', 'acme-3pl', 'receipt.completed', file], ENV);
    expect(code).toBe(2);
    const { error } = JSON.parse(stdout) as { error: { connector: string; issues: { code: string; field: string; value: unknown }[] } };
    expect(error.connector).toBe('acme-3pl');
    expect(error.issues.map((i) => [i.code, i.field, i.value]).sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q)))).toEqual([
      ['unknown_sku', '[0]data.sku', 'NOPE'],
      ['unmapped_location', '[0]data.location', 'XX1'],
    ]);
  });
});
