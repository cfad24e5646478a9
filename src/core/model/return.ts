import { z } from 'zod';
import { ExternalIdSchema, IsoUtcSchema, PositiveQuantitySchema, SkuSchema, SlugSchema } from './primitives.js';

/** What happens to returned goods: back to stock, held for inspection, or written off. */
export const RETURN_DISPOSITIONS = ['restock', 'quarantine', 'scrap'] as const;
export const ReturnDispositionSchema = z.enum(RETURN_DISPOSITIONS);
export type ReturnDisposition = z.infer<typeof ReturnDispositionSchema>;

export const ReturnLineSchema = z.object({
  externalLineId: ExternalIdSchema.optional(),
  sku: SkuSchema,
  quantity: PositiveQuantitySchema,
  disposition: ReturnDispositionSchema,
});
export type ReturnLine = z.infer<typeof ReturnLineSchema>;

/** Goods received back at `location`. */
export const ReturnSchema = z.object({
  externalReturnId: ExternalIdSchema,
  channel: SlugSchema,
  externalOrderId: ExternalIdSchema.optional(),
  location: SlugSchema,
  receivedAt: IsoUtcSchema,
  lines: z.array(ReturnLineSchema).min(1, 'a return needs at least one line'),
});
export type Return = z.infer<typeof ReturnSchema>;
