import { z } from 'zod';

/**
 * zod schemas of the eBay payloads the connector reads, from the published OpenAPI contracts:
 * - Fulfillment API v1: https://developer.ebay.com/api-docs/master/sell/fulfillment/openapi/3/sell_fulfillment_v1_oas3.json
 * - Inventory API v1: https://developer.ebay.com/api-docs/master/sell/inventory/openapi/3/sell_inventory_v1_oas3.json
 * - OAuth token response: https://developer.ebay.com/api-docs/static/oauth-refresh-token-request.html
 * Objects are loose (eBay adds fields); only what the hub reads is checked.
 */

/**
 * Money as eBay writes it: a decimal string (`"0.0"`, `"12.30"`), never a number.
 * `convertedFrom*` hold the buyer's original currency when eBay converted the amount.
 * https://developer.ebay.com/api-docs/sell/fulfillment/types/sel:Amount
 */
export const EbayAmountSchema = z.looseObject({
  value: z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string such as "12.30"'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
  convertedFromValue: z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .optional(),
  convertedFromCurrency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
});
export type EbayAmount = z.infer<typeof EbayAmountSchema>;

/** https://developer.ebay.com/api-docs/sell/fulfillment/types/sel:EbayCollectAndRemitTax */
export const EbayCollectAndRemitTaxSchema = z.looseObject({
  amount: EbayAmountSchema,
  taxType: z.string().optional(),
  collectionMethod: z.string().optional(),
});

/**
 * One order line. `lineItemCost` is the line total (unit price × quantity), not a unit price.
 * `sku` is absent for a line sold from a legacy (Trading API) listing without a SKU.
 * https://developer.ebay.com/api-docs/sell/fulfillment/types/sel:LineItem
 */
export const EbayLineItemSchema = z.looseObject({
  lineItemId: z.string().min(1),
  legacyItemId: z.string().min(1),
  legacyVariationId: z.string().optional(),
  sku: z.string().optional(),
  title: z.string().default(''),
  quantity: z.number().int(),
  lineItemCost: EbayAmountSchema,
  discountedLineItemCost: EbayAmountSchema.optional(),
  total: EbayAmountSchema.optional(),
  ebayCollectAndRemitTaxes: z.array(EbayCollectAndRemitTaxSchema).optional(),
  lineItemFulfillmentStatus: z.string().optional(),
});
export type EbayLineItem = z.infer<typeof EbayLineItemSchema>;

/** https://developer.ebay.com/api-docs/sell/fulfillment/types/sel:PricingSummary */
export const EbayPricingSummarySchema = z.looseObject({
  priceSubtotal: EbayAmountSchema.optional(),
  priceDiscountSubtotal: EbayAmountSchema.optional(),
  deliveryCost: EbayAmountSchema.optional(),
  deliveryDiscount: EbayAmountSchema.optional(),
  tax: EbayAmountSchema.optional(),
  adjustment: EbayAmountSchema.optional(),
  fee: EbayAmountSchema.optional(),
  total: EbayAmountSchema,
});

const AddressSchema = z.looseObject({
  addressLine1: z.string().optional(),
  addressLine2: z.string().optional(),
  city: z.string().optional(),
  stateOrProvince: z.string().optional(),
  postalCode: z.string().optional(),
  countryCode: z.string().optional(),
});

/** https://developer.ebay.com/api-docs/sell/fulfillment/types/sel:FulfillmentStartInstruction */
const FulfillmentStartInstructionSchema = z.looseObject({
  shippingStep: z
    .looseObject({
      shipTo: z
        .looseObject({
          fullName: z.string().optional(),
          companyName: z.string().optional(),
          contactAddress: AddressSchema.optional(),
          primaryPhone: z.looseObject({ phoneNumber: z.string().optional() }).optional(),
          email: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
});

/**
 * One order. `cancelStatus.cancelState` is NONE_REQUESTED, IN_PROGRESS (a request is open) or CANCELED.
 * https://developer.ebay.com/api-docs/sell/fulfillment/types/sel:Order
 */
export const EbayOrderSchema = z.looseObject({
  orderId: z.string().min(1),
  legacyOrderId: z.string().optional(),
  creationDate: z.iso.datetime({ offset: true }),
  lastModifiedDate: z.iso.datetime({ offset: true }),
  orderFulfillmentStatus: z.string().optional(),
  orderPaymentStatus: z.string().optional(),
  salesRecordReference: z.string().optional(),
  buyer: z.looseObject({ username: z.string().optional() }).optional(),
  cancelStatus: z.looseObject({ cancelState: z.string(), cancelledDate: z.iso.datetime({ offset: true }).optional() }),
  pricingSummary: EbayPricingSummarySchema,
  ebayCollectAndRemitTax: z.boolean().optional(),
  fulfillmentStartInstructions: z.array(FulfillmentStartInstructionSchema).default([]),
  lineItems: z.array(EbayLineItemSchema),
});
export type EbayOrder = z.infer<typeof EbayOrderSchema>;

/** A getOrders response page. https://developer.ebay.com/api-docs/sell/fulfillment/resources/order/methods/getOrders */
export const EbayOrdersPageSchema = z.looseObject({
  href: z.string().optional(),
  limit: z.number().int().optional(),
  offset: z.number().int().optional(),
  next: z.string().optional(),
  total: z.number().int(),
  orders: z.array(z.unknown()).default([]),
});
export type EbayOrdersPage = z.infer<typeof EbayOrdersPageSchema>;

/** https://developer.ebay.com/api-docs/sell/fulfillment/types/sel:Error (and slr:Error, same fields) */
export const EbayErrorSchema = z.looseObject({
  errorId: z.number().int().optional(),
  message: z.string().optional(),
  longMessage: z.string().optional(),
  category: z.string().optional(),
});
export type EbayError = z.infer<typeof EbayErrorSchema>;
export const EbayErrorEnvelopeSchema = z.looseObject({ errors: z.array(EbayErrorSchema).optional() });

/** https://developer.ebay.com/api-docs/sell/inventory/types/slr:BulkPriceQuantityResponse */
export const EbayBulkPriceQuantityResponseSchema = z.looseObject({
  responses: z.array(
    z.looseObject({
      statusCode: z.number().int(),
      sku: z.string().optional(),
      offerId: z.string().optional(),
      errors: z.array(EbayErrorSchema).optional(),
    }),
  ),
});

/** https://developer.ebay.com/api-docs/sell/inventory/types/slr:InventoryItemWithSkuLocaleGroupid */
export const EbayInventoryItemSchema = z.looseObject({
  sku: z.string().min(1),
  availability: z.looseObject({ shipToLocationAvailability: z.looseObject({ quantity: z.number().int().optional() }).optional() }).optional(),
});

/** getInventoryItems page. https://developer.ebay.com/api-docs/sell/inventory/resources/inventory_item/methods/getInventoryItems */
export const EbayInventoryItemsPageSchema = z.looseObject({
  total: z.number().int().optional(),
  size: z.number().int().optional(),
  next: z.string().optional(),
  inventoryItems: z.array(EbayInventoryItemSchema).default([]),
});

/** https://developer.ebay.com/api-docs/sell/inventory/resources/inventory_item/methods/bulkGetInventoryItem */
export const EbayBulkGetInventoryItemResponseSchema = z.looseObject({
  responses: z.array(
    z.looseObject({ statusCode: z.number().int(), sku: z.string().optional(), inventoryItem: EbayInventoryItemSchema.omit({ sku: true }).optional() }),
  ),
});

/** https://developer.ebay.com/api-docs/sell/fulfillment/resources/order/shipping_fulfillment/methods/getShippingFulfillments */
export const EbayShippingFulfillmentsSchema = z.looseObject({
  total: z.number().int().optional(),
  fulfillments: z
    .array(z.looseObject({ fulfillmentId: z.string(), shipmentTrackingNumber: z.string().optional(), shippingCarrierCode: z.string().optional() }))
    .default([]),
});

/** https://developer.ebay.com/api-docs/static/oauth-refresh-token-request.html */
export const EbayTokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
  token_type: z.string().optional(),
});
