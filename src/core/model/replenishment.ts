import { z } from 'zod';
import { PositiveQuantitySchema, QuantitySchema, SkuSchema, SlugSchema } from './primitives.js';

/** A reorder point per SKU and location: below it, the ERP core records one replenishment suggestion. */
export const ReplenishmentRuleSchema = z.strictObject({
  sku: SkuSchema,
  location: SlugSchema.describe('Location whose available stock is watched'),
  reorderPoint: QuantitySchema.describe('Suggest a reorder once available falls below this many units'),
  reorderQuantity: PositiveQuantitySchema.describe('Units to reorder when the suggestion is made'),
});
export type ReplenishmentRule = z.infer<typeof ReplenishmentRuleSchema>;
