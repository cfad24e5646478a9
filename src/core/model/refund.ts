import { z } from 'zod';
import { ExternalIdSchema, IsoUtcSchema, MoneySchema, PositiveQuantitySchema, SkuSchema, SlugSchema } from './primitives.js';

export const RefundLineSchema = z.object({
  externalLineId: ExternalIdSchema.optional(),
  sku: SkuSchema.nullable(),
  quantity: PositiveQuantitySchema,
  amount: MoneySchema,
});
export type RefundLine = z.infer<typeof RefundLineSchema>;

/** Money given back to a customer; moves no stock (a restock is a `return.received`). */
export const RefundSchema = z.object({
  externalRefundId: ExternalIdSchema,
  channel: SlugSchema,
  externalOrderId: ExternalIdSchema,
  createdAt: IsoUtcSchema,
  amount: MoneySchema,
  reason: z.string().optional(),
  lines: z.array(RefundLineSchema).default([]),
});
export type Refund = z.infer<typeof RefundSchema>;
