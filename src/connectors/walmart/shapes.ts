import { z } from 'zod';

/**
 * Walmart Marketplace response shapes the connector reads, from the published OpenAPI documents
 * of the Orders, Inventory, Feeds and Authentication APIs (US marketplace, v3).
 * Walmart's JSON keeps its XML heritage: every list sits in an object under a singular key
 * (`orderLines.orderLine[]`, `charges.charge[]`, `elements.order[]`), quantities are decimal
 * strings (`"amount": "1"`), money amounts are JSON numbers, and dates are epoch milliseconds.
 */

/** An instant as epoch milliseconds. https://developer.walmart.com/us-marketplace/reference/getallorders */
export const EpochMillisSchema = z.number().int('must be whole epoch milliseconds');

/** A count written as a string of digits: `{ "unitOfMeasurement": "EACH", "amount": "2" }`. */
export const WalmartQuantitySchema = z.object({
  unitOfMeasurement: z.string().optional(),
  amount: z.string().regex(/^\d+$/, 'must be a whole number written as a string, e.g. "2"'),
});

/** Money as `{ currency, amount }`, the amount a JSON number (or, defensively, a decimal string). */
export const WalmartMoneySchema = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
  amount: z.union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?$/)]),
});

const ChargeSchema = z.object({
  chargeType: z.string(),
  chargeName: z.string().optional(),
  chargeAmount: WalmartMoneySchema,
  tax: z.object({ taxName: z.string().optional(), taxAmount: WalmartMoneySchema }).nullable().optional(),
});

const TrackingInfoSchema = z.object({
  shipDateTime: EpochMillisSchema.optional(),
  carrierName: z.object({ carrier: z.string().optional(), otherCarrier: z.string().optional() }).optional(),
  methodCode: z.string().optional(),
  trackingNumber: z.string(),
  trackingURL: z.string().optional(),
});

export const ORDER_LINE_STATUSES = ['Created', 'Acknowledged', 'Shipped', 'Delivered', 'Cancelled', 'Refund'] as const;

const OrderLineStatusSchema = z.object({
  status: z.enum(ORDER_LINE_STATUSES),
  statusQuantity: WalmartQuantitySchema,
  cancellationReason: z.string().optional(),
  trackingInfo: TrackingInfoSchema.nullable().optional(),
});

/** One purchase order line. https://developer.walmart.com/us-marketplace/reference/getallorders */
export const WalmartOrderLineSchema = z.object({
  lineNumber: z.string().min(1),
  item: z.object({ productName: z.string().optional(), sku: z.string() }),
  charges: z.object({ charge: z.array(ChargeSchema) }),
  orderLineQuantity: WalmartQuantitySchema,
  statusDate: EpochMillisSchema,
  orderLineStatuses: z.object({ orderLineStatus: z.array(OrderLineStatusSchema).min(1) }),
});
export type WalmartOrderLine = z.infer<typeof WalmartOrderLineSchema>;

/** One purchase order (`GetOrderResponseRecord`). https://developer.walmart.com/us-marketplace/reference/getallorders */
export const WalmartOrderSchema = z.object({
  purchaseOrderId: z.string().min(1),
  customerOrderId: z.string().min(1),
  customerEmailId: z.string().optional(),
  buyerId: z.string().optional(),
  orderDate: EpochMillisSchema,
  shippingInfo: z.object({
    phone: z.string().optional(),
    estimatedDeliveryDate: EpochMillisSchema.optional(),
    estimatedShipDate: EpochMillisSchema.optional(),
    methodCode: z.string().optional(),
    postalAddress: z.object({
      name: z.string().optional(),
      address1: z.string().optional(),
      address2: z.string().nullable().optional(),
      city: z.string().optional(),
      state: z.string().optional(),
      postalCode: z.string().optional(),
      country: z.string().optional(),
      addressType: z.string().optional(),
    }),
  }),
  orderLines: z.object({ orderLine: z.array(WalmartOrderLineSchema).min(1) }),
  orderSummary: z
    .object({
      totalAmount: z.object({ currencyAmount: z.union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?$/)]), currencyUnit: z.string() }).optional(),
    })
    .optional(),
});
export type WalmartOrder = z.infer<typeof WalmartOrderSchema>;

/** A getAllOrders response page: `list.meta` and `list.elements.order[]`. https://developer.walmart.com/us-marketplace/reference/getallorders */
export const WalmartOrdersPageSchema = z.object({
  list: z.object({
    meta: z.object({ totalCount: z.number().int().optional(), limit: z.number().int().optional(), nextCursor: z.string().nullable().optional() }),
    elements: z.object({ order: z.array(z.unknown()).default([]) }),
  }),
});

/** getAnOrder, acknowledgeOrders and shippingUpdates answer with one order under `order`. https://developer.walmart.com/us-marketplace/reference/getanorder */
export const WalmartOrderEnvelopeSchema = z.object({ order: WalmartOrderSchema });

/** Token API answer. https://developer.walmart.com/us-marketplace/reference/tokenapi */
export const WalmartTokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().int().positive(),
});

const InventoryQuantitySchema = z.object({ unit: z.string().optional(), amount: z.number().int() });

/** getInventory / updateInventoryForAnItem. https://developer.walmart.com/us-marketplace/reference/updateinventoryforanitem */
export const WalmartInventorySchema = z.object({ sku: z.string(), quantity: InventoryQuantitySchema });

const NodeSchema = z.object({
  shipNode: z.string(),
  inputQty: InventoryQuantitySchema.optional(),
  availToSellQty: InventoryQuantitySchema.optional(),
  reservedQty: InventoryQuantitySchema.optional(),
});
const InventoryNodesSchema = z.object({ sku: z.string(), nodes: z.array(NodeSchema).default([]) });

/** getMultiNodeInventoryForAllSkuAndAllShipNodes. https://developer.walmart.com/us-marketplace/reference/getmultinodeinventoryforallskuandallshipnodes */
export const WalmartInventoriesPageSchema = z.object({
  meta: z.object({ totalCount: z.number().int().optional(), nextCursor: z.string().nullable().optional() }).optional(),
  elements: z.object({ inventories: z.array(InventoryNodesSchema).default([]) }),
});

/** getMultiNodeInventoryForSkuAndAllShipnodes. https://developer.walmart.com/us-marketplace/reference/getmultinodeinventoryforskuandallshipnodes */
export const WalmartSkuNodesSchema = InventoryNodesSchema;

/** Bulk inventory feed submission. https://developer.walmart.com/us-marketplace/reference/updatebulkinventory */
export const WalmartFeedSubmittedSchema = z.object({ feedId: z.string().min(1) });

const IngestionErrorsSchema = z.object({
  ingestionError: z.array(z.object({ type: z.string(), code: z.string(), description: z.string().optional() })).default([]),
});

/** Feed item status. https://developer.walmart.com/us-marketplace/reference/getfeeditemstatus */
export const WalmartFeedStatusSchema = z.object({
  feedId: z.string(),
  feedStatus: z.enum(['RECEIVED', 'INPROGRESS', 'PROCESSED', 'ERROR']),
  itemsReceived: z.number().int().optional(),
  ingestionErrors: IngestionErrorsSchema.nullable().optional(),
  itemDetails: z
    .object({
      itemIngestionStatus: z
        .array(
          z.object({
            sku: z.string().optional(),
            index: z.number().int().optional(),
            ingestionStatus: z.enum(['INPROGRESS', 'SUCCESS', 'DATA_ERROR', 'SYSTEM_ERROR', 'TIMEOUT_ERROR']),
            ingestionErrors: IngestionErrorsSchema.nullable().optional(),
          }),
        )
        .default([]),
    })
    .nullable()
    .optional(),
});
export type WalmartFeedStatus = z.infer<typeof WalmartFeedStatusSchema>;
