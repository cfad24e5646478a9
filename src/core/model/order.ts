import { z } from 'zod';
import { CurrencySchema, ExternalIdSchema, IsoUtcSchema, MoneySchema, PositiveQuantitySchema, SkuSchema, SlugSchema } from './primitives.js';
import { personal } from './marks.js';

export const ORDER_STATUSES = ['pending', 'allocated', 'backordered', 'partially_shipped', 'shipped', 'cancelled', 'closed'] as const;
export const OrderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

/** Personal data (marked): masked for viewers wherever the hub shows a payload. */
export const AddressSchema = z.object({
  name: personal(z.string()).optional(),
  company: personal(z.string()).optional(),
  address1: personal(z.string()).optional(),
  address2: personal(z.string()).optional(),
  city: z.string().optional(),
  province: z.string().optional(),
  postalCode: personal(z.string()).optional(),
  country: z.string().optional(),
  phone: personal(z.string()).optional(),
});
export type Address = z.infer<typeof AddressSchema>;

export const CustomerSchema = z.object({
  externalId: ExternalIdSchema.optional(),
  email: personal(z.string()).optional(),
  name: personal(z.string()).optional(),
});
export type Customer = z.infer<typeof CustomerSchema>;

export const OrderLineSchema = z
  .object({
    externalLineId: ExternalIdSchema,
    /** ERP SKU after mapping; `null` when unmapped, with `skuUnmappedReason` saying why. */
    sku: SkuSchema.nullable(),
    skuUnmappedReason: z.string().optional(),
    quantity: PositiveQuantitySchema,
    /** Units of the line the channel says are fulfilled, when it says (shipments carry the stock effect). */
    fulfilledQuantity: z.number().int().nonnegative().optional(),
    unitPrice: MoneySchema,
    title: z.string().default(''),
  })
  .refine((line) => line.sku !== null || (line.skuUnmappedReason ?? '') !== '', {
    message: 'an unmapped line (sku null) must say why in skuUnmappedReason',
    path: ['skuUnmappedReason'],
  })
  .refine((line) => line.fulfilledQuantity === undefined || line.fulfilledQuantity <= line.quantity, {
    message: 'cannot exceed quantity',
    path: ['fulfilledQuantity'],
  });
export type OrderLine = z.infer<typeof OrderLineSchema>;

/** The same totals in the currency the buyer saw, when it differs from the shop's. */
export const PresentmentTotalsSchema = z.object({
  currency: CurrencySchema,
  subtotal: MoneySchema.optional(),
  discounts: MoneySchema.optional(),
  shipping: MoneySchema.optional(),
  tax: MoneySchema.optional(),
  total: MoneySchema,
});

/**
 * An order as a channel placed it. `status` is the hub's lifecycle state, set by the ERP core.
 * Money beside `total` is optional: a channel that does not say (a pending marketplace order has
 * no prices yet) leaves it out rather than writing zero.
 */
export const OrderSchema = z.object({
  channel: SlugSchema,
  externalOrderId: ExternalIdSchema,
  orderNumber: z.string().min(1),
  status: OrderStatusSchema.optional(),
  /** The channel's payment state as it says it (`paid`, `pending`, `refunded`, ...). */
  financialStatus: z.string().min(1).optional(),
  placedAt: IsoUtcSchema,
  currency: CurrencySchema,
  /** Sum of line prices before discounts, shipping and tax. */
  subtotal: MoneySchema.optional(),
  discounts: MoneySchema.optional(),
  shipping: MoneySchema.optional(),
  tax: MoneySchema.optional(),
  /** True when line prices already include `tax` (VAT-style pricing). */
  taxesIncluded: z.boolean().optional(),
  total: MoneySchema,
  /** The total after edits and refunds, when the channel keeps one apart from the original. */
  currentTotal: MoneySchema.optional(),
  presentment: PresentmentTotalsSchema.optional(),
  customer: CustomerSchema.optional(),
  shipTo: AddressSchema.optional(),
  lines: z.array(OrderLineSchema).min(1, 'an order needs at least one line'),
});
export type Order = z.infer<typeof OrderSchema>;
