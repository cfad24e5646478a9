import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidSignatureError } from '../../core/errors.js';
import { parseJsonPreservingIds } from '../http/json.js';
import type { VerifiedDelivery, WebhookRequest } from '../types.js';
import type { AmazonSpConfig } from './config.js';

/** Header names the relay signs with; redacted wherever headers are stored or shown. */
export const RELAY_SIGNATURE_HEADERS = ['x-relay-signature', 'x-relay-timestamp'] as const;

/** The HMAC a relay sends: `sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body>` keyed with the shared secret. */
export function signRelayDelivery(rawBody: Buffer | string, timestamp: number, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/**
 * Verifies a notification delivered by the hub's relay and names it.
 *
 * Amazon delivers SP-API notifications to an SQS queue or an EventBridge bus, never to an HTTP
 * endpoint, so a small forwarder (the relay) reads them and POSTs each one, unchanged, to
 * `/webhooks/<connectorId>`. Amazon signs nothing the hub could check, so the relay signs:
 * - `X-Relay-Timestamp`: unix seconds when it sent the request;
 * - `X-Relay-Signature`: `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` keyed with
 *   `credentials.relaySecret`, compared in constant time. A timestamp older or newer than
 *   `settings.relayToleranceSeconds` is refused (a captured request cannot be replayed later).
 *
 * Body: the notification JSON as Amazon wrote it (the SQS message body), or an EventBridge event
 * whose `detail` is that notification; both are accepted and the normalizer unwraps the latter.
 * https://developer-docs.amazon.com/sp-api/docs/notifications-api-v1-use-case-guide
 *
 * Deduplication key: `<NotificationType>:<NotificationMetadata.NotificationId>`, Amazon's unique id
 * of one notification (SQS delivers at least once, so repeats happen).
 * https://developer-docs.amazon.com/sp-api/docs/notifications-api-v1-use-case-guide#notification-structure
 */
export function verifyAmazonRelay(request: WebhookRequest, config: AmazonSpConfig, now: () => number = Date.now): VerifiedDelivery {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v?.trim()]));
  const signature = headers['x-relay-signature'];
  const timestamp = headers['x-relay-timestamp'];
  if (!signature) throw refuse('missing X-Relay-Signature header');
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) throw refuse('missing or malformed X-Relay-Timestamp header');
  const expected = Buffer.from(signRelayDelivery(request.rawBody, Number(timestamp), config.credentials.relaySecret));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refuse('HMAC signature does not match the body');
  const tolerance = config.settings.relayToleranceSeconds;
  if (tolerance > 0 && Math.abs(now() / 1000 - Number(timestamp)) > tolerance) throw refuse(`X-Relay-Timestamp is more than ${tolerance} s away from now`);

  let body: unknown;
  try {
    body = parseJsonPreservingIds(request.rawBody.toString('utf8'));
  } catch {
    throw refuse('body is not JSON');
  }
  const notification = unwrapNotification(body);
  const type = notification?.['NotificationType'];
  const meta = notification?.['NotificationMetadata'] as Record<string, unknown> | undefined;
  const id = meta?.['NotificationId'];
  // A signed body that is not a notification is still the relay's word: it is accepted and the
  // normalizer reports what is missing, under a key that cannot collide with a real notification.
  const topic = typeof type === 'string' && type !== '' ? type : 'unknown';
  const dedupKey = typeof id === 'string' && id !== '' ? `${topic}:${id}` : `${topic}:unsigned-id:${signature}`;
  const rawTime = notification?.['EventTime'];
  const eventTime = typeof rawTime === 'string' ? Date.parse(rawTime) : Number.NaN;
  return { dedupKey, topic, ...(Number.isNaN(eventTime) ? {} : { occurredAt: new Date(eventTime).toISOString() }) };
}

/** The SP-API notification inside a delivery: the body itself, or an EventBridge event's `detail`. */
export function unwrapNotification(body: unknown): Record<string, unknown> | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  if ('detail-type' in record && record['detail'] !== null && typeof record['detail'] === 'object') return record['detail'] as Record<string, unknown>;
  return record;
}

function refuse(reason: string): InvalidSignatureError {
  return new InvalidSignatureError(`amazon-sp relay delivery refused: ${reason}`, { step: 'verify' });
}
