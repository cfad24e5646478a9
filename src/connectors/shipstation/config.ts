import { z } from 'zod';
import { isTimeZone } from './dates.js';

/** The documented V1 API host. https://docs.shipstation.com/apis/shipstation-v1/docs/start-here/requirements */
export const SHIPSTATION_API_HOST = 'ssapi.shipstation.com';

/** A host name, or one with a `*` standing for digits only (`ssapi*.shipstation.com`). */
const HostPatternSchema = z.string().regex(/^[a-z0-9*][a-z0-9.*-]*(:\d+)?$/, 'must be a lower-case host name, optionally with * for digits and a :port');

export const ShipStationConfigSchema = z.object({
  settings: z.object({
    baseUrl: z.url().default(`https://${SHIPSTATION_API_HOST}`).describe('API base URL (the local simulator in tests); default https://ssapi.shipstation.com'),
    sourceTimeZone: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone such as "America/Los_Angeles"')
      .default('America/Los_Angeles')
      .describe(
        'Zone of the V1 API\'s offset-less timestamps ("2015-06-29T08:46:27.0000000"). ShipStation writes them in US ' +
          "Pacific time whatever the account's own zone, so the default is America/Los_Angeles (daylight saving " +
          'included). Every timestamp read is converted from this zone to UTC, and createorder dates are written in it.',
      ),
    locations: z
      .record(z.string(), z.string())
      .default({})
      .describe('ShipStation warehouseId (Ship From location) to hub location id: the locations this 3PL serves'),
    storeId: z
      .string()
      .regex(/^\d+$/)
      .optional()
      .describe("ShipStation store that receives pushed orders (advancedOptions.storeId); default: the account's manual store"),
    resourceHosts: z
      .array(HostPatternSchema)
      .min(1)
      .default([SHIPSTATION_API_HOST])
      .describe(
        'Hosts a SHIP_NOTIFY resource_url may name. The hub fetches it with the API credentials, so any other host is refused. ' +
          'Notifications have come from numbered hosts; allow them with "ssapi*.shipstation.com" (* matches digits only). ' +
          'The host of baseUrl is always allowed.',
      ),
    requestTimeoutMs: z.number().int().min(100).default(15_000).describe('Timeout of one API call'),
    maxThrottleWaitMs: z
      .number()
      .int()
      .min(0)
      .default(30_000)
      .describe('Longest wait for the rate-limit window within one call before the job is given back to the queue'),
  }),
  credentials: z.object({
    apiKey: z.string().min(1).describe('API Key (Basic auth user name)'),
    apiSecret: z.string().min(1).describe('API Secret (Basic auth password)'),
    webhookToken: z
      .string()
      .min(16, 'must be at least 16 characters')
      .describe('Secret token in the webhook URL registered with ShipStation (SHIP_NOTIFY carries no signature)'),
  }),
});
export type ShipStationConfig = z.infer<typeof ShipStationConfigSchema>;
export type ShipStationSettings = ShipStationConfig['settings'];

/**
 * An instance's settings with their defaults, however the config reached a normalizer (previews
 * such as `hub normalize` pass settings as written, without defaults).
 */
export function settingsOf(config: { settings?: unknown } | undefined): ShipStationSettings {
  const parsed = ShipStationConfigSchema.shape.settings.safeParse(config?.settings ?? {});
  return parsed.success ? parsed.data : ShipStationConfigSchema.shape.settings.parse({});
}
