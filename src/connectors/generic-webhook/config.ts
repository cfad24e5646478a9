import { z } from 'zod';
import { ExpressionSchema, MappingSettingsSchema } from '../../mappings/schema.js';

/** HMAC of the raw body in a request header: `<prefix><digest>`. */
export const HmacVerificationSchema = z.strictObject({
  header: z
    .string()
    .min(1)
    .transform((h) => h.toLowerCase())
    .describe('Header carrying the signature, e.g. X-Acme-Signature'),
  algorithm: z.enum(['sha256', 'sha512', 'sha1']).default('sha256').describe('HMAC hash algorithm'),
  encoding: z.enum(['hex', 'base64']).default('hex').describe('How the digest is written'),
  prefix: z.string().default('').describe('Text before the digest, e.g. "sha256="'),
});

/** A shared key the sender puts in a header. */
export const ApiKeyVerificationSchema = z.strictObject({
  header: z
    .string()
    .min(1)
    .transform((h) => h.toLowerCase())
    .describe('Header carrying the key, e.g. X-Api-Key'),
});

/** Where a value of the delivery comes from: a header, a JSONata expression over the body, or a constant. */
const SourceSchema = z
  .strictObject({
    header: z
      .string()
      .min(1)
      .transform((h) => h.toLowerCase())
      .optional(),
    expression: ExpressionSchema.optional(),
    value: z.string().min(1).optional(),
  })
  .refine((s) => [s.header, s.expression, s.value].filter((v) => v !== undefined).length === 1, { message: 'give exactly one of header, expression or value' });

export const GenericWebhookSettingsSchema = MappingSettingsSchema.extend({
  verify: z
    .strictObject({ hmac: HmacVerificationSchema.optional(), apiKey: ApiKeyVerificationSchema.optional() })
    .refine((v) => (v.hmac === undefined) !== (v.apiKey === undefined), { message: 'give exactly one of hmac or apiKey' })
    .describe('How a delivery proves it comes from the sender; the key is credentials.hmacSecret or credentials.apiKey'),
  topic: SourceSchema.describe('Which settings.events entry a delivery is: a header, an expression over the body or a constant'),
  dedup: SourceSchema.describe('Deduplication key of a delivery (a repeat is acknowledged and dropped)'),
  occurredAt: ExpressionSchema.optional().describe('When the sender says the delivery happened'),
});

/**
 * A webhook sender defined entirely in config: verification, topics, dedup key and per-topic
 * mappings from the raw body to canonical events.
 */
export const GenericWebhookConfigSchema = z.object({
  settings: GenericWebhookSettingsSchema,
  credentials: z
    .strictObject({
      hmacSecret: z.string().min(16, 'must be at least 16 characters').optional().describe('HMAC key shared with the sender (verify.hmac)'),
      apiKey: z.string().min(16, 'must be at least 16 characters').optional().describe('Key the sender presents (verify.apiKey)'),
    })
    .prefault({}),
});
export type GenericWebhookConfig = z.infer<typeof GenericWebhookConfigSchema>;
