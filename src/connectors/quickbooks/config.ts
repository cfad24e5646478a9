import { z } from 'zod';
import { SkuMapSchema } from '../../mappings/schema.js';

/**
 * Minor version of the Accounting API the connector is written against (sent as `minorversion`).
 * https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/minor-versions
 */
export const QBO_DEFAULT_MINOR_VERSION = '75';

/** Production and sandbox API hosts. https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features */
export const QBO_BASE_URLS = {
  production: 'https://quickbooks.api.intuit.com',
  sandbox: 'https://sandbox-quickbooks.api.intuit.com',
} as const;

/** Intuit's token endpoint (refresh grant). https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0 */
export const QBO_TOKEN_URL = 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer';

export const QuickBooksSettingsSchema = z.object({
  realmId: z
    .string()
    .regex(/^\d+$/, 'must be the numeric QuickBooks company id (realmId)')
    .describe('QuickBooks company id; webhooks for any other company are ignored'),
  environment: z.enum(['production', 'sandbox']).default('production').describe('Which Intuit API host to call when baseUrl is not set'),
  baseUrl: z.url().optional().describe("API base URL override (the local simulator); default the environment's host"),
  tokenUrl: z.url().default(QBO_TOKEN_URL).describe('OAuth 2.0 token endpoint'),
  minorVersion: z.string().regex(/^\d+$/).default(QBO_DEFAULT_MINOR_VERSION).describe('Accounting API minor version sent with every call'),
  channel: z.string().min(1).optional().describe('Hub channel of documents that carry no channel reference (created in QuickBooks itself)'),
  homeCurrency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code')
    .default('USD')
    .describe('Currency of documents without CurrencyRef (multicurrency off)'),
  document: z
    .enum(['auto', 'invoice', 'salesReceipt'])
    .default('auto')
    .describe('What a shipped order becomes: an Invoice, a SalesReceipt, or (auto) a SalesReceipt when it was paid at checkout, else an Invoice'),
  itemMap: SkuMapSchema.prefault({}).describe(
    'ERP SKU → QuickBooks Item id: entries { "SKU-1": "19" } and/or a CSV (columns external_sku = ERP SKU, sku = Item id). ' +
      "A product's externalIds.<connectorId>.itemId is used when the map has no row.",
  ),
  defaultItemId: z.string().min(1).optional().describe('Item for lines without a SKU (custom items, services); without it such a line is a mapping error'),
  shippingItemId: z
    .string()
    .min(1)
    .default('SHIPPING_ITEM_ID')
    .describe("ItemRef of the shipping line; SHIPPING_ITEM_ID is QuickBooks' own shipping line (company shipping preference on)"),
  tax: z
    .object({
      mode: z
        .enum(['override', 'line', 'none'])
        .default('override')
        .describe("override: send the channel's tax as TxnTaxDetail.TotalTax (QuickBooks prorates it); line: a line with taxItemId; none: send no tax"),
      taxItemId: z.string().min(1).optional().describe('Item of the tax line in "line" mode'),
      taxCodeId: z.string().min(1).default('TAX').describe('TaxCodeRef of taxable lines in "override" mode (US: TAX / NON)'),
    })
    .prefault({})
    .refine((t) => t.mode !== 'line' || t.taxItemId !== undefined, { message: 'tax.mode "line" needs tax.taxItemId', path: ['taxItemId'] }),
  docNumber: z
    .enum(['orderNumber', 'none'])
    .default('orderNumber')
    .describe('Put the channel order number in DocNumber (max 21 characters; longer numbers are left to the custom field)'),
  orderRefCustomFieldId: z.string().min(1).optional().describe('DefinitionId of a string custom field that receives "<channel>/<externalOrderId>"'),
  defaultCustomerId: z.string().min(1).optional().describe('Customer for orders that name nobody; without it such an order is a validation error'),
  refundItemId: z.string().min(1).optional().describe('Item of a refund that names no lines (an amount only)'),
  requestTimeoutMs: z.number().int().min(100).default(30_000).describe('Timeout of one API call (QuickBooks times out at 120 s)'),
  syncTokenRetries: z.number().int().min(0).max(10).default(3).describe('Re-reads after a stale SyncToken before an update fails'),
});
export type QuickBooksSettings = z.infer<typeof QuickBooksSettingsSchema>;

export const QuickBooksConfigSchema = z.object({
  settings: QuickBooksSettingsSchema,
  credentials: z.object({
    clientId: z.string().min(1).describe('OAuth 2.0 client id of the Intuit app'),
    clientSecret: z.string().min(1).describe('OAuth 2.0 client secret of the Intuit app'),
    refreshToken: z
      .string()
      .min(1)
      .describe('Initial refresh token. QuickBooks rotates it: the latest one is kept in the connector state and wins over this value'),
    webhookVerifierToken: z.string().min(1).optional().describe("Verifier token of the app's webhook endpoint (signs intuit-signature)"),
  }),
});
export type QuickBooksConfig = z.infer<typeof QuickBooksConfigSchema>;

/** Settings with defaults, from whatever a preview passes (the CLI may pass only a channel). */
export function settingsOrDefaults(raw: unknown): QuickBooksSettings {
  const parsed = QuickBooksSettingsSchema.safeParse({ realmId: '0', ...(typeof raw === 'object' && raw !== null ? raw : {}) });
  return parsed.success ? parsed.data : QuickBooksSettingsSchema.parse({ realmId: '0' });
}
