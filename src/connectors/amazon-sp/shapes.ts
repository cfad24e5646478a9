import { z } from 'zod';

/**
 * zod schemas of the SP-API payloads the connector reads, built from Amazon's published models
 * (github.com/amzn/selling-partner-api-models) and nothing more: unknown keys are dropped.
 */

/** A decimal amount: SP-API money `Amount`s are strings ("25.99"), never numbers. */
export const AmazonDecimalSchema = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string such as "25.99"');

/** An instant in ISO 8601 (Amazon writes UTC "…Z"; an offset is accepted and compared as an instant). */
export const AmazonInstantSchema = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 timestamp');

/** Money: https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#money */
export const AmazonMoneySchema = z.object({ CurrencyCode: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'), Amount: AmazonDecimalSchema });
export type AmazonMoney = z.infer<typeof AmazonMoneySchema>;

/**
 * A flag of the Orders API, which writes booleans of some objects as the strings "true"/"false"
 * (`IsBuyerRequestedCancel`, `IsGift`). Exactly those two strings: anything else is invalid,
 * never guessed. Kept as the string (no transform), so a parsed payload is still the documented shape.
 * https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#buyerrequestedcancel
 */
export const AmazonStringFlagSchema = z.enum(['true', 'false'], { message: 'must be the string "true" or "false"' });

export const ORDER_STATUSES = [
  'Pending',
  'Unshipped',
  'PartiallyShipped',
  'Shipped',
  'Canceled',
  'Unfulfillable',
  'InvoiceUnconfirmed',
  'PendingAvailability',
] as const;

/**
 * Without a Restricted Data Token only the non-restricted address fields come back (city, region,
 * postal code, country); name, lines and phone need an RDT. Every field is optional for that reason.
 * https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#address
 */
export const AmazonAddressSchema = z.object({
  Name: z.string().optional(),
  CompanyName: z.string().optional(),
  AddressLine1: z.string().optional(),
  AddressLine2: z.string().optional(),
  City: z.string().optional(),
  StateOrRegion: z.string().optional(),
  PostalCode: z.string().optional(),
  CountryCode: z.string().optional(),
  Phone: z.string().optional(),
});

/** https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#order */
export const AmazonOrderSchema = z.object({
  AmazonOrderId: z.string().min(1),
  SellerOrderId: z.string().optional(),
  PurchaseDate: AmazonInstantSchema,
  LastUpdateDate: AmazonInstantSchema,
  OrderStatus: z.enum(ORDER_STATUSES),
  FulfillmentChannel: z.enum(['AFN', 'MFN']).optional(),
  /** Absent while the order is Pending: payment not yet authorized. */
  OrderTotal: AmazonMoneySchema.optional(),
  MarketplaceId: z.string().optional(),
  ShippingAddress: AmazonAddressSchema.optional(),
  /** Restricted data: BuyerName and PurchaseOrderNumber need an RDT. */
  BuyerInfo: z.object({ BuyerEmail: z.string().optional(), BuyerName: z.string().optional() }).optional(),
  /** A real boolean in this object (unlike the order items' string flags). */
  IsReplacementOrder: z.boolean().optional(),
});
export type AmazonOrder = z.infer<typeof AmazonOrderSchema>;

/** https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#getordersresponse */
export const AmazonGetOrdersResponseSchema = z.object({
  payload: z.object({
    Orders: z.array(AmazonOrderSchema),
    NextToken: z.string().optional(),
    LastUpdatedBefore: z.string().optional(),
    CreatedBefore: z.string().optional(),
  }),
});
export type AmazonGetOrdersResponse = z.infer<typeof AmazonGetOrdersResponseSchema>;

/**
 * https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#orderitem
 * `ItemPrice` is the price of the whole line: "the selling price of the item multiplied by the
 * quantity ordered". Prices, taxes and promotions are absent while the order is Pending.
 */
export const AmazonOrderItemSchema = z.object({
  ASIN: z.string().min(1),
  SellerSKU: z.string().optional(),
  OrderItemId: z.string().min(1),
  Title: z.string().optional(),
  QuantityOrdered: z.number().int().nonnegative(),
  QuantityShipped: z.number().int().nonnegative().optional(),
  ItemPrice: AmazonMoneySchema.optional(),
  ShippingPrice: AmazonMoneySchema.optional(),
  ItemTax: AmazonMoneySchema.optional(),
  ShippingTax: AmazonMoneySchema.optional(),
  PromotionDiscount: AmazonMoneySchema.optional(),
  IsGift: AmazonStringFlagSchema.optional(),
  BuyerRequestedCancel: z.object({ IsBuyerRequestedCancel: AmazonStringFlagSchema.optional(), BuyerCancelReason: z.string().optional() }).optional(),
});
export type AmazonOrderItem = z.infer<typeof AmazonOrderItemSchema>;

/** https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#getorderitemsresponse */
export const AmazonGetOrderItemsResponseSchema = z.object({
  payload: z.object({ AmazonOrderId: z.string().min(1), OrderItems: z.array(AmazonOrderItemSchema), NextToken: z.string().optional() }),
});
export type AmazonGetOrderItemsResponse = z.infer<typeof AmazonGetOrderItemsResponseSchema>;

/**
 * The `orders` topic: one getOrders page with the getOrderItems answer of each of its orders
 * (the preview contract of `hub normalize amazon-sp orders <file>`; polled orders use it too).
 */
export const AmazonOrdersPageSchema = z.object({
  orders: AmazonGetOrdersResponseSchema,
  orderItems: z.record(z.string(), AmazonGetOrderItemsResponseSchema),
});
export type AmazonOrdersPage = z.infer<typeof AmazonOrdersPageSchema>;

/**
 * ORDER_CHANGE notification: flags here are JSON booleans, there are no prices, and the order is
 * summarized. https://developer-docs.amazon.com/sp-api/docs/notification-type-values#order_change
 * Schema: schemas/notifications/OrderChangeNotification.json in selling-partner-api-models.
 */
export const AmazonOrderChangeNotificationSchema = z.object({
  NotificationVersion: z.string(),
  NotificationType: z.literal('ORDER_CHANGE'),
  PayloadVersion: z.string(),
  EventTime: AmazonInstantSchema,
  Payload: z.object({
    OrderChangeNotification: z.object({
      NotificationLevel: z.enum(['OrderItemLevel', 'OrderLevel']),
      SellerId: z.string(),
      AmazonOrderId: z.string().min(1),
      OrderChangeType: z.enum(['BuyerRequestedChange', 'DeliveryTipChange', 'OrderStatusChange']),
      OrderChangeTrigger: z.object({ TimeOfOrderChange: AmazonInstantSchema.nullable(), ChangeReason: z.string() }),
      Summary: z.object({
        MarketplaceId: z.string(),
        OrderStatus: z.enum(ORDER_STATUSES),
        PurchaseDate: AmazonInstantSchema.nullable(),
        FulfillmentType: z.enum(['AFN', 'MFN']),
        OrderItems: z.array(
          z.object({
            OrderItemId: z.string(),
            SellerSKU: z.string(),
            Quantity: z.number().int(),
            IsBuyerRequestedCancel: z.boolean().optional(),
          }),
        ),
      }),
    }),
  }),
  NotificationMetadata: z.object({
    ApplicationId: z.string(),
    SubscriptionId: z.string(),
    PublishTime: AmazonInstantSchema,
    NotificationId: z.string().min(1),
  }),
});
export type AmazonOrderChangeNotification = z.infer<typeof AmazonOrderChangeNotificationSchema>;

/** SP-API error body. https://developer-docs.amazon.com/sp-api/docs/response-format */
export const AmazonErrorListSchema = z.object({
  errors: z.array(z.object({ code: z.string(), message: z.string().optional(), details: z.string().optional() })),
});

/** LWA token answer. https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api#step-1-request-a-login-with-amazon-access-token */
export const LwaTokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().int().positive(),
  refresh_token: z.string().optional(),
});

/** https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference#listingsitemsubmissionresponse */
export const ListingsItemSubmissionResponseSchema = z.object({
  sku: z.string(),
  status: z.enum(['ACCEPTED', 'INVALID', 'VALID']),
  submissionId: z.string(),
  issues: z
    .array(z.object({ code: z.string(), message: z.string(), severity: z.enum(['ERROR', 'WARNING', 'INFO']), attributeNames: z.array(z.string()).optional() }))
    .optional(),
});

/** https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference#itemsearchresults */
export const ItemSearchResultsSchema = z.object({
  numberOfResults: z.number().int(),
  pagination: z.object({ nextToken: z.string().optional() }).optional(),
  items: z.array(
    z.object({
      sku: z.string(),
      summaries: z.array(z.object({ marketplaceId: z.string(), asin: z.string().optional() })).optional(),
      fulfillmentAvailability: z.array(z.object({ fulfillmentChannelCode: z.string(), quantity: z.number().int().optional() })).optional(),
    }),
  ),
});

/** Feeds API 2021-06-30. https://developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-reference */
export const CreateFeedDocumentResponseSchema = z.object({ feedDocumentId: z.string(), url: z.string() });
export const CreateFeedResponseSchema = z.object({ feedId: z.string() });
export const FeedSchema = z.object({
  feedId: z.string(),
  feedType: z.string(),
  processingStatus: z.enum(['CANCELLED', 'DONE', 'FATAL', 'IN_PROGRESS', 'IN_QUEUE']),
  resultFeedDocumentId: z.string().optional(),
});
export const FeedDocumentSchema = z.object({ feedDocumentId: z.string(), url: z.string(), compressionAlgorithm: z.literal('GZIP').optional() });

/**
 * JSON_LISTINGS_FEED processing report, per message. Schema:
 * schemas/feeds/listings-feed-processing-report-schema-v2.json in selling-partner-api-models.
 */
export const ListingsFeedReportSchema = z.object({
  header: z.object({ sellerId: z.string(), version: z.string(), feedId: z.string() }),
  issues: z
    .array(
      z.object({
        messageId: z.number().int(),
        sku: z.string().optional(),
        code: z.string(),
        severity: z.enum(['ERROR', 'WARNING', 'INFO']),
        message: z.string(),
      }),
    )
    .default([]),
  summary: z.object({
    errors: z.number().int(),
    warnings: z.number().int(),
    messagesProcessed: z.number().int(),
    messagesAccepted: z.number().int(),
    messagesInvalid: z.number().int(),
  }),
});
export type ListingsFeedReport = z.infer<typeof ListingsFeedReportSchema>;
