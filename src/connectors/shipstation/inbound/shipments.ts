import { type MappingIssue, ValidationError } from '../../../core/errors.js';
import type { CanonicalEventInput, ShipmentLine } from '../../../core/model/index.js';
import type { NormalizeContext, Normalizer } from '../../types.js';
import { carrierName } from '../carriers.js';
import { type ShipStationConfig, settingsOf } from '../config.js';
import { localToUtc } from '../dates.js';
import { parseOrderKey } from '../order-key.js';
import { type ShipStationShipment, ShipStationShipmentsPageSchema } from '../shapes.js';
import { assertMapped, eventId, finalize, mapSku, parseShape } from '../../http/normalize.js';

/** The topic of one GET /shipments page (backfill, `hub normalize shipstation shipments`, resolved SHIP_NOTIFY). */
export const SHIPMENTS_TOPIC = 'shipments';

type Ctx = NormalizeContext<ShipStationConfig>;

/**
 * One page of GET /shipments (with includeShipmentItems=true) → one `shipment.confirmed` per label,
 * with carrier, service and tracking. Left out, acknowledged: voided labels, return labels, and
 * shipments of orders the hub did not push (an orderKey that is not `<channel>/<externalOrderId>`).
 * https://www.shipstation.com/docs/api/shipments/list/
 */
export const normalizeShipments: Normalizer<ShipStationConfig> = (body, ctx) => {
  const page = parseShape(ShipStationShipmentsPageSchema, body, ctx, SHIPMENTS_TOPIC);
  const issues: MappingIssue[] = [];
  const events: CanonicalEventInput[] = [];
  page.shipments.forEach((shipment, i) => {
    const event = toEvent(shipment, `shipments[${i}]`, ctx, issues);
    if (event) events.push(event);
  });
  assertMapped(issues, ctx);
  return finalize(events, ctx, SHIPMENTS_TOPIC);
};

function toEvent(s: ShipStationShipment, path: string, ctx: Ctx, issues: MappingIssue[]): CanonicalEventInput | null {
  if (s.voided === true || s.isReturnLabel === true) return null;
  const order = parseOrderKey(s.orderKey);
  if (!order) return null;
  const shippedAt = localToUtc(s.createDate, settingsOf(ctx.config).sourceTimeZone);
  if (!shippedAt) {
    throw new ValidationError(`${ctx.connectorId}: shipment ${s.shipmentId}: createDate "${s.createDate}" is not a timestamp`, {
      connectorId: ctx.connectorId,
      step: 'normalize',
      field: `${path}.createDate`,
    });
  }
  if (!s.shipmentItems) {
    throw new ValidationError(`${ctx.connectorId}: shipment ${s.shipmentId} has no shipmentItems (read shipments with includeShipmentItems=true)`, {
      connectorId: ctx.connectorId,
      step: 'normalize',
      field: `${path}.shipmentItems`,
      code: 'missing_field',
    });
  }
  const location = mapLocation(s, path, ctx, issues);
  const lines = mapLines(s, path, ctx, issues);
  const number = s.trackingNumber?.trim();
  const tracking = number
    ? { number, ...(s.carrierCode ? { company: carrierName(s.carrierCode) } : {}), ...(s.serviceCode ? { service: s.serviceCode } : {}) }
    : undefined;
  return {
    id: eventId(ctx.connectorId, SHIPMENTS_TOPIC, s.shipmentId, shippedAt),
    type: 'shipment.confirmed',
    idempotencyKey: `${ctx.connectorId}:shipment:${s.shipmentId}`,
    source: { connector: ctx.connectorId, connectorType: ctx.connectorType, externalId: s.shipmentId, version: shippedAt },
    occurredAt: shippedAt,
    data: {
      externalShipmentId: s.shipmentId,
      channel: order.channel,
      externalOrderId: order.externalOrderId,
      location: location ?? '',
      shippedAt,
      lines,
      ...(tracking ? { tracking } : {}),
    },
  };
}

/** The shipment's Ship From warehouse, else the only location this 3PL serves. */
function mapLocation(s: ShipStationShipment, path: string, ctx: Ctx, issues: MappingIssue[]): string | null {
  const warehouseId = s.warehouseId ?? s.advancedOptions?.warehouseId ?? null;
  if (warehouseId === null) {
    const served = Object.values(settingsOf(ctx.config).locations);
    if (served.length === 1) return served[0]!;
    issues.push({
      code: 'missing_field',
      field: `${path}.warehouseId`,
      value: null,
      message: `shipment ${s.shipmentId} names no warehouseId and this 3PL serves ${served.length} locations`,
    });
    return null;
  }
  const location = ctx.lookup.location(warehouseId);
  if (location === null) {
    issues.push({
      code: 'unmapped_location',
      field: `${path}.warehouseId`,
      value: warehouseId,
      message: `shipment ${s.shipmentId}: ShipStation warehouse ${warehouseId} is not in settings.locations`,
    });
  }
  return location;
}

function mapLines(s: ShipStationShipment, path: string, ctx: Ctx, issues: MappingIssue[]): ShipmentLine[] {
  const lines: ShipmentLine[] = [];
  (s.shipmentItems ?? []).forEach((item, j) => {
    const sku = mapSku(ctx, { sku: item.sku }, { where: `shipment ${s.shipmentId} item ${j + 1}`, field: `${path}.shipmentItems[${j}].sku`, issues });
    if (sku === null) return;
    lines.push({ ...(item.lineItemKey ? { externalLineId: item.lineItemKey } : {}), sku, quantity: item.quantity });
  });
  return lines;
}
