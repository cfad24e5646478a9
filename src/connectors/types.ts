import type { z } from 'zod';

export const CONNECTOR_CATEGORIES = ['storefront', 'marketplace', '3pl', 'carrier', 'accounting', 'generic'] as const;
export type ConnectorCategory = (typeof CONNECTOR_CATEGORIES)[number];

export type ConnectorCapability =
  | 'webhooks'
  | 'poll'
  | 'push.availability'
  | 'push.fulfillment'
  | 'push.order'
  | 'push.invoice'
  | 'reconcile.inventory'
  | 'reconcile.orders';

/** A rate limit as the external API documents it. */
export interface RateLimitSpec {
  /** Requests allowed per `durationMs`. */
  max: number;
  durationMs: number;
  /** Response headers that carry a wait time, most specific first. */
  retryAfterHeaders?: string[];
}

/**
 * What a connector type declares about itself. A plain object checked by `defineConnector()`.
 * The hub config schema and the list of known types are derived from the registry of these.
 */
export interface ConnectorDefinition<TSchema extends z.ZodObject = z.ZodObject> {
  /** Kebab id used as `type` in config: `shopify`, `amazon-sp`, `generic-webhook`. */
  type: string;
  category: ConnectorCategory;
  displayName: string;
  version: string;
  /**
   * zod schema of the type-specific part of a connector instance in config (`settings`,
   * `credentials`). Put secrets under `credentials`: the whole object is redacted from logs.
   */
  configSchema: TSchema;
  capabilities: ConnectorCapability[];
  /** Default client-side rate limit; config may override it per instance. */
  rateLimit: RateLimitSpec;
}

export function defineConnector<TSchema extends z.ZodObject>(def: ConnectorDefinition<TSchema>): ConnectorDefinition<TSchema> {
  return def;
}
