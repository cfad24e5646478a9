import { z } from 'zod';
import { MoneySchema, PositiveQuantitySchema, SkuSchema } from './primitives.js';

/** One component of a bundle or kit: `quantity` units of `sku` per bundle sold. */
export const BundleComponentSchema = z.object({
  sku: SkuSchema,
  quantity: PositiveQuantitySchema,
});
export type BundleComponent = z.infer<typeof BundleComponentSchema>;

/** A sellable SKU. A bundle has components and holds no stock of its own. */
export const ProductSchema = z.object({
  sku: SkuSchema,
  title: z.string().default(''),
  barcode: z.string().optional(),
  price: MoneySchema.optional(),
  active: z.boolean().default(true),
  components: z.array(BundleComponentSchema).default([]).describe('Non-empty for a bundle or kit'),
  /** Identifiers of this SKU in external systems, e.g. `{ "shopify-us": { "variantId": "123" } }`. */
  externalIds: z.record(z.string(), z.record(z.string(), z.string())).default({}),
});
export type Product = z.infer<typeof ProductSchema>;
