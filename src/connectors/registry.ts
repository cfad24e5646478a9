import type { ConnectorDefinition } from './types.js';
import { canonicalConnector } from './canonical/index.js';
import { genericHttpConnector } from './generic-http/index.js';
import { genericWebhookConnector } from './generic-webhook/index.js';
import { quickBooksConnector } from './quickbooks/index.js';
import { shopifyConnector } from './shopify/index.js';

/** Every connector type the hub knows. Explicit on purpose: no filesystem scanning. */
export const connectorRegistry: readonly ConnectorDefinition[] = [shopifyConnector, canonicalConnector, genericWebhookConnector, genericHttpConnector, quickBooksConnector];

export function findConnector(type: string): ConnectorDefinition | undefined {
  return connectorRegistry.find((c) => c.type === type);
}

export function knownConnectorTypes(): string[] {
  return connectorRegistry.map((c) => c.type);
}
