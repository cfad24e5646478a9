import { z } from 'zod';

export const EasyPostConfigSchema = z.object({
  settings: z.object({
    baseUrl: z.url().default('https://api.easypost.com/v2').describe('API base URL including the version (the local simulator in tests)'),
    mode: z.enum(['production', 'test']).default('production').describe('Events of the other mode (EasyPost test keys) are acknowledged and ignored'),
    requestTimeoutMs: z.number().int().min(100).default(15_000).describe('Timeout of one API call'),
  }),
  credentials: z.object({
    apiKey: z.string().min(1).describe('API key (Basic auth user name, empty password)'),
    webhookSecret: z.string().min(1).describe('Webhook secret set on the EasyPost webhook; signs X-Hmac-Signature'),
  }),
});
export type EasyPostConfig = z.infer<typeof EasyPostConfigSchema>;

/** An instance's settings with their defaults, however the config reached a normalizer (`hub normalize` passes them as written). */
export function settingsOf(config: { settings?: unknown } | undefined): EasyPostConfig['settings'] {
  const parsed = EasyPostConfigSchema.shape.settings.safeParse(config?.settings ?? {});
  return parsed.success ? parsed.data : EasyPostConfigSchema.shape.settings.parse({});
}
