import { z } from 'zod';

/**
 * Admin API version the connector is written against: the newest stable one. Each version is
 * supported for 12 months (see versions.ts); override per instance only after testing.
 */
export const SHOPIFY_DEFAULT_API_VERSION = '2026-10';

export const ShopifyConfigSchema = z.object({
  settings: z.object({
    shopDomain: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$|^[a-z0-9.-]+(:\d+)?$/, 'must be a shop domain such as "my-shop.myshopify.com"')
      .describe("The shop's myshopify.com domain; webhooks from any other shop are refused"),
    apiVersion: z
      .string()
      .regex(/^\d{4}-\d{2}$|^unstable$/, 'must be an Admin API version such as "2026-10"')
      .default(SHOPIFY_DEFAULT_API_VERSION)
      .describe('Admin API version used for calls and expected in webhook payloads'),
    baseUrl: z.url().optional().describe('Base URL override (the local simulator); default https://<shopDomain>'),
    locations: z.record(z.string(), z.string()).default({}).describe('Shopify location id (numeric or gid://shopify/Location/<n>) to hub location id'),
    channel: z.string().min(1).describe('Hub channel id that orders from this shop belong to'),
    pushLocationId: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Shopify location that receives the channel's availableToSell (numeric or gid). " +
          'Default: the only key of `locations`. Other Shopify locations should not stock the pushed items, ' +
          'since the storefront sells the sum over locations.',
      ),
    ingestFulfillments: z
      .boolean()
      .default(true)
      .describe(
        'Turn fulfillments/create webhooks into shipment.confirmed. Set false when the hub pushes every ' +
          "fulfilment to Shopify itself (3PL), so Shopify's echo of those fulfilments is not applied twice.",
      ),
    notifyCustomerOnShipment: z.boolean().default(true).describe('Let Shopify email the customer when the hub records a fulfilment with tracking'),
    compareAndSet: z
      .boolean()
      .default(true)
      .describe(
        "Push stock with compare-and-set: read Shopify's available first and send it as changeFromQuantity " +
          '(compareQuantity before 2026-04), so a sale made in Shopify after the read is never overwritten; a stale ' +
          'answer re-reads the item and retries. Set false only when nothing but the hub changes available at the ' +
          'push location (no storefront, POS or app sells from it, e.g. a location that only mirrors the hub), where ' +
          'the read before each push buys nothing: the push then sets the absolute value blindly.',
      ),
    requestTimeoutMs: z.number().int().min(100).default(15_000).describe('Timeout of one Admin API call'),
    deliverySlackMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(15)
      .describe(
        "Webhook deliveries are refused (and counted) when X-Shopify-Triggered-At is older than Shopify's 4-hour " +
          'retry window plus this slack, or this far in the future (clock skew)',
      ),
  }),
  credentials: z.object({
    accessToken: z.string().min(1).describe('Admin API access token'),
    webhookSecret: z.string().min(1).describe('App client secret used to sign webhooks'),
  }),
});
export type ShopifyConfig = z.infer<typeof ShopifyConfigSchema>;
export type ShopifySettings = ShopifyConfig['settings'];
