import { mapPayload, mappingsFor } from '../../mappings/engine.js';
import { defineConnector, type AsyncNormalizer } from '../types.js';
import { GenericWebhookConfigSchema, type GenericWebhookConfig } from './config.js';
import { verifyGeneric } from './verify.js';

/** The normalizer of one configured event kind: the mapping engine over `settings.events[topic]`. */
function configuredTopic(topic: string, config: GenericWebhookConfig): AsyncNormalizer<GenericWebhookConfig> | undefined {
  if (!Object.hasOwn(config.settings.events, topic)) return undefined;
  return (body, ctx) =>
    mapPayload(mappingsFor(config.settings), body, {
      connectorId: ctx.connectorId,
      connectorType: ctx.connectorType,
      eventName: topic,
      receivedAt: ctx.receivedAt,
      lookup: ctx.lookup,
    });
}

/**
 * Any system that posts JSON webhooks (a 3PL's shipment notices, a WMS's receipts), onboarded by
 * config alone: HMAC or API-key verification, topic and dedup key from a header or an expression,
 * and per-topic mappings to canonical events (see src/mappings).
 */
export const genericWebhookConnector = defineConnector({
  type: 'generic-webhook',
  category: 'generic',
  displayName: 'Generic webhook (configured)',
  version: '0.1.0',
  configSchema: GenericWebhookConfigSchema,
  capabilities: ['webhooks'],
  rateLimit: { max: 100, durationMs: 1000 },
  webhooks: {
    verify: verifyGeneric,
    topics: {},
    configuredTopic,
  },
});
