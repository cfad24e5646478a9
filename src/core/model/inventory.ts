import { z } from 'zod';
import { DeltaSchema, SkuSchema, SlugSchema, StoredIntSchema } from './primitives.js';

/** The states stock can be in at a location. `available = onHand - allocated - quarantined`. */
export const INVENTORY_STATES = ['onHand', 'allocated', 'inTransit', 'quarantined', 'returned'] as const;
export const InventoryStateSchema = z.enum(INVENTORY_STATES);
export type InventoryState = z.infer<typeof InventoryStateSchema>;

/** Balances of one SKU at one location, one integer per state. */
export const InventoryBalanceSchema = z.object({
  sku: SkuSchema,
  location: SlugSchema,
  onHand: StoredIntSchema,
  allocated: StoredIntSchema,
  inTransit: StoredIntSchema,
  quarantined: StoredIntSchema,
  returned: StoredIntSchema,
});
export type InventoryBalance = z.infer<typeof InventoryBalanceSchema>;

/** Which figure a report gives: a channel's sellable `available`, or a warehouse's `onHand` count. */
export const REPORTED_FIGURES = ['available', 'onHand'] as const;
export const ReportedFigureSchema = z.enum(REPORTED_FIGURES);
export type ReportedFigure = z.infer<typeof ReportedFigureSchema>;

/**
 * "SKU X at location L is N": a count reported by a warehouse, a 3PL or a channel, as the reporter
 * said it. The quantity is signed: a channel may report its `available` below zero (oversold, e.g.
 * Shopify's `available` after sales beyond stock); every other figure is a count of units and is
 * never negative.
 */
export const InventoryLevelSchema = z
  .object({
    sku: SkuSchema,
    location: SlugSchema,
    /** The ledger state a warehouse count sets; a channel report leaves the ledger alone. */
    state: InventoryStateSchema.default('onHand'),
    quantity: DeltaSchema.describe("The figure as reported, signed: only a channel's `available` may be below zero"),
    /** Who is reporting: a warehouse's count is truth, a channel's count is only compared. */
    reporter: z.enum(['warehouse', 'channel']).default('warehouse'),
    /**
     * Which figure `quantity` is: a channel's `available` (what it will sell; negative when
     * oversold) or an `onHand` count. Default: `available` for a channel, `onHand` for a warehouse.
     */
    figure: ReportedFigureSchema.optional(),
    /** The hub channel whose count this is (channel reports), so views can show it beside that channel's availableToSell. */
    channel: SlugSchema.optional(),
  })
  .superRefine((d, ctx) => {
    if (d.reporter === 'warehouse' && d.figure === 'available') {
      ctx.addIssue({ code: 'custom', path: ['figure'], message: "a warehouse reports a count of units (onHand), not a channel's available" });
    }
    const figure = d.figure ?? (d.reporter === 'channel' ? 'available' : 'onHand');
    if (d.quantity < 0 && !(d.reporter === 'channel' && figure === 'available')) {
      ctx.addIssue({ code: 'custom', path: ['quantity'], message: "must not be negative: only a channel's available can be below zero (oversold)" });
    }
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
