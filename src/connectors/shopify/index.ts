import { defineConnector } from '../types.js';
import { ShopifyConfigSchema } from './config.js';

/** Shopify storefront: Admin GraphQL API and signed webhooks. */
export const shopifyConnector = defineConnector({
  type: 'shopify',
  category: 'storefront',
  displayName: 'Shopify',
  version: '0.1.0',
  configSchema: ShopifyConfigSchema,
  capabilities: ['webhooks', 'poll', 'push.availability', 'push.fulfillment', 'reconcile.inventory', 'reconcile.orders'],
  // GraphQL Admin API: a 1,000-point bucket refilled at 50 points/s on standard plans.
  // https://shopify.dev/docs/api/usage/limits#graphql-admin-api-rate-limits
  rateLimit: { max: 2, durationMs: 1000, retryAfterHeaders: ['retry-after'] },
});
