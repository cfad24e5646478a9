import { z } from 'zod';

/**
 * OAuth scopes the connector asks for when it refreshes a user access token: orders and
 * fulfilments (Fulfillment API) and inventory (Inventory API).
 * https://developer.ebay.com/api-docs/static/oauth-scopes.html
 */
export const EBAY_DEFAULT_SCOPES = ['https://api.ebay.com/oauth/api_scope/sell.fulfillment', 'https://api.ebay.com/oauth/api_scope/sell.inventory'];

export const EbayConfigSchema = z.object({
  settings: z.object({
    baseUrl: z
      .url()
      .default('https://api.ebay.com')
      .describe('API root (the Sandbox, or the local simulator); the token endpoint is <baseUrl>/identity/v1/oauth2/token'),
    marketplaceId: z
      .string()
      .regex(/^EBAY_[A-Z_]+$/, 'must be an eBay marketplace id such as "EBAY_US"')
      .default('EBAY_US')
      .describe('Sent as X-EBAY-C-MARKETPLACE-ID'),
    scopes: z.array(z.url()).min(1).default(EBAY_DEFAULT_SCOPES).describe('OAuth scopes requested with the refresh-token grant'),
    channel: z.string().min(1).describe('Hub channel id that orders from this seller account belong to'),
    locations: z
      .record(z.string(), z.string())
      .default({})
      .describe(
        'eBay location key to hub location id. eBay sells one ship-to-home quantity per SKU; the first key ' +
          'names it in reconciliation reads (default "default").',
      ),
    ordersPageSize: z.number().int().min(1).max(1000).default(50).describe('getOrders `limit` (documented maximum 1000)'),
    firstPollLookbackMs: z
      .number()
      .int()
      .min(60_000)
      .default(24 * 60 * 60 * 1000)
      .describe('Without a cursor, the first order poll reads orders modified this far back'),
    carrierCodes: z
      .record(z.string(), z.string())
      .default({})
      .describe('Tracking company as the hub writes it (e.g. "UPS") to eBay shippingCarrierCode; unmapped names are sent as written'),
    requestTimeoutMs: z.number().int().min(100).default(15_000).describe('Timeout of one API call'),
  }),
  credentials: z.object({
    clientId: z.string().min(1).describe('App ID (client id) of the eBay application keyset'),
    clientSecret: z.string().min(1).describe('Cert ID (client secret) of the keyset'),
    refreshToken: z.string().min(1).describe("The seller's long-lived refresh token (from the authorization code grant)"),
  }),
});
export type EbayConfig = z.infer<typeof EbayConfigSchema>;
export type EbaySettings = EbayConfig['settings'];
