import { z } from 'zod';
import { ExpressionSchema } from '../../mappings/schema.js';
import { expressionError } from '../../mappings/expressions.js';

/** `{{ expression }}` placeholders in a URL or header, each a JSONata expression over the request's input. */
const TemplateSchema = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    for (const [, expr] of text.matchAll(/\{\{(.+?)\}\}/g)) {
      const error = expressionError(expr!.trim());
      if (error) ctx.addIssue({ code: 'custom', message: error });
    }
  });

/** One kind of outbound request. */
export const HttpRequestSpecSchema = z.strictObject({
  url: TemplateSchema.describe('URL template: "https://wms.example.com/stock/{{ sku }}" (placeholders are URI-encoded)'),
  method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
  headers: z.record(z.string(), TemplateSchema).default({}).describe('Header templates; $credentials holds the instance credentials'),
  body: ExpressionSchema.optional().describe('JSONata expression whose result is sent as the JSON body'),
  batch: z.boolean().default(false).describe('availability only: one request for the whole batch (input { items }) instead of one per SKU'),
  success: z
    .strictObject({
      status: z.array(z.number().int().min(100).max(599)).optional().describe('Statuses that mean success; default any 2xx'),
      expression: ExpressionSchema.optional().describe('Also required: true over { status, headers, body } of the response'),
    })
    .prefault({}),
});
export type HttpRequestSpec = z.infer<typeof HttpRequestSpecSchema>;

/**
 * An HTTP API the hub writes to, defined in config: a request spec per action. The rate limit is
 * the instance's `rateLimit`; retries follow the shared status table (429/5xx retry, 4xx do not).
 */
export const GenericHttpConfigSchema = z.object({
  settings: z
    .strictObject({
      availability: HttpRequestSpecSchema.optional().describe('push.availability: input { sku, channel, available, version, externalIds }'),
      fulfillment: HttpRequestSpecSchema.optional().describe('push.fulfillment: input the shipment plus externalIds'),
      timeoutMs: z.number().int().min(100).default(10_000).describe('Time-out of one request'),
      retryAfterHeaders: z.array(z.string()).default(['retry-after']).describe('Response headers carrying a wait time'),
    })
    .refine((s) => s.availability !== undefined || s.fulfillment !== undefined, { message: 'give availability and/or fulfillment' }),
  credentials: z.record(z.string(), z.string()).default({}).describe('Values for header templates ($credentials.token); never logged'),
});
export type GenericHttpConfig = z.infer<typeof GenericHttpConfigSchema>;
