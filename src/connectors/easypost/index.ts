import { type ClientDeps, type WebhookSpec, defineConnector } from '../types.js';
import { type EasyPostClient, createEasyPostClient } from './client.js';
import { type EasyPostConfig, EasyPostConfigSchema } from './config.js';
import { TRACKER_UPDATED, normalizeTrackerUpdated } from './inbound/tracker-updated.js';
import { verifyEasyPostWebhook } from './verify.js';

export const easyPostWebhooks: WebhookSpec<EasyPostConfig> = {
  signatureHeaders: ['x-hmac-signature'],
  verify: verifyEasyPostWebhook,
  topics: { [TRACKER_UPDATED]: normalizeTrackerUpdated },
  // Tracking numbers stand in for order keys: the carrier knows no order.
  keys: (_topic, body) => {
    const code = (body as { result?: { tracking_code?: unknown } } | null)?.result?.tracking_code;
    return { orderKeys: typeof code === 'string' && code ? [code] : [], skus: [] };
  },
};

/** What an EasyPost instance can do at run time (the order-to-cash flow calls `createTracker`). */
export type EasyPostConnectorClient = EasyPostClient;

export function createEasyPostConnectorClient(config: EasyPostConfig & { id: string }, deps: ClientDeps): EasyPostConnectorClient {
  return createEasyPostClient(config, deps);
}

/**
 * EasyPost, a carrier tracker: a tracker per confirmed shipment out (createTracker), tracker.updated
 * webhooks in (X-Hmac-Signature) as `shipment.tracking.updated` joined on tracking code and carrier.
 * Register the webhook at `POST /webhooks/<connectorId>` with `credentials.webhookSecret` as its secret.
 */
export const easyPostConnector = defineConnector({
  type: 'easypost',
  category: 'carrier',
  displayName: 'EasyPost',
  version: '0.1.0',
  configSchema: EasyPostConfigSchema,
  capabilities: ['webhooks', 'push.tracker'],
  // EasyPost documents no fixed figure; it answers 429 under load. https://docs.easypost.com/docs/errors
  rateLimit: { max: 5, durationMs: 1000, retryAfterHeaders: ['retry-after'] },
  webhooks: easyPostWebhooks,
  createClient: createEasyPostConnectorClient,
});
