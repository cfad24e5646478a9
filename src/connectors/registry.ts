import type { ConnectorDefinition } from './types.js';
import { canonicalConnector } from './canonical/index.js';
import { genericHttpConnector } from './generic-http/index.js';
import { genericWebhookConnector } from './generic-webhook/index.js';
import { shopifyConnector } from './shopify/index.js';
import { shipStationConnector } from './shipstation/index.js';
import { easyPostConnector } from './easypost/index.js';

/** Every connector type the hub knows. Explicit on purpose: no filesystem scanning. */
export const connectorRegistry: readonly ConnectorDefinition[] = [
  shopifyConnector,
  canonicalConnector,
  genericWebhookConnector,
  genericHttpConnector,
  shipStationConnector,
  easyPostConnector,
];

export function findConnector(type: string): ConnectorDefinition | undefined {
  return connectorRegistry.find((c) => c.type === type);
}

export function knownConnectorTypes(): string[] {
  return connectorRegistry.map((c) => c.type);
}
