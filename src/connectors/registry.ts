import type { ConnectorDefinition } from './types.js';
import { amazonSpConnector } from './amazon-sp/index.js';
import { canonicalConnector } from './canonical/index.js';
import { ebayConnector } from './ebay/index.js';
import { genericHttpConnector } from './generic-http/index.js';
import { genericWebhookConnector } from './generic-webhook/index.js';
import { shipStationConnector } from './shipstation/index.js';
import { easyPostConnector } from './easypost/index.js';
import { quickBooksConnector } from './quickbooks/index.js';
import { shopifyConnector } from './shopify/index.js';
import { walmartConnector } from './walmart/index.js';

/** Every connector type the hub knows, one per line. Explicit on purpose: no filesystem scanning. */
export const connectorRegistry: readonly ConnectorDefinition[] = [
  shopifyConnector,
  canonicalConnector,
  genericWebhookConnector,
  genericHttpConnector,
  amazonSpConnector,
  ebayConnector,
  walmartConnector,
  shipStationConnector,
  easyPostConnector,
  quickBooksConnector,
];

export function findConnector(type: string): ConnectorDefinition | undefined {
  return connectorRegistry.find((c) => c.type === type);
}

export function knownConnectorTypes(): string[] {
  return connectorRegistry.map((c) => c.type);
}
