import { z } from 'zod';
import { DeltaSchema, QuantitySchema, SkuSchema, SlugSchema } from './primitives.js';

/** The states stock can be in at a location. `available = onHand - allocated - quarantined`. */
export const INVENTORY_STATES = ['onHand', 'allocated', 'inTransit', 'quarantined', 'returned'] as const;
export const InventoryStateSchema = z.enum(INVENTORY_STATES);
export type InventoryState = z.infer<typeof InventoryStateSchema>;

/** Balances of one SKU at one location, one integer per state. */
export const InventoryBalanceSchema = z.object({
  sku: SkuSchema,
  location: SlugSchema,
  onHand: z.number().int(),
  allocated: z.number().int(),
  inTransit: z.number().int(),
  quarantined: z.number().int(),
  returned: z.number().int(),
});
export type InventoryBalance = z.infer<typeof InventoryBalanceSchema>;

/** "SKU X at location L is N": a count reported by a warehouse, a 3PL or a channel. */
export const InventoryLevelSchema = z.object({
  sku: SkuSchema,
  location: SlugSchema,
  state: InventoryStateSchema.default('onHand'),
  quantity: QuantitySchema,
  /** Who is reporting: a warehouse's count is truth, a channel's count is only compared. */
  reporter: z.enum(['warehouse', 'channel']).default('warehouse'),
});
export type InventoryLevel = z.infer<typeof InventoryLevelSchema>;

/** A delta applied to one state with its reason. */
export const InventoryAdjustmentSchema = z.object({
  sku: SkuSchema,
  location: SlugSchema,
  state: InventoryStateSchema.default('onHand'),
  delta: DeltaSchema.refine((n) => n !== 0, 'must not be zero'),
  reason: z.string().min(1),
});
export type InventoryAdjustment = z.infer<typeof InventoryAdjustmentSchema>;
