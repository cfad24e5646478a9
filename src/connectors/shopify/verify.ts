import { createHash, createHmac } from 'node:crypto';
import { constantTimeEqual } from '../http/signatures.js';
import { InvalidSignatureError, StaleDeliveryError } from '../../core/errors.js';
import type { VerifiedDelivery, WebhookRequest } from '../types.js';
import type { ShopifyConfig } from './config.js';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Verifies a Shopify webhook delivery and names it.
 *
 * Signature: base64 HMAC-SHA256 of the raw body bytes keyed with the app client secret, in
 * `X-Shopify-Hmac-Sha256`, compared in constant time. Computed with node:crypto over the raw
 * Buffer: @shopify/shopify-api's `webhooks.validate` needs a whole app configuration, a global
 * runtime adapter and a framework request object, and hashes a decoded string; the test suite
 * checks that both accept and refuse the same deliveries.
 * https://shopify.dev/docs/apps/build/webhooks/verify-deliveries
 *
 * Shop: the app secret is shared by every shop that installed the app, so a delivery signed for
 * another shop would verify; `X-Shopify-Shop-Domain` must be present and be this connector's shop.
 *
 * Age: Shopify retries a failed delivery 8 times over 4 hours with the original payload and its
 * original `X-Shopify-Triggered-At`, so a genuine delivery is never older than that. One older than
 * 4 hours plus `settings.deliverySlackMinutes`, or that far in the future, is a replay of a captured
 * request (or a broken clock) and is refused with `stale_delivery`, which ingress counts.
 * https://shopify.dev/changelog/updates-to-webhook-retry-mechanism
 *
 * Deduplication key: `<topic>:event:<X-Shopify-Event-Id>`. Shopify documents the event id as the
 * duplicate detector: a redelivery or a second subscription sends the same event with a new
 * `X-Shopify-Webhook-Id`, so the delivery id alone would let those through. The topic is part of
 * the key because one merchant action produces deliveries of several topics that share an event id
 * (orders/create and inventory_levels/update), and each must be processed. Without an event id
 * the webhook id, and without either the body's hash, stand in.
 * https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates
 */
/** Shopify's retry window: 8 attempts over 4 hours. */
export const SHOPIFY_RETRY_WINDOW_MS = 4 * 3_600_000;

export function verifyShopifyWebhook(request: WebhookRequest, config: ShopifyConfig, now: number = Date.now()): VerifiedDelivery {
  const headers = lowerCase(request.headers);
  const signature = headers['x-shopify-hmac-sha256']?.trim();
  if (!signature) throw refuse('missing X-Shopify-Hmac-Sha256 header');
  const expected = createHmac('sha256', config.credentials.webhookSecret).update(request.rawBody).digest();
  const given = BASE64.test(signature) ? Buffer.from(signature, 'base64') : Buffer.alloc(0);
  if (!constantTimeEqual(given, expected)) throw refuse('HMAC signature does not match the body');

  const topic = headers['x-shopify-topic']?.trim();
  if (!topic) throw refuse('missing X-Shopify-Topic header');
  const shop = headers['x-shopify-shop-domain']?.trim().toLowerCase();
  if (!shop) throw refuse('missing X-Shopify-Shop-Domain header');
  if (shop !== config.settings.shopDomain.toLowerCase()) {
    throw refuse(`delivery is for shop ${shop}, this connector serves ${config.settings.shopDomain}`);
  }

  const eventId = headers['x-shopify-event-id']?.trim();
  const webhookId = headers['x-shopify-webhook-id']?.trim();
  const dedupKey = eventId
    ? `${topic}:event:${eventId}`
    : webhookId
      ? `${topic}:webhook:${webhookId}`
      : `${topic}:body:${createHash('sha256').update(request.rawBody).digest('hex')}`;
  const triggeredAt = Date.parse(headers['x-shopify-triggered-at'] ?? '');
  if (!Number.isNaN(triggeredAt)) {
    const slack = (config.settings.deliverySlackMinutes ?? 15) * 60_000;
    if (triggeredAt < now - SHOPIFY_RETRY_WINDOW_MS - slack || triggeredAt > now + slack) {
      throw new StaleDeliveryError(
        `shopify webhook refused: X-Shopify-Triggered-At ${new Date(triggeredAt).toISOString()} is outside Shopify's 4-hour retry window (plus ${slack / 60_000} min slack) of ${new Date(now).toISOString()}`,
        { step: 'verify', field: 'headers.x-shopify-triggered-at' },
      );
    }
  }
  return { dedupKey, topic, ...(Number.isNaN(triggeredAt) ? {} : { occurredAt: new Date(triggeredAt).toISOString() }) };
}

function refuse(reason: string): InvalidSignatureError {
  return new InvalidSignatureError(`shopify webhook refused: ${reason}`, { step: 'verify' });
}

function lowerCase(headers: WebhookRequest['headers']): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
