import { z } from 'zod';

/**
 * SP-API regional endpoints. https://developer-docs.amazon.com/sp-api/docs/sp-api-endpoints
 * The LWA token endpoint is global. https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api
 */
export const AMAZON_ENDPOINTS = {
  na: 'https://sellingpartnerapi-na.amazon.com',
  eu: 'https://sellingpartnerapi-eu.amazon.com',
  fe: 'https://sellingpartnerapi-fe.amazon.com',
} as const;
export const LWA_TOKEN_URL = 'https://api.amazon.com/auth/o2/token';

export const AmazonSpConfigSchema = z.object({
  settings: z.object({
    sellerId: z.string().min(1).describe('Selling partner (merchant) id; the Listings Items API addresses SKUs under it'),
    marketplaceId: z.string().min(1).describe('Marketplace whose orders are read and whose listings receive stock, e.g. ATVPDKIKX0DER (amazon.com)'),
    region: z.enum(['na', 'eu', 'fe']).default('na').describe('SP-API region of the marketplace'),
    baseUrl: z.url().optional().describe("SP-API base URL override (the local simulator); default the region's endpoint"),
    tokenUrl: z.url().optional().describe('Login with Amazon token URL override (the local simulator); default https://api.amazon.com/auth/o2/token'),
    channel: z.string().min(1).describe('Hub channel id that orders from this marketplace belong to'),
    locations: z.record(z.string(), z.string()).default({}).describe('Fulfillment channel code (DEFAULT for seller-fulfilled stock) to hub location id'),
    fulfillmentChannelCode: z
      .string()
      .min(1)
      .default('DEFAULT')
      .describe('fulfillment_channel_code the pushed quantity is written to (DEFAULT: merchant-fulfilled)'),
    productType: z.string().min(1).default('PRODUCT').describe("productType sent with stock patches; a SKU's own `externalIds.productType` wins"),
    feedThreshold: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe('Above this many SKUs in one push, stock goes through one JSON_LISTINGS_FEED instead of patchListingsItem per SKU'),
    feedPollMs: z.number().int().min(10).default(30_000).describe('Interval between getFeed calls while a listings feed is processed'),
    feedMaxWaitMs: z
      .number()
      .int()
      .min(100)
      .default(15 * 60_000)
      .describe("Longest wait for a listings feed's processing report before the push is retried"),
    requestTimeoutMs: z.number().int().min(100).default(15_000).describe('Timeout of one API call'),
    relayToleranceSeconds: z.number().int().min(0).default(300).describe("Largest age of a relayed notification's X-Relay-Timestamp; 0 turns the check off"),
  }),
  credentials: z.object({
    clientId: z.string().min(1).describe('LWA client identifier of the SP-API application'),
    clientSecret: z.string().min(1).describe('LWA client secret'),
    refreshToken: z.string().min(1).describe("LWA refresh token from the selling partner's authorization (Atzr|...)"),
    relaySecret: z
      .string()
      .min(16)
      .describe(
        'Shared secret of the notification relay (the SQS or EventBridge forwarder). The relay sends ' +
          'X-Relay-Timestamp (unix seconds) and X-Relay-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">',
      ),
  }),
});
export type AmazonSpConfig = z.infer<typeof AmazonSpConfigSchema>;
export type AmazonSpSettings = AmazonSpConfig['settings'];
