import { z } from 'zod';

/** Admin API version the connector is written against; override per instance only after testing. */
export const SHOPIFY_DEFAULT_API_VERSION = '2025-07';

export const ShopifyConfigSchema = z.object({
  settings: z.object({
    shopDomain: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$|^[a-z0-9.-]+(:\d+)?$/, 'must be a shop domain such as "my-shop.myshopify.com"')
      .describe('The shop\'s myshopify.com domain'),
    apiVersion: z
      .string()
      .regex(/^\d{4}-\d{2}$|^unstable$/, 'must be an Admin API version such as "2025-07"')
      .default(SHOPIFY_DEFAULT_API_VERSION),
    /** Base URL override, for the local simulator. */
    baseUrl: z.url().optional(),
    /** Maps Shopify location ids to hub location ids. */
    locations: z.record(z.string(), z.string()).default({}),
    /** Hub channel id that orders from this shop belong to. */
    channel: z.string().min(1),
  }),
  credentials: z.object({
    accessToken: z.string().min(1).describe('Admin API access token'),
    webhookSecret: z.string().min(1).describe('App client secret used to sign webhooks'),
  }),
});
export type ShopifyConfig = z.infer<typeof ShopifyConfigSchema>;
