import { z } from 'zod';
import { ExternalIdSchema, IsoUtcSchema, MoneySchema, PositiveQuantitySchema, SkuSchema, SlugSchema } from './primitives.js';

export const RefundLineSchema = z.object({
  externalLineId: ExternalIdSchema.optional(),
  sku: SkuSchema.nullable(),
  quantity: PositiveQuantitySchema,
  amount: MoneySchema,
});
export type RefundLine = z.infer<typeof RefundLineSchema>;

/** Units of an order line taken off the order by the refund before they shipped. */
export const RefundCancelledLineSchema = z.object({
  externalLineId: ExternalIdSchema,
  quantity: PositiveQuantitySchema,
});
export type RefundCancelledLine = z.infer<typeof RefundCancelledLineSchema>;

/**
 * Money given back to a customer; moves no stock (a restock is a `return.received`). Units it
 * cancelled before fulfilment (`cancelledLines`) no longer need a reservation: the ERP releases it.
 */
export const RefundSchema = z.object({
  externalRefundId: ExternalIdSchema,
  channel: SlugSchema,
  externalOrderId: ExternalIdSchema,
  createdAt: IsoUtcSchema,
  amount: MoneySchema,
  reason: z.string().optional(),
  lines: z.array(RefundLineSchema).default([]),
  cancelledLines: z
    .array(RefundCancelledLineSchema)
    .optional()
    .describe('Unfulfilled units the refund removed from the order (Shopify restock type `cancel`): their reservation is released at once'),
});
export type Refund = z.infer<typeof RefundSchema>;
