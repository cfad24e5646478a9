import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MappingError, ValidationError } from '../../core/errors.js';
import type { NormalizeContext } from '../types.js';
import { ShipStationConfigSchema, type ShipStationConfig } from './config.js';
import { normalizeShipments } from './inbound/shipments.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as { body: Record<string, unknown> };

const TEST_CONFIG: ShipStationConfig = ShipStationConfigSchema.parse({
  settings: { locations: { '16079': 'wh-east' } },
  credentials: { apiKey: 'key', apiSecret: 'secret', webhookToken: 'tok-0123456789abcdef' },
});

const SKUS = new Set(['TEE-M', 'CAP']);
function ctx(config: ShipStationConfig = TEST_CONFIG): NormalizeContext<ShipStationConfig> {
  return {
    connectorId: 'ss-main',
    connectorType: 'shipstation',
    config,
    receivedAt: '2026-07-14T18:00:00.000Z',
    delivery: { dedupKey: '', topic: 'shipments' },
    lookup: {
      sku: (ref) => (ref.sku && SKUS.has(ref.sku) ? ref.sku : null),
      location: (id) => config.settings.locations[id] ?? null,
    },
  };
}

describe('shipstation shipments normalizer', () => {
  it('confirms a shipped label with carrier, service and tracking, at the warehouse it left, in UTC', () => {
    const events = normalizeShipments(fixture('api/shipments-page.json').body, ctx());
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      type: 'shipment.confirmed',
      idempotencyKey: 'ss-main:shipment:33974374',
      source: { connector: 'ss-main', connectorType: 'shipstation', externalId: '33974374', version: '2026-07-14T16:51:33.627Z' },
      data: {
        externalShipmentId: '33974374',
        channel: 'web',
        externalOrderId: '1001',
        location: 'wh-east',
        shippedAt: '2026-07-14T16:51:33.627Z',
        lines: [
          { externalLineId: 'L1', sku: 'TEE-M', quantity: 2 },
          { externalLineId: 'L2', sku: 'CAP', quantity: 1 },
        ],
        tracking: { number: '9400111899561704681189', company: 'USPS', service: 'usps_priority_mail' },
      },
    });
  });

  it('leaves out a voided label and a shipment of an order the hub did not push', () => {
    const body = fixture('api/shipments-page.json').body as { shipments: { shipmentId: number }[] };
    const ids = normalizeShipments(body, ctx()).map((e) => e.source.externalId);
    expect(ids).not.toContain('33974375');
    expect(ids).not.toContain('33974376');
    const voidedOnly = { shipments: body.shipments.filter((s) => s.shipmentId === 33974375) };
    expect(normalizeShipments(voidedOnly, ctx())).toEqual([]);
  });

  it('gives the same events for the same page (replay-safe ids)', () => {
    const body = fixture('api/shipments-page.json').body;
    expect(normalizeShipments(body, ctx())).toEqual(normalizeShipments(body, ctx()));
  });

  it('names every unknown SKU and unmapped warehouse with its field path', () => {
    const body = fixture('api/shipments-page.json').body as { shipments: Record<string, unknown>[] };
    const first = { ...body.shipments[0]!, warehouseId: 999, shipmentItems: [{ lineItemKey: 'L1', sku: 'NOPE', quantity: 1 }] };
    const err = (() => {
      try {
        normalizeShipments({ shipments: [first] }, ctx());
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MappingError);
    const fields = (err as MappingError).issues.map((i) => [i.code, i.field]);
    expect(fields).toEqual([
      ['unmapped_location', 'shipments[0].warehouseId'],
      ['unknown_sku', 'shipments[0].shipmentItems[0].sku'],
    ]);
    expect((err as MappingError).message).toContain('ss-main');
  });

  it('refuses a shipment read without its items rather than confirming an empty shipment', () => {
    const body = fixture('api/shipments-page.json').body as { shipments: Record<string, unknown>[] };
    const bare = { ...body.shipments[0]!, shipmentItems: null };
    expect(() => normalizeShipments({ shipments: [bare] }, ctx())).toThrow(ValidationError);
    try {
      normalizeShipments({ shipments: [bare] }, ctx());
    } catch (e) {
      expect((e as ValidationError).field).toBe('shipments[0].shipmentItems');
    }
  });

  it('rejects a body that is not a shipments page with the field path', () => {
    try {
      normalizeShipments({ shipments: [{ shipmentId: 1 }] }, ctx());
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).field).toBe('shipments[0].createDate');
    }
  });

  it('reads timestamps in the configured source zone', () => {
    const berlin = ShipStationConfigSchema.parse({ ...TEST_CONFIG, settings: { ...TEST_CONFIG.settings, sourceTimeZone: 'Europe/Berlin' } });
    const [event] = normalizeShipments(fixture('api/shipments-page.json').body, ctx(berlin));
    expect(event?.occurredAt).toBe('2026-07-14T07:51:33.627Z');
  });
});
