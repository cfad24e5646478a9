import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MappingError } from '../../src/core/errors.js';
import { createMappingLookup } from '../../src/mappings/lookup.js';
import { mapPayload, prepareMappings } from '../../src/mappings/engine.js';
import { MappingSettingsSchema } from '../../src/mappings/schema.js';

const lookup = createMappingLookup({ skus: new Set(['TEE-BLK-M']), external: new Map(), locations: { RNO: 'wh-west' } });
const run = (eventName: string) => ({ connectorId: 'acme-3pl', connectorType: 'generic-webhook', eventName, receivedAt: '2026-01-01T00:00:00.000Z', lookup });

function compile(settings: unknown, baseDir = process.cwd()) {
  return prepareMappings(MappingSettingsSchema.parse(settings), baseDir);
}

const receipt = {
  type: 'inventory.adjusted',
  each: 'lines',
  externalId: '$root.receipt_id',
  occurredAt: '$root.received_at',
  data: {
    sku: { expr: 'item', map: 'sku' },
    location: { expr: '$root.site', map: 'location' },
    delta: { expr: 'qty', packSizeOf: 'sku' },
    state: { expr: 'condition', map: 'condition' },
    reason: { value: '3pl receipt' },
  },
};
const settings = {
  locations: { RNO: 'wh-west' },
  skuMap: { entries: { 'ACME-TEE': 'TEE-BLK-M', 'ACME-TEE-CS12': { sku: 'TEE-BLK-M', packSize: 12 } } },
  valueMaps: { condition: { values: { DMG: 'quarantined' }, default: 'onHand' } },
  events: { receipt_notice: receipt },
};
const body = {
  receipt_id: 'R-1',
  received_at: '2026-03-01T10:00:00+02:00',
  site: 'RNO',
  lines: [
    { item: 'ACME-TEE', qty: 3 },
    { item: 'ACME-TEE-CS12', qty: 2, condition: 'DMG' },
  ],
};

describe('mapping engine', () => {
  it('maps SKUs, locations, value maps with a default, constants and timestamps into one event per line', async () => {
    const events = await mapPayload(compile(settings), body, run('receipt_notice'));
    expect(events.map((e) => e.data)).toEqual([
      { sku: 'TEE-BLK-M', location: 'wh-west', delta: 3, state: 'onHand', reason: '3pl receipt' },
      { sku: 'TEE-BLK-M', location: 'wh-west', delta: 24, state: 'quarantined', reason: '3pl receipt' },
    ]);
    expect(events[0]).toMatchObject({ type: 'inventory.adjusted', idempotencyKey: 'acme-3pl:receipt_notice:R-1:0', occurredAt: '2026-03-01T08:00:00.000Z' });
    expect(events[0]!.source).toEqual({ connector: 'acme-3pl', connectorType: 'generic-webhook', externalId: 'R-1', version: null });
  });

  it('converts units: a case of 12 on the channel is 12 units in the ledger, and a fixed factor applies too', async () => {
    const compiled = compile({ ...settings, events: { r: { ...receipt, data: { ...receipt.data, delta: { expr: 'qty', packSizeOf: 'sku', factor: 2 } } } } });
    const [event] = await mapPayload(compiled, { ...body, lines: [{ item: 'ACME-TEE-CS12', qty: 1 }] }, run('r'));
    expect(event!.data).toMatchObject({ delta: 24 });
    const halves = compile({ ...settings, events: { r: { ...receipt, data: { ...receipt.data, delta: { expr: 'qty', factor: 0.5 } } } } });
    await expect(mapPayload(halves, { ...body, lines: [{ item: 'ACME-TEE', qty: 3 }] }, run('r'))).rejects.toThrow(/3 × 0.5 = 1.5 is not a whole number/);
  });

  it('refuses an id that is an object instead of turning it into "[object Object]"', async () => {
    const err = await mapPayload(compile(settings), { ...body, receipt_id: { nested: 'R-1' } }, run('receipt_notice')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MappingError);
    expect((err as MappingError).issues[0]).toMatchObject({ code: 'invalid_value', field: '[0]externalId' });
  });

  it('rejects an unknown SKU naming connector, field path, value and rule, with every issue', async () => {
    const bad = {
      ...body,
      site: 'NOWHERE',
      lines: [
        { item: 'ACME-TEE', qty: 1 },
        { item: 'GHOST-1', qty: 1 },
      ],
    };
    const err = await mapPayload(compile(settings), bad, run('receipt_notice')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MappingError);
    const mapping = err as MappingError;
    expect(mapping.connectorId).toBe('acme-3pl');
    expect(mapping.issues.map((i) => [i.code, i.field, i.value]).sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q)))).toEqual([
      ['unknown_sku', '[1]data.sku', 'GHOST-1'],
      ['unmapped_location', '[0]data.location', 'NOWHERE'],
      ['unmapped_location', '[1]data.location', 'NOWHERE'],
    ]);
    expect(mapping.message).toMatch(/^acme-3pl: /);
    expect(mapping.message).toContain('receipt_notice [1]data.sku: SKU "GHOST-1" is not in the SKU map (2 rows) (rule: map sku via settings.skuMap)');
  });

  it('maps statuses, requires fields unless optional or defaulted, and builds nested arrays', async () => {
    const compiled = compile({
      statusMap: { SHIPPED: 'shipped' },
      events: {
        t: {
          type: 'shipment.tracking.updated',
          externalId: 'id',
          data: {
            channel: { value: 'web' },
            externalOrderId: 'order',
            externalShipmentId: 'id',
            status: { expr: 'state', map: 'status' },
            tracking: {
              fields: { number: 'tracking', company: { expr: 'carrier', optional: true }, url: { expr: 'url', default: 'https://track.example/x' } },
            },
          },
        },
      },
    });
    const [event] = await mapPayload(compiled, { id: 'S1', order: 'O1', state: 'SHIPPED', tracking: '1Z' }, run('t'));
    expect(event!.data).toEqual({
      channel: 'web',
      externalOrderId: 'O1',
      externalShipmentId: 'S1',
      status: 'shipped',
      tracking: { number: '1Z', url: 'https://track.example/x' },
    });
    const err = (await mapPayload(compiled, { id: 'S1', state: 'LOST' }, run('t')).catch((e: unknown) => e)) as MappingError;
    expect(err.issues.map((i) => [i.code, i.field])).toEqual([
      ['missing_field', 'data.externalOrderId'],
      ['unmapped_status', 'data.status'],
      ['missing_field', 'data.tracking.number'],
    ]);
    expect(err.issues[0]!.message).toContain('(rule: expr "order")');
  });

  it('falls back to the catalogue when there is no SKU map, and rejects a bad expression at config load', async () => {
    const compiled = compile({ ...settings, skuMap: undefined, events: { r: { ...receipt, data: { ...receipt.data, delta: 'qty' } } } });
    const [event] = await mapPayload(compiled, { ...body, lines: [{ item: 'TEE-BLK-M', qty: 2 }] }, run('r'));
    expect(event!.data).toMatchObject({ sku: 'TEE-BLK-M', delta: 2 });
    const parsed = MappingSettingsSchema.safeParse({ events: { r: { ...receipt, externalId: 'receipt_id +' } } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toMatch(/invalid JSONata expression "receipt_id \+"/);
  });

  it('loads a 10,000-row SKU map from CSV relative to the config directory and looks SKUs up by hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skumap-'));
    const rows = ['acme_item,erp_sku,units'];
    for (let i = 0; i < 10_000; i++) rows.push(`A-${i},SKU-${i},${i % 2 === 0 ? '' : 6}`);
    writeFileSync(join(dir, 'skus.csv'), rows.join('\n'));
    const compiled = compile({ ...settings, skuMap: { csv: 'skus.csv', columns: { external: 'acme_item', sku: 'erp_sku', packSize: 'units' } } }, dir);
    expect(compiled.skus).toBeInstanceOf(Map);
    expect(compiled.skus!.size).toBe(10_000);
    expect(compiled.skus!.get('A-9999')).toEqual({ sku: 'SKU-9999', packSize: 6 });
    const [event] = await mapPayload(compiled, { ...body, lines: [{ item: 'A-7777', qty: 2 }] }, run('receipt_notice'));
    expect(event!.data).toMatchObject({ sku: 'SKU-7777', delta: 12 });
    writeFileSync(join(dir, 'bad.csv'), 'acme_item,erp_sku\nX,\n');
    expect(() => compile({ skuMap: { csv: 'bad.csv', columns: { external: 'acme_item', sku: 'erp_sku' } } }, dir)).toThrow(/bad.csv line 2/);
  });
});
