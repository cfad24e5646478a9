/** What a hub config needs to reach a running Walmart simulator. */
export interface WalmartSimEndpoint {
  url: string;
  clientId: string;
  clientSecret: string;
  shipNode: string;
}

export interface WalmartSimConnectorOptions {
  /** Connector instance id (default `walmart-main`). */
  id?: string;
  /** Hub channel its orders belong to (default `walmart`). */
  channel?: string;
  /** Hub location the simulator's ship node stands for. */
  location: string;
  /** Poll interval in ms (default 1000, the schedule's minimum). */
  pollEveryMs?: number;
  /** Further `settings` lines, e.g. `singleUpdateMax: 0`. */
  settings?: string[];
  /** Further instance lines, e.g. `retry: { attempts: 3 }`. */
  extra?: string[];
}

/**
 * The YAML of a `walmart` connector instance pointed at a simulator, as one item of a config's
 * `connectors:` list (two-space indent), with its order poll scheduled.
 */
export function walmartConnectorYaml(sim: WalmartSimEndpoint, o: WalmartSimConnectorOptions): string {
  return [
    `  - id: ${o.id ?? 'walmart-main'}`,
    '    type: walmart',
    '    settings:',
    `      baseUrl: ${sim.url}`,
    `      channel: ${o.channel ?? 'walmart'}`,
    `      shipNode: "${sim.shipNode}"`,
    `      locations: { "${sim.shipNode}": ${o.location} }`,
    ...(o.settings ?? []).map((line) => `      ${line}`),
    `    credentials: { clientId: ${sim.clientId}, clientSecret: ${sim.clientSecret} }`,
    `    schedules: { pollOrders: { every: ${o.pollEveryMs ?? 1000} } }`,
    ...(o.extra ?? []).map((line) => `    ${line}`),
  ].join('\n');
}
