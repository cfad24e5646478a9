import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { InvalidSignatureError, ValidationError } from '../../core/errors.js';
import { CanonicalEventSchema, SlugSchema, zodIssues, type CanonicalEvent } from '../../core/model/index.js';
import { constantTimeEqual } from '../http/signatures.js';
import { defineConnector, type WebhookRequest } from '../types.js';

/**
 * Canonical events over HTTP, for systems that already speak the hub's model (a custom WMS, an
 * internal tool, tests). A delivery is one event or an array of events, signed with HMAC-SHA256:
 *
 *   X-Hub-Signature-256: sha256=<hex of HMAC-SHA256(rawBody, webhookSecret)>
 *   X-Hub-Delivery-Id:   unique per logical delivery (repeats are dropped)
 */
export const CanonicalConfigSchema = z.object({
  settings: z
    .object({
      channels: z.array(SlugSchema).min(1).optional().describe('Channels this sender may act on; any other is refused (default: every channel)'),
      locations: z.array(SlugSchema).min(1).optional().describe('Locations this sender may act on; any other is refused (default: every location)'),
    })
    .prefault({}),
  credentials: z.object({
    webhookSecret: z.string().min(16, 'must be at least 16 characters').describe('HMAC-SHA256 key shared with the sender'),
  }),
});
export type CanonicalConfig = z.infer<typeof CanonicalConfigSchema>;

export const CANONICAL_TOPIC = 'events';

/** Signs a body as the connector expects it: `sha256=<hex>`. */
export function signCanonical(rawBody: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

function verifyCanonical(request: WebhookRequest, config: CanonicalConfig) {
  const given = request.headers['x-hub-signature-256'] ?? '';
  const expected = signCanonical(request.rawBody, config.credentials.webhookSecret);
  if (!constantTimeEqual(given, expected)) {
    throw new InvalidSignatureError('X-Hub-Signature-256 does not match the body', { field: 'headers.x-hub-signature-256' });
  }
  const deliveryId = request.headers['x-hub-delivery-id'];
  if (!deliveryId) {
    throw new ValidationError('X-Hub-Delivery-Id header is required', { code: 'missing_field', field: 'headers.x-hub-delivery-id' });
  }
  return { dedupKey: deliveryId, topic: CANONICAL_TOPIC };
}

export const canonicalConnector = defineConnector({
  type: 'canonical',
  category: 'generic',
  displayName: 'Canonical events (HTTP)',
  version: '0.1.0',
  configSchema: CanonicalConfigSchema,
  capabilities: ['webhooks'],
  rateLimit: { max: 100, durationMs: 1000 },
  webhooks: {
    verify: verifyCanonical,
    topics: {
      [CANONICAL_TOPIC]: (body, ctx): CanonicalEvent[] => {
        const items = Array.isArray(body) ? body : [body];
        return items.map((item, i) => {
          // The sender cannot speak for another connector: source.connector is always this instance.
          const withSource =
            item !== null && typeof item === 'object'
              ? { ...item, source: { ...(item as { source?: object }).source, connector: ctx.connectorId, connectorType: ctx.connectorType } }
              : item;
          const parsed = CanonicalEventSchema.safeParse(withSource);
          if (!parsed.success) {
            const prefix = Array.isArray(body) ? [i] : [];
            const issues = zodIssues(parsed.error, prefix);
            const first = issues[0];
            throw new ValidationError(`${ctx.connectorId}: ${issues.map((x) => `${x.path}: ${x.message}`).join('; ')}`, {
              connectorId: ctx.connectorId,
              field: first?.path,
              code: first?.message === 'required' ? 'missing_field' : 'invalid_value',
            });
          }
          // The sender's key lives in this instance's namespace: it cannot claim another connector's keys.
          const key = parsed.data.idempotencyKey;
          return { ...parsed.data, idempotencyKey: key.startsWith(`${ctx.connectorId}:`) ? key : `${ctx.connectorId}:${key}` };
        });
      },
    },
  },
});
