import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../http/signatures.js';
import { InvalidSignatureError, ValidationError } from '../../core/errors.js';
import type { VerifiedDelivery, WebhookRequest } from '../types.js';
import type { EasyPostConfig } from './config.js';

const PREFIX = 'hmac-sha256-hex=';

/** The `X-Hmac-Signature` value EasyPost sends for `rawBody` signed with `secret`. */
export function easypostSignature(rawBody: Buffer | string, secret: string): string {
  const key = Buffer.from(secret.normalize('NFKD'), 'utf8');
  return PREFIX + createHmac('sha256', key).update(rawBody).digest('hex');
}

/**
 * Verifies an EasyPost webhook as the official clients' validateWebhook does: HMAC-SHA256, hex,
 * of the raw body, keyed with the webhook secret normalized to NFKD and encoded as UTF-8, sent as
 * `X-Hmac-Signature: hmac-sha256-hex=<hex>`, compared in constant time. (The Node client also
 * rewrites `"weight": 1` to `1.0` first, for callers that hand it a re-serialized body; the hub
 * has the raw bytes EasyPost signed, as the Python client does.)
 * https://docs.easypost.com/guides/webhooks-guide#hmac-validation
 *
 * Deduplication key: the Event id (`evt_...`), the same on every retry of an event.
 */
export function verifyEasyPostWebhook(request: WebhookRequest, config: EasyPostConfig): VerifiedDelivery {
  const header = Object.entries(request.headers)
    .find(([k]) => k.toLowerCase() === 'x-hmac-signature')?.[1]
    ?.trim();
  if (!header) throw refuse('missing X-Hmac-Signature header');
  if (!constantTimeEqual(header, easypostSignature(request.rawBody, config.credentials.webhookSecret))) throw refuse('HMAC signature does not match the body');

  let body: { id?: unknown; description?: unknown; created_at?: unknown };
  try {
    body = JSON.parse(request.rawBody.toString('utf8')) as typeof body;
  } catch {
    throw new ValidationError('easypost webhook: body is not JSON', { step: 'verify', field: 'body' });
  }
  if (typeof body?.id !== 'string' || body.id === '' || typeof body.description !== 'string' || body.description === '') {
    throw new ValidationError('easypost webhook: an Event needs id and description', { step: 'verify', field: 'id', code: 'missing_field' });
  }
  const at = typeof body.created_at === 'string' ? Date.parse(body.created_at) : Number.NaN;
  return { dedupKey: `event:${body.id}`, topic: body.description, ...(Number.isNaN(at) ? {} : { occurredAt: new Date(at).toISOString() }) };
}

function refuse(reason: string): InvalidSignatureError {
  return new InvalidSignatureError(`easypost webhook refused: ${reason}`, { step: 'verify' });
}
