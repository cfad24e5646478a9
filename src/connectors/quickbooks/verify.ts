import { createHash, createHmac } from 'node:crypto';
import { constantTimeEqual } from '../http/signatures.js';
import { InvalidSignatureError } from '../../core/errors.js';
import type { VerifiedDelivery, WebhookRequest } from '../types.js';
import type { QuickBooksConfig } from './config.js';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Every notification, in either format, is one topic: the fetch step reads the entities it names. */
export const QBO_NOTIFICATION_TOPIC = 'notification';

/**
 * Verifies a QuickBooks webhook notification and names it.
 *
 * Signature: `intuit-signature` is the base64 HMAC-SHA256 of the raw body keyed with the app's
 * webhook verifier token; compared in constant time over the decoded bytes. The same header signs
 * the legacy `eventNotifications` envelope and the CloudEvents array.
 * https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks
 *
 * Deduplication key: QuickBooks sends no delivery id header. A CloudEvents notification is keyed by
 * its sorted event ids (each event id is unique); a legacy one by the hash of its body, so a
 * redelivered notification is acknowledged and dropped. Entities repeated across different
 * notifications are collapsed later, when the fetched entity versions are recorded.
 */
export function verifyQuickBooksWebhook(request: WebhookRequest, config: QuickBooksConfig): VerifiedDelivery {
  const signature = header(request, 'intuit-signature');
  if (!signature) throw refuse('missing intuit-signature header');
  const token = config.credentials.webhookVerifierToken;
  if (!token) throw refuse('credentials.webhookVerifierToken is not configured, so no notification can be verified');
  const expected = createHmac('sha256', token).update(request.rawBody).digest();
  const given = BASE64.test(signature) ? Buffer.from(signature, 'base64') : Buffer.alloc(0);
  if (!constantTimeEqual(given, expected)) throw refuse('signature does not match the body');
  return { dedupKey: dedupKeyOf(request.rawBody), topic: QBO_NOTIFICATION_TOPIC, ...occurredAt(request.rawBody) };
}

function dedupKeyOf(rawBody: Buffer): string {
  const parsed = tryParse(rawBody);
  if (Array.isArray(parsed)) {
    const ids = parsed.map((e) => (e as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string');
    if (ids.length === parsed.length && ids.length > 0) {
      return `ce:${createHash('sha256')
        .update([...ids].sort().join('\n'))
        .digest('hex')}`;
    }
  }
  return `body:${createHash('sha256').update(rawBody).digest('hex')}`;
}

/** The earliest event time a notification states, if any. */
function occurredAt(rawBody: Buffer): { occurredAt?: string } {
  const parsed = tryParse(rawBody);
  const times: unknown[] = Array.isArray(parsed)
    ? parsed.map((e) => (e as { time?: unknown } | null)?.time)
    : ((parsed as { eventNotifications?: { dataChangeEvent?: { entities?: { lastUpdated?: unknown }[] } }[] } | null)?.eventNotifications ?? []).flatMap((n) =>
        (n?.dataChangeEvent?.entities ?? []).map((e) => e?.lastUpdated),
      );
  const instants = times.map((t) => (typeof t === 'string' ? Date.parse(t) : Number.NaN)).filter((t) => Number.isFinite(t));
  return instants.length > 0 ? { occurredAt: new Date(Math.min(...instants)).toISOString() } : {};
}

function tryParse(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    return undefined;
  }
}

function header(request: WebhookRequest, name: string): string | undefined {
  for (const [k, v] of Object.entries(request.headers)) if (k.toLowerCase() === name) return v?.trim();
  return undefined;
}

function refuse(reason: string): InvalidSignatureError {
  return new InvalidSignatureError(`quickbooks webhook refused: ${reason}`, { step: 'verify' });
}

/** Signs a body as QuickBooks does (for the simulator and tests). */
export function signQuickBooks(rawBody: string | Buffer, verifierToken: string): string {
  return createHmac('sha256', verifierToken).update(rawBody).digest('base64');
}
