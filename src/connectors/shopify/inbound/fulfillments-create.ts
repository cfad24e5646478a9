import type { MappingIssue } from '../../../core/errors.js';
import { type CanonicalEventInput, type ShipmentLine, TrackingSchema } from '../../../core/model/index.js';
import type { Normalizer } from '../../types.js';
import type { ShopifyConfig } from '../config.js';
import { type ShopifyFulfillmentWebhook, ShopifyFulfillmentWebhookSchema } from '../shapes.js';
import { type ShopifyContext, assertMapped, envelope, finalize, lookupLocation, mapLineSku, parseShape, toUtc } from './common.js';

const TOPIC = 'fulfillments/create';

/** Statuses of a fulfilment whose goods have left; `pending`/`open` ones have not, `cancelled`/`error`/`failure` never will. */
const SHIPPED_STATUSES = new Set(['success']);

/**
 * fulfillments/create → `shipment.confirmed` at the hub location mapped from `location_id`.
 * Acknowledged without events when `settings.ingestFulfillments` is false (the hub is the
 * fulfilment source and this is Shopify's echo) or when the fulfilment has not shipped.
 * https://shopify.dev/docs/api/admin-rest/2025-07/resources/fulfillment
 */
export const normalizeFulfillmentCreate: Normalizer<ShopifyConfig> = (body, ctx) => {
  const fulfillment = parseShape(ShopifyFulfillmentWebhookSchema, body, ctx, TOPIC);
  if (ctx.config.settings.ingestFulfillments === false) return [];
  if (fulfillment.status && !SHIPPED_STATUSES.has(fulfillment.status)) return [];

  const issues: MappingIssue[] = [];
  const location = mapLocation(fulfillment, ctx, issues);
  const lines = mapLines(fulfillment, ctx, issues);
  assertMapped(issues, ctx);

  const version = toUtc(fulfillment.updated_at ?? fulfillment.created_at);
  const shippedAt = toUtc(fulfillment.created_at);
  const tracking = trackingOf(fulfillment);
  const event: CanonicalEventInput = {
    ...envelope(ctx, TOPIC, 'shipment.confirmed', fulfillment.id, version, `shipment:${fulfillment.id}`),
    type: 'shipment.confirmed',
    occurredAt: shippedAt,
    data: {
      externalShipmentId: fulfillment.id,
      channel: ctx.config.settings.channel,
      externalOrderId: fulfillment.order_id,
      location: location ?? '',
      shippedAt,
      lines,
      ...(tracking ? { tracking } : {}),
    },
  };
  return finalize([event], ctx, TOPIC);
};

function mapLocation(fulfillment: ShopifyFulfillmentWebhook, ctx: ShopifyContext, issues: MappingIssue[]): string | null {
  const id = fulfillment.location_id;
  if (!id) {
    issues.push({ code: 'missing_field', field: 'location_id', value: null, message: `${TOPIC} ${fulfillment.id} has no location_id` });
    return null;
  }
  const location = lookupLocation(ctx, id);
  if (location === null) {
    issues.push({ code: 'unmapped_location', field: 'location_id', value: id, message: `${TOPIC} ${fulfillment.id}: Shopify location ${id} is not mapped to a hub location` });
  }
  return location;
}

function mapLines(fulfillment: ShopifyFulfillmentWebhook, ctx: ShopifyContext, issues: MappingIssue[]): ShipmentLine[] {
  const lines: ShipmentLine[] = [];
  fulfillment.line_items.forEach((item, i) => {
    const sku = mapLineSku(ctx, item, `${TOPIC} line ${i + 1} (externalLineId ${item.id})`, `line_items[${i}].sku`, issues);
    if (sku !== null) lines.push({ externalLineId: item.id, sku, quantity: item.quantity });
  });
  return lines;
}

function trackingOf(fulfillment: ShopifyFulfillmentWebhook) {
  const number = fulfillment.tracking_number?.trim();
  if (!number) return undefined;
  const url = fulfillment.tracking_url?.trim();
  return {
    number,
    ...(fulfillment.tracking_company ? { company: fulfillment.tracking_company } : {}),
    // A malformed carrier URL is dropped rather than failing the shipment.
    ...(url && TrackingSchema.shape.url.safeParse(url).success ? { url } : {}),
  };
}
