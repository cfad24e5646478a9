import { z } from 'zod';
import { ExternalIdSchema, IsoUtcSchema, PositiveQuantitySchema, SkuSchema, SlugSchema } from './primitives.js';

export const ShipmentLineSchema = z.object({
  externalLineId: ExternalIdSchema.optional(),
  sku: SkuSchema,
  quantity: PositiveQuantitySchema,
});
export type ShipmentLine = z.infer<typeof ShipmentLineSchema>;

export const TrackingSchema = z.object({
  number: z.string().min(1),
  company: z.string().optional(),
  service: z.string().optional().describe('Carrier service level as the shipper named it, e.g. "usps_priority_mail"'),
  url: z.url().optional(),
});
export type Tracking = z.infer<typeof TrackingSchema>;

/** Goods that left `location` for an order. */
export const ShipmentSchema = z.object({
  externalShipmentId: ExternalIdSchema,
  channel: SlugSchema,
  externalOrderId: ExternalIdSchema,
  location: SlugSchema,
  shippedAt: IsoUtcSchema,
  lines: z.array(ShipmentLineSchema).min(1, 'a shipment needs at least one line'),
  tracking: TrackingSchema.optional(),
});
export type Shipment = z.infer<typeof ShipmentSchema>;
