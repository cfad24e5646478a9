import type { EbaySimulator } from './server.js';

export interface EbaySimConnectorOptions {
  /** Connector instance id (default `ebay-main`). */
  id?: string;
  /** Hub channel its orders belong to (default `ebay`). */
  channel?: string;
  /** Hub location named for eBay's ship-to-home quantity in reconciliation (default `wh-east`). */
  location?: string;
  /** Further `settings` lines. */
  settings?: string[];
  /** Further instance lines, e.g. `schedules: { pollOrders: { every: 1000 } }`. */
  extra?: string[];
}

/**
 * The YAML of an `ebay` connector instance pointed at a simulator, as one item of a config's
 * `connectors:` list (two-space indent), so tests, benches and the demo wire it the same way.
 */
export function ebaySimConnectorYaml(sim: Pick<EbaySimulator, 'url' | 'clientId' | 'clientSecret' | 'refreshToken'>, o: EbaySimConnectorOptions = {}): string {
  return [
    `  - id: ${o.id ?? 'ebay-main'}`,
    '    type: ebay',
    '    settings:',
    `      baseUrl: ${sim.url}`,
    `      channel: ${o.channel ?? 'ebay'}`,
    `      locations: { default: ${o.location ?? 'wh-east'} }`,
    ...(o.settings ?? []).map((line) => `      ${line}`),
    `    credentials: { clientId: "${sim.clientId}", clientSecret: "${sim.clientSecret}", refreshToken: "${sim.refreshToken}" }`,
    ...(o.extra ?? []).map((line) => `    ${line}`),
  ].join('\n');
}
