/** What a hub config needs to reach a running simulator. */
export interface SimEndpoint {
  shopDomain: string;
  url: string;
  accessToken: string;
  webhookSecret: string;
}

export interface SimConnectorOptions {
  /** Connector instance id (default `shopify-main`). */
  id?: string;
  /** Hub channel its orders belong to (default `web`). */
  channel?: string;
  /** Simulator location id → hub location id; the first is where availableToSell is pushed. */
  locations: [string, string][];
  /** Further `settings` lines, e.g. `ingestFulfillments: false`. */
  settings?: string[];
  /** Further instance lines, e.g. `retry: { attempts: 3 }`, `reconcile: { stock: { policy: heal } }`. */
  extra?: string[];
}

/**
 * The YAML of a `shopify` connector instance pointed at a simulator, as one item of a config's
 * `connectors:` list (two-space indent), so every test, bench and the demo wire it the same way.
 */
export function simConnectorYaml(sim: SimEndpoint, o: SimConnectorOptions): string {
  const [push] = o.locations[0] ?? [];
  return [
    `  - id: ${o.id ?? 'shopify-main'}`,
    '    type: shopify',
    '    settings:',
    `      shopDomain: ${sim.shopDomain}`,
    `      baseUrl: ${sim.url}`,
    `      channel: ${o.channel ?? 'web'}`,
    ...(push ? [`      pushLocationId: "${push}"`] : []),
    `      locations: { ${o.locations.map(([sim, hub]) => `"${sim}": ${hub}`).join(', ')} }`,
    ...(o.settings ?? []).map((line) => `      ${line}`),
    `    credentials: { accessToken: ${sim.accessToken}, webhookSecret: ${sim.webhookSecret} }`,
    ...(o.extra ?? []).map((line) => `    ${line}`),
  ].join('\n');
}
