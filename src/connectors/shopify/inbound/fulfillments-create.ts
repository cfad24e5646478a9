import type { MappingIssue } from '../../../core/errors.js';
import { type CanonicalEventInput, type ShipmentLine, TrackingSchema } from '../../../core/model/index.js';
import type { Normalizer } from '../../types.js';
import type { ShopifyConfig } from '../config.js';
import { type ShopifyFulfillmentWebhook, ShopifyFulfillmentWebhookSchema } from '../shapes.js';
import { assertMapped, envelope, finalize, parseShape, toUtc } from '../../http/normalize.js';
import { type ShopifyContext, lookupLocation, mapLineSku } from './common.js';

const TOPIC = 'fulfillments/create';

/** Statuses of a fulfilment whose goods have left; `pending`/`open` ones have not, `cancelled`/`error`/`failure` never will. */
const SHIPPED_STATUSES = new Set(['success']);

/**
 * fulfillments/create → `shipment.confirmed` at the hub location mapped from `location_id`.
 * Acknowledged without events when `settings.ingestFulfillments` is false (the hub is the
 * fulfilment source and this is Shopify's echo) or when the fulfilment has not shipped.
 * https://shopify.dev/docs/api/admin-rest/latest/resources/fulfillment
 */
export const normalizeFulfillmentCreate: Normalizer<ShopifyConfig> = (body, ctx) => {
  const fulfillment = parseShape(ShopifyFulfillmentWebhookSchema, body, ctx, TOPIC);
  const issues: MappingIssue[] = [];
  const event = shipmentOf(fulfillment, ctx, TOPIC, issues);
  assertMapped(issues, ctx);
  return event ? finalize([event], ctx, TOPIC) : [];
};

/**
 * The `shipment.confirmed` of one fulfilment (from fulfillments/create, or embedded in an order
 * snapshot), or null when it has not shipped, moves no stock, or fulfilments are not ingested.
 * Its key is the fulfilment id whichever topic brings it, so the second one is a duplicate.
 * `skuOf` names a line's SKU from the order when the caller knows it: `null` for a line that moves
 * no stock (a custom item), skipped; undefined to map the line's own SKU.
 */
export function shipmentOf(
  fulfillment: ShopifyFulfillmentWebhook,
  ctx: ShopifyContext,
  topic: string,
  issues: MappingIssue[],
  skuOf: (lineId: string) => string | null | undefined = () => undefined,
  field = '',
): CanonicalEventInput | null {
  if (ctx.config.settings.ingestFulfillments === false) return null;
  if (fulfillment.status && !SHIPPED_STATUSES.has(fulfillment.status)) return null;
  const before = issues.length;
  const lines: ShipmentLine[] = [];
  fulfillment.line_items.forEach((item, i) => {
    const known = skuOf(item.id);
    if (known === null || item.quantity <= 0) return;
    const where = `${topic} ${field ? `fulfillment ${fulfillment.id} ` : ''}line ${i + 1} (externalLineId ${item.id})`;
    const sku = known ?? mapLineSku(ctx, item, where, `${field}line_items[${i}].sku`, issues);
    if (sku !== null) lines.push({ externalLineId: item.id, sku, quantity: item.quantity });
  });
  const location = mapLocation(fulfillment, ctx, topic, field, issues);
  if (issues.length > before || lines.length === 0) return null;
  const version = toUtc(fulfillment.updated_at ?? fulfillment.created_at);
  const shippedAt = toUtc(fulfillment.created_at);
  const tracking = trackingOf(fulfillment);
  return {
    ...envelope(ctx, topic, 'shipment.confirmed', fulfillment.id, version, `shipment:${fulfillment.id}`),
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
}

function mapLocation(fulfillment: ShopifyFulfillmentWebhook, ctx: ShopifyContext, topic: string, field: string, issues: MappingIssue[]): string | null {
  const id = fulfillment.location_id;
  if (!id) {
    issues.push({
      code: 'missing_field',
      field: `${field}location_id`,
      value: null,
      message: `${topic} ${field ? 'fulfillment ' : ''}${fulfillment.id} has no location_id`,
    });
    return null;
  }
  const location = lookupLocation(ctx, id);
  if (location === null) {
    issues.push({
      code: 'unmapped_location',
      field: `${field}location_id`,
      value: id,
      message: `${topic} ${field ? 'fulfillment ' : ''}${fulfillment.id}: Shopify location ${id} is not mapped to a hub location`,
    });
  }
  return location;
}

/** The first tracking number and URL (singular or list form), with the carrier. */
function trackingOf(fulfillment: ShopifyFulfillmentWebhook) {
  const number = (fulfillment.tracking_number ?? fulfillment.tracking_numbers?.[0])?.trim();
  if (!number) return undefined;
  const url = (fulfillment.tracking_url ?? fulfillment.tracking_urls?.[0])?.trim();
  return {
    number,
    ...(fulfillment.tracking_company ? { company: fulfillment.tracking_company } : {}),
    // A malformed carrier URL is dropped rather than failing the shipment.
    ...(url && TrackingSchema.shape.url.safeParse(url).success ? { url } : {}),
  };
}
