import { z } from 'zod';

/** Walmart's production host; tests and the simulator point `settings.baseUrl` elsewhere. https://developer.walmart.com/us-marketplace/docs/api-integration-usage */
export const WALMART_DEFAULT_BASE_URL = 'https://marketplace.walmartapis.com';

export const WalmartConfigSchema = z.object({
  settings: z.object({
    baseUrl: z.url().default(WALMART_DEFAULT_BASE_URL).describe('API endpoint base URL (production, https://sandbox.walmartapis.com, or a local simulator)'),
    channel: z.string().min(1).describe('Hub channel id that orders from this seller account belong to'),
    locations: z.record(z.string(), z.string()).default({}).describe('Walmart ship node id to hub location id (reconciliation reads these nodes)'),
    shipNode: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Ship node that receives the channel's availableToSell. Default: the only key of `locations`, " +
          "else the seller's default virtual node (no shipNode parameter)",
      ),
    serviceName: z.string().min(1).default('Walmart Marketplace').describe('WM_SVC.NAME header sent on every call'),
    channelType: z.string().min(1).optional().describe('WM_CONSUMER.CHANNEL.TYPE header, when Walmart gave you one (solution providers)'),
    acknowledgeOrders: z
      .boolean()
      .default(true)
      .describe('Acknowledge new purchase orders (lines in Created) as they are polled; Walmart expects it before shipping'),
    singleUpdateMax: z
      .number()
      .int()
      .min(0)
      .max(50)
      .default(10)
      .describe('Pushes of at most this many SKUs use the single-item inventory update; larger ones one bulk inventory feed'),
    feedPollIntervalMs: z.number().int().min(10).default(5_000).describe("How often a submitted inventory feed's status is read"),
    feedMaxWaitMs: z
      .number()
      .int()
      .min(0)
      .default(120_000)
      .describe("How long a push waits for a feed's per-SKU results before counting the accepted feed as done"),
    shipMethodCode: z
      .enum(['Standard', 'Express', 'OneDay', 'Freight', 'WhiteGlove', 'Value'])
      .default('Standard')
      .describe('methodCode sent with shipping updates'),
    requestTimeoutMs: z.number().int().min(100).default(15_000).describe('Timeout of one API call'),
  }),
  credentials: z.object({
    clientId: z.string().min(1).describe('Client ID from the Walmart Developer Portal'),
    clientSecret: z.string().min(1).describe('Client Secret from the Walmart Developer Portal'),
  }),
});
export type WalmartConfig = z.infer<typeof WalmartConfigSchema>;
export type WalmartSettings = WalmartConfig['settings'];

/** The ship node pushes go to: `shipNode`, else the only mapped node, else none (the default virtual node). */
export function pushShipNode(settings: Pick<WalmartSettings, 'shipNode' | 'locations'>): string | undefined {
  if (settings.shipNode) return settings.shipNode;
  const keys = Object.keys(settings.locations);
  return keys.length === 1 ? keys[0] : undefined;
}
