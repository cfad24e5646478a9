import { describe, expect, it } from 'vitest';
import { MappingError } from '../../src/core/errors.js';
import { applyChannelRules } from '../../src/core/erp/availability.js';
import { ChannelSchema } from '../../src/core/model/index.js';
import { mapPayload, prepareMappings } from '../../src/mappings/engine.js';
import { createMappingLookup } from '../../src/mappings/lookup.js';
import { MappingSettingsSchema } from '../../src/mappings/schema.js';

/** Keys every plain object inherits or treats specially. */
export const PROTOTYPE_KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

const lookup = createMappingLookup({ skus: new Set(['SKU-1']), external: new Map(), locations: { RNO: 'wh-west' } });
const run = { connectorId: 'acme', connectorType: 'generic-webhook', eventName: 'stock', receivedAt: '2026-01-01T00:00:00.000Z', lookup };

const compiled = prepareMappings(
  MappingSettingsSchema.parse({
    locations: { RNO: 'wh-west' },
    statusMap: { open: 'pending' },
    valueMaps: { state: { values: { OK: 'onHand' } } },
    events: {
      stock: {
        type: 'inventory.adjusted',
        externalId: 'id',
        data: {
          sku: { value: 'SKU-1' },
          location: { expr: 'site', map: 'location' },
          state: { expr: 'cond', map: 'state' },
          delta: { value: 1 },
          reason: { value: 'r' },
        },
      },
      order: {
        type: 'order.cancelled',
        externalId: 'id',
        data: { channel: { value: 'web' }, externalOrderId: 'id', cancelledAt: { value: '2026-01-01T00:00:00.000Z' }, reason: { expr: 'st', map: 'status' } },
      },
    },
  }),
  process.cwd(),
);

describe('lookups keyed by payload data ignore inherited members', () => {
  it.each(PROTOTYPE_KEYS)('location map: "%s" is an unmapped location', (key) => {
    expect(lookup.location(key)).toBeNull();
  });

  it.each(PROTOTYPE_KEYS)('mapping engine: "%s" as a location, value-map value, status or event name is a mapping error', async (key) => {
    const loc = await mapPayload(compiled, { id: '1', site: key, cond: 'OK' }, run).catch((e: unknown) => e);
    expect(loc).toBeInstanceOf(MappingError);
    expect((loc as MappingError).issues.map((i) => i.code)).toEqual(['unmapped_location']);
    const value = await mapPayload(compiled, { id: '1', site: 'RNO', cond: key }, run).catch((e: unknown) => e);
    expect((value as MappingError).issues.map((i) => i.code)).toEqual(['unmapped_value']);
    const status = await mapPayload(compiled, { id: '1', st: key }, { ...run, eventName: 'order' }).catch((e: unknown) => e);
    expect((status as MappingError).issues.map((i) => i.code)).toEqual(['unmapped_status']);
    const topic = await mapPayload(compiled, { id: '1' }, { ...run, eventName: key }).catch((e: unknown) => e);
    expect(topic).toBeInstanceOf(MappingError);
  });

  it.each(PROTOTYPE_KEYS)('channel rules: SKU "%s" takes the channel safety stock, not an inherited member', (key) => {
    const channel = ChannelSchema.parse({ id: 'web', locations: ['wh'], safetyStock: 2, skuSafetyStock: { 'GIFT-CARD': 0 } });
    expect(applyChannelRules(10, channel, key)).toBe(8);
  });
});

describe("connectors' own lookups keyed by payload data", () => {
  it.each(PROTOTYPE_KEYS)('carrier names: "%s" is kept as written, not an inherited member', async (key) => {
    const { hubCarrier } = await import('../../src/connectors/easypost/carriers.js');
    const { carrierName } = await import('../../src/connectors/shipstation/carriers.js');
    expect(hubCarrier(key)).toBe(key);
    expect(carrierName(key)).toBe(key);
  });

  it.each(PROTOTYPE_KEYS.filter((k) => /^[a-z]+$/.test(k)))('QuickBooks notifications: entity and operation "%s" stay strings', async (key) => {
    const { readNotification } = await import('../../src/connectors/quickbooks/inbound/notification.js');
    const body = [
      {
        specversion: '1.0',
        id: 'x',
        source: 'intuit.abc',
        type: `qbo.${key}.${key}.v1`,
        datacontenttype: 'application/json',
        time: '2026-03-02T18:15:00Z',
        intuitentityid: '1',
        intuitaccountid: 'R',
        data: {},
      },
    ];
    const refs = readNotification(body, 'R', 'qbo');
    for (const ref of refs) {
      expect(typeof ref.entity).toBe('string');
      expect(typeof ref.operation).toBe('string');
    }
  });
});
