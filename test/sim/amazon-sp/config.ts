import type { AmazonSimulator } from './server.js';

export interface AmazonSimConnectorOptions {
  /** Connector instance id (default `amazon-main`). */
  id?: string;
  /** Hub channel its orders belong to (default `amazon`). */
  channel?: string;
  /** Hub location of the merchant-fulfilled stock (fulfillment channel DEFAULT). */
  location: string;
  /** The notification relay's shared secret (default a fixed test value). */
  relaySecret?: string;
  /** Further `settings` lines, e.g. `feedThreshold: 5`. */
  settings?: string[];
  /** Further instance lines, e.g. `schedules: { pollOrders: { every: 1000 } }`. */
  extra?: string[];
}

export const SIM_RELAY_SECRET = 'sim-relay-secret-0123456789abcdef';

/**
 * The YAML of an `amazon-sp` connector instance pointed at a simulator, as one item of a config's
 * `connectors:` list (two-space indent), for tests, benches and the demo.
 */
export function simAmazonConnectorYaml(sim: AmazonSimulator, o: AmazonSimConnectorOptions): string {
  return [
    `  - id: ${o.id ?? 'amazon-main'}`,
    '    type: amazon-sp',
    '    settings:',
    `      sellerId: ${sim.sellerId}`,
    `      marketplaceId: ${sim.marketplaceId}`,
    `      baseUrl: ${sim.url}`,
    `      tokenUrl: ${sim.url}/auth/o2/token`,
    `      channel: ${o.channel ?? 'amazon'}`,
    `      locations: { DEFAULT: ${o.location} }`,
    ...(o.settings ?? []).map((line) => `      ${line}`),
    `    credentials: { clientId: "${sim.credentials.clientId}", clientSecret: "${sim.credentials.clientSecret}", refreshToken: "${sim.credentials.refreshToken}", relaySecret: "${o.relaySecret ?? SIM_RELAY_SECRET}" }`,
    ...(o.extra ?? []).map((line) => `    ${line}`),
  ].join('\n');
}
