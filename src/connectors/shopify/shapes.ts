import { z } from 'zod';

/**
 * zod schemas of the Shopify payloads and responses the connector reads, and nothing more:
 * unknown keys are dropped. Webhook bodies are parsed with `parseJsonPreservingIds`, so an id is a
 * string when it exceeds 2^53 and a number otherwise; every id is read back as a string.
 * Webhook payloads: https://shopify.dev/docs/api/webhooks?reference=toml (REST resource shapes)
 */

/** A Shopify numeric id as a string, exactly as sent. */
export const ShopifyIdSchema = z.union([z.string().regex(/^\d+$/, 'must be a numeric id'), z.number().int().nonnegative()]).transform(String);

/** A decimal amount Shopify sends as a string ("59.90"), occasionally as a number. */
export const ShopifyDecimalSchema = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal amount'));

/** A timestamp with an offset, e.g. "2026-11-24T03:00:00-05:00". */
export const ShopifyTimestampSchema = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 timestamp');

const MoneySchema = z.object({ amount: ShopifyDecimalSchema, currency_code: z.string() });
/** Amounts in the shop's currency and in the currency the customer saw. */
export const ShopifyMoneySetSchema = z.object({ shop_money: MoneySchema, presentment_money: MoneySchema.optional() });
export type ShopifyMoneySet = z.infer<typeof ShopifyMoneySetSchema>;

const opt = <T extends z.ZodType>(schema: T) => schema.nullish();

export const ShopifyAddressSchema = z.object({
  name: opt(z.string()),
  first_name: opt(z.string()),
  last_name: opt(z.string()),
  company: opt(z.string()),
  address1: opt(z.string()),
  address2: opt(z.string()),
  city: opt(z.string()),
  province: opt(z.string()),
  zip: opt(z.string()),
  country: opt(z.string()),
  country_code: opt(z.string()),
  phone: opt(z.string()),
});

export const ShopifyOrderLineItemSchema = z.object({
  id: ShopifyIdSchema,
  variant_id: opt(ShopifyIdSchema),
  product_id: opt(ShopifyIdSchema),
  sku: opt(z.string()),
  title: opt(z.string()),
  name: opt(z.string()),
  quantity: z.number().int(),
  /** Quantity after order edits and removals (refunds of unfulfilled units). */
  current_quantity: opt(z.number().int()),
  price: ShopifyDecimalSchema,
  price_set: ShopifyMoneySetSchema.optional(),
  /** False for a service, a tip, a custom item that ships nothing. */
  requires_shipping: opt(z.boolean()),
  gift_card: opt(z.boolean()),
  /** Units still to fulfil; with `fulfillment_status` (`fulfilled`, `partial`, null) it says how many were fulfilled. */
  fulfillable_quantity: opt(z.number().int()),
  fulfillment_status: opt(z.string()),
});

/**
 * fulfillments/create, and each entry of an order's `fulfillments` (the same resource, embedded).
 * `tracking_numbers`/`tracking_urls` are the list forms of `tracking_number`/`tracking_url`.
 * https://shopify.dev/docs/api/admin-rest/latest/resources/fulfillment
 */
export const ShopifyFulfillmentWebhookSchema = z.object({
  id: ShopifyIdSchema,
  order_id: ShopifyIdSchema,
  status: opt(z.string()),
  created_at: ShopifyTimestampSchema,
  updated_at: opt(ShopifyTimestampSchema),
  location_id: opt(ShopifyIdSchema),
  tracking_company: opt(z.string()),
  tracking_number: opt(z.string()),
  tracking_numbers: opt(z.array(z.string())),
  tracking_url: opt(z.string()),
  tracking_urls: opt(z.array(z.string())),
  line_items: z.array(z.object({ id: ShopifyIdSchema, variant_id: opt(ShopifyIdSchema), sku: opt(z.string()), quantity: z.number().int() })),
});
export type ShopifyFulfillmentWebhook = z.infer<typeof ShopifyFulfillmentWebhookSchema>;

/** An order's embedded fulfilment: `order_id` may be left out there (it is the order's own id). */
const ShopifyEmbeddedFulfillmentSchema = ShopifyFulfillmentWebhookSchema.extend({ order_id: opt(ShopifyIdSchema) });

/** orders/create, orders/updated, orders/cancelled: https://shopify.dev/docs/api/admin-rest/2025-07/resources/order */
export const ShopifyOrderWebhookSchema = z.object({
  id: ShopifyIdSchema,
  name: z.string().min(1),
  created_at: ShopifyTimestampSchema,
  updated_at: ShopifyTimestampSchema,
  cancelled_at: opt(ShopifyTimestampSchema),
  cancel_reason: opt(z.string()),
  /** The shop currency. */
  currency: z.string().regex(/^[A-Z]{3}$/),
  presentment_currency: opt(z.string()),
  total_price: ShopifyDecimalSchema,
  total_price_set: ShopifyMoneySetSchema.optional(),
  current_total_price_set: ShopifyMoneySetSchema.optional(),
  financial_status: opt(z.string()),
  taxes_included: opt(z.boolean()),
  subtotal_price_set: ShopifyMoneySetSchema.optional(),
  total_discounts_set: ShopifyMoneySetSchema.optional(),
  total_shipping_price_set: ShopifyMoneySetSchema.optional(),
  total_tax_set: ShopifyMoneySetSchema.optional(),
  email: opt(z.string()),
  customer: opt(z.object({ id: opt(ShopifyIdSchema), email: opt(z.string()), first_name: opt(z.string()), last_name: opt(z.string()) })),
  shipping_address: opt(ShopifyAddressSchema),
  line_items: z.array(ShopifyOrderLineItemSchema),
  /** Fulfilments of the order so far, with their lines and tracking. */
  fulfillments: z
    .array(ShopifyEmbeddedFulfillmentSchema)
    .nullish()
    .transform((f) => f ?? []),
});
export type ShopifyOrderWebhook = z.infer<typeof ShopifyOrderWebhookSchema>;

export const SHOPIFY_RESTOCK_TYPES = ['no_restock', 'cancel', 'return', 'legacy_restock'] as const;

/** refunds/create: https://shopify.dev/docs/api/admin-rest/2025-07/resources/refund */
export const ShopifyRefundWebhookSchema = z.object({
  id: ShopifyIdSchema,
  order_id: ShopifyIdSchema,
  created_at: ShopifyTimestampSchema,
  processed_at: opt(ShopifyTimestampSchema),
  note: opt(z.string()),
  refund_line_items: z
    .array(
      z.object({
        id: ShopifyIdSchema,
        line_item_id: ShopifyIdSchema,
        quantity: z.number().int(),
        restock_type: z.enum(SHOPIFY_RESTOCK_TYPES),
        location_id: opt(ShopifyIdSchema),
        subtotal_set: ShopifyMoneySetSchema.optional(),
        total_tax_set: ShopifyMoneySetSchema.optional(),
        line_item: z.object({
          id: ShopifyIdSchema,
          variant_id: opt(ShopifyIdSchema),
          sku: opt(z.string()),
          title: opt(z.string()),
          fulfillment_status: opt(z.string()),
        }),
      }),
    )
    .default([]),
  transactions: z
    .array(z.object({ id: ShopifyIdSchema, kind: z.string(), status: z.string(), amount: ShopifyDecimalSchema, currency: z.string() }))
    .default([]),
});
export type ShopifyRefundWebhook = z.infer<typeof ShopifyRefundWebhookSchema>;

/** inventory_levels/update: https://shopify.dev/docs/api/admin-rest/2025-07/resources/inventorylevel */
export const ShopifyInventoryLevelWebhookSchema = z.object({
  inventory_item_id: ShopifyIdSchema,
  location_id: ShopifyIdSchema,
  /** null when the item's quantity is not tracked. */
  available: z.number().int().nullable(),
  updated_at: ShopifyTimestampSchema,
});

/** products/create, products/update: https://shopify.dev/docs/api/admin-rest/2025-07/resources/product */
export const ShopifyProductWebhookSchema = z.object({
  id: ShopifyIdSchema,
  title: z.string(),
  status: opt(z.string()),
  updated_at: ShopifyTimestampSchema,
  variants: z.array(
    z.object({
      id: ShopifyIdSchema,
      title: opt(z.string()),
      sku: opt(z.string()),
      barcode: opt(z.string()),
      inventory_item_id: ShopifyIdSchema,
      updated_at: opt(ShopifyTimestampSchema),
    }),
  ),
});

// ---------------------------------------------------------------------------------------------
// GraphQL Admin API responses
// ---------------------------------------------------------------------------------------------

/** https://shopify.dev/docs/api/usage/limits#graphql-admin-api-rate-limits */
export const ShopifyThrottleStatusSchema = z.object({
  maximumAvailable: z.number(),
  currentlyAvailable: z.number(),
  restoreRate: z.number(),
});
export type ShopifyThrottleStatus = z.infer<typeof ShopifyThrottleStatusSchema>;

export const ShopifyGraphqlEnvelopeSchema = z.object({
  data: z.unknown().optional(),
  errors: z
    .union([z.array(z.object({ message: z.string(), extensions: z.object({ code: z.string().optional() }).loose().optional() }).loose()), z.string()])
    .optional(),
  extensions: z
    .object({
      cost: z
        .object({
          requestedQueryCost: z.number(),
          actualQueryCost: z.number().nullable().optional(),
          throttleStatus: ShopifyThrottleStatusSchema,
        })
        .optional(),
    })
    .loose()
    .optional(),
});

export const ShopifyUserErrorSchema = z.object({
  field: z.array(z.string()).nullable().optional(),
  message: z.string(),
  code: z.string().nullable().optional(),
});
export type ShopifyUserError = z.infer<typeof ShopifyUserErrorSchema>;
