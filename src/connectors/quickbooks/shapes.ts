import { z } from 'zod';
import { isAmount } from './money.js';

// Shapes of the QuickBooks Online Accounting API that the connector reads, parsed at the boundary.
// Amounts are JSON numbers; parseQboJson hands over their exact text where a double would round.

/** A JSON number (or its exact text). */
export const QboAmountSchema = z.union([z.number(), z.string()]).refine(isAmount, 'must be a number');
/** Ids are strings in QuickBooks JSON; accept a number too, as the simulator or an old fixture may write one. */
const IdSchema = z.union([z.string().min(1), z.number().int().transform(String)]);

export const QboRefSchema = z.object({ value: IdSchema, name: z.string().optional() });

/**
 * A transaction line. Only SalesItemLineDetail lines carry goods; SubTotalLineDetail lines are
 * computed by QuickBooks and have no Id.
 * https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice
 */
export const QboLineSchema = z.object({
  Id: IdSchema.optional(),
  LineNum: z.number().optional(),
  Description: z.string().optional(),
  Amount: QboAmountSchema,
  DetailType: z.string().min(1),
  SalesItemLineDetail: z
    .object({
      ItemRef: QboRefSchema.optional(),
      Qty: QboAmountSchema.optional(),
      UnitPrice: QboAmountSchema.optional(),
      TaxCodeRef: QboRefSchema.optional(),
    })
    .optional(),
  DiscountLineDetail: z.object({ PercentBased: z.boolean().optional() }).optional(),
});
export type QboLine = z.infer<typeof QboLineSchema>;

const MetaDataSchema = z.object({ CreateTime: z.string().optional(), LastUpdatedTime: z.string().optional() });

/** Invoice, SalesReceipt and CreditMemo share these fields. */
export const QboSalesTxnSchema = z.object({
  Id: IdSchema,
  SyncToken: IdSchema,
  DocNumber: z.string().optional(),
  TxnDate: z.string().optional(),
  MetaData: MetaDataSchema.optional(),
  CurrencyRef: QboRefSchema.optional(),
  CustomerRef: QboRefSchema.optional(),
  Line: z.array(QboLineSchema),
  TotalAmt: QboAmountSchema,
  Balance: QboAmountSchema.optional(),
  TxnTaxDetail: z.object({ TotalTax: QboAmountSchema.optional() }).optional(),
  CustomField: z.array(z.object({ DefinitionId: IdSchema, Name: z.string().optional(), StringValue: z.string().optional() })).optional(),
  PrivateNote: z.string().optional(),
  LinkedTxn: z.array(z.object({ TxnId: IdSchema, TxnType: z.string() })).optional(),
});
export type QboSalesTxn = z.infer<typeof QboSalesTxnSchema>;

/** https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/payment */
export const QboPaymentSchema = z.object({
  Id: IdSchema,
  SyncToken: IdSchema,
  TxnDate: z.string().optional(),
  MetaData: MetaDataSchema.optional(),
  CurrencyRef: QboRefSchema.optional(),
  CustomerRef: QboRefSchema.optional(),
  TotalAmt: QboAmountSchema,
  UnappliedAmt: QboAmountSchema.optional(),
  Line: z.array(z.object({ Amount: QboAmountSchema, LinkedTxn: z.array(z.object({ TxnId: IdSchema, TxnType: z.string() })).default([]) })).default([]),
});
export type QboPayment = z.infer<typeof QboPaymentSchema>;

/** https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer */
export const QboCustomerSchema = z.object({
  Id: IdSchema,
  SyncToken: IdSchema,
  DisplayName: z.string().optional(),
  PrimaryEmailAddr: z.object({ Address: z.string().optional() }).optional(),
});

/** An error response. https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/handling-common-errors */
export const QboFaultSchema = z.object({
  Fault: z.object({
    Error: z
      .array(
        z.object({
          Message: z.string().optional(),
          Detail: z.string().optional(),
          code: z.union([z.string(), z.number()]).optional(),
          element: z.string().optional(),
        }),
      )
      .default([]),
    type: z.string().optional(),
  }),
});
export type QboFault = z.infer<typeof QboFaultSchema>;

/**
 * Token endpoint answer to the refresh grant; `refresh_token` may differ from the one sent (rotation).
 * https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/faq
 */
export const QboTokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().int().positive().default(3600),
  x_refresh_token_expires_in: z.number().int().optional(),
  token_type: z.string().optional(),
});

/**
 * Legacy notification envelope: per company, the changed entities (name, id, operation, lastUpdated).
 * https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks
 */
export const QboLegacyNotificationSchema = z.object({
  eventNotifications: z.array(
    z.object({
      realmId: IdSchema,
      dataChangeEvent: z.object({
        entities: z.array(
          z.object({ name: z.string().min(1), id: IdSchema, operation: z.string().min(1), lastUpdated: z.string().optional(), deletedId: IdSchema.optional() }),
        ),
      }),
    }),
  ),
});

/**
 * CloudEvents notification: an array of events typed `qbo.<entity>.<operation>.v1`.
 * https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks/data-objects
 */
export const QboCloudEventsSchema = z.array(
  z.object({
    specversion: z.string().optional(),
    id: z.string().min(1),
    type: z.string().regex(/^qbo\.[a-z]+\.[a-z]+\.v\d+$/i, 'must be qbo.<entity>.<operation>.v<n>'),
    time: z.string().optional(),
    intuitentityid: IdSchema,
    intuitaccountid: IdSchema,
    data: z.record(z.string(), z.unknown()).nullish(),
  }),
);
