import { z } from 'zod';
import { InventoryAdjustmentSchema, InventoryLevelSchema } from './inventory.js';
import { OrderSchema } from './order.js';
import { ProductSchema } from './product.js';
import { ShipmentSchema, TrackingSchema } from './shipment.js';
import { ReturnSchema } from './return.js';
import { RefundSchema } from './refund.js';
import { InvoicePaymentSchema, InvoiceSchema } from './invoice.js';
import { CurrencySchema, ExternalIdSchema, IsoUtcSchema, MoneySchema, SlugSchema } from './primitives.js';

/** Where an event came from. `version` orders events about one entity (e.g. Shopify `updated_at`). */
export const EventSourceSchema = z.object({
  connector: SlugSchema.describe('Connector instance id, e.g. "shopify-us"'),
  connectorType: z.string().min(1).describe('Connector type, e.g. "shopify"'),
  externalId: ExternalIdSchema.describe('Id of the entity in the source system'),
  version: z.string().nullable().default(null).describe('Source version of the entity (an ISO instant or a counter); older versions never overwrite newer'),
});
export type EventSource = z.infer<typeof EventSourceSchema>;

/**
 * A cancellation. The optional order facts (number, currency, totals, placement) are what the
 * payload says about the order: when the hub has not seen the order yet (a cancellation that
 * overtook its creation), it records the cancelled order with them rather than with placeholders.
 */
export const OrderCancelledDataSchema = z.object({
  channel: SlugSchema,
  externalOrderId: ExternalIdSchema,
  cancelledAt: IsoUtcSchema,
  reason: z.string().optional(),
  orderNumber: z.string().min(1).optional().describe('The order number people use, e.g. "#1002"'),
  currency: CurrencySchema.optional(),
  total: MoneySchema.optional().describe('The original order total'),
  placedAt: IsoUtcSchema.optional(),
});

/**
 * A request to cancel (a buyer's, say) that the channel has not carried out: recorded and shown to
 * operators, never applied as a cancellation.
 */
export const OrderCancellationRequestedDataSchema = z.object({
  channel: SlugSchema,
  externalOrderId: ExternalIdSchema,
  requestedAt: IsoUtcSchema,
  requestedBy: z.enum(['buyer', 'marketplace', 'seller']),
  reason: z.string().optional(),
});

/**
 * A carrier's news about a shipment. The shipment is named by `channel` + `externalShipmentId`,
 * or, when the reporter cannot know them (a carrier tracker created from a tracking code), by
 * `tracking.number` and `tracking.company` alone.
 */
export const ShipmentTrackingUpdatedDataSchema = z
  .object({
    channel: SlugSchema.optional(),
    externalOrderId: ExternalIdSchema.optional(),
    externalShipmentId: ExternalIdSchema.optional(),
    tracking: TrackingSchema,
    status: z.string().optional().describe("The package's status as the carrier reports it; `delivered` once delivered"),
  })
  .refine((d) => (d.channel !== undefined && d.externalShipmentId !== undefined) || (d.channel === undefined && d.externalShipmentId === undefined), {
    message: 'give channel with externalShipmentId, or neither (join on tracking number and company)',
    path: ['externalShipmentId'],
  });

/** Payload schema of every canonical event type. */
export const EVENT_DATA_SCHEMAS = {
  'order.upserted': OrderSchema,
  'order.cancelled': OrderCancelledDataSchema,
  'order.cancellation.requested': OrderCancellationRequestedDataSchema,
  'inventory.level.reported': InventoryLevelSchema,
  'inventory.adjusted': InventoryAdjustmentSchema,
  'shipment.confirmed': ShipmentSchema,
  'shipment.tracking.updated': ShipmentTrackingUpdatedDataSchema,
  'return.received': ReturnSchema,
  'refund.created': RefundSchema,
  'invoice.posted': InvoiceSchema,
  'invoice.payment.recorded': InvoicePaymentSchema,
  'product.upserted': ProductSchema,
} as const;

export type EventType = keyof typeof EVENT_DATA_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_DATA_SCHEMAS) as EventType[];

const envelope = {
  id: z.string().min(1).describe('Unique id of this canonical event'),
  idempotencyKey: z.string().min(1).describe('Applying two events with the same key changes the ledger once'),
  source: EventSourceSchema,
  occurredAt: IsoUtcSchema,
};

function eventSchema<T extends EventType>(type: T) {
  return z.object({ ...envelope, type: z.literal(type), data: EVENT_DATA_SCHEMAS[type] });
}

/** The envelope every connector produces and the ERP core applies, discriminated on `type`. */
export const CanonicalEventSchema = z.discriminatedUnion('type', [
  eventSchema('order.upserted'),
  eventSchema('order.cancelled'),
  eventSchema('order.cancellation.requested'),
  eventSchema('inventory.level.reported'),
  eventSchema('inventory.adjusted'),
  eventSchema('shipment.confirmed'),
  eventSchema('shipment.tracking.updated'),
  eventSchema('return.received'),
  eventSchema('refund.created'),
  eventSchema('invoice.posted'),
  eventSchema('invoice.payment.recorded'),
  eventSchema('product.upserted'),
]);
export type CanonicalEvent = z.infer<typeof CanonicalEventSchema>;
export type CanonicalEventInput = z.input<typeof CanonicalEventSchema>;
export type EventOf<T extends EventType> = Extract<CanonicalEvent, { type: T }>;
