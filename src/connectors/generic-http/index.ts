import { defineConnector } from '../types.js';
import { createGenericHttpClient } from './client.js';
import { GenericHttpConfigSchema } from './config.js';

/**
 * Any HTTP API the hub pushes to (a WMS's stock endpoint, a storefront's tracking endpoint),
 * defined in config: URL, method, header and body templates, success criteria, rate limit.
 */
export const genericHttpConnector = defineConnector({
  type: 'generic-http',
  category: 'generic',
  displayName: 'Generic HTTP (configured)',
  version: '0.1.0',
  configSchema: GenericHttpConfigSchema,
  capabilities: ['push.availability', 'push.fulfillment'],
  // An instance pushes only what it has a request for: a fulfilment-only endpoint gets no stock.
  discover: (config) => [
    ...(config.settings.availability ? (['push.availability'] as const) : []),
    ...(config.settings.fulfillment ? (['push.fulfillment'] as const) : []),
  ],
  rateLimit: { max: 5, durationMs: 1000 },
  pushBatchSize: 50,
  createClient: (config) => createGenericHttpClient(config),
});
