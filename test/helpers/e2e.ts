import type { HubConfig } from '../../src/core/config/load.js';
import { type ShopifySimulator, simConnectorYaml } from '../sim/shopify/index.js';
import { CANONICAL_SECRET, type TestHub, parseTestConfig, startTestHub } from './hub.js';

/** Quick retries for simulator connectors: a transient failure heals well within a test. */
export const QUICK_RETRY = 'retry: { attempts: 6, backoffMs: 100, maxBackoffMs: 1000 }';

/** One channel of the test warehouse: its id, its connector, and the units it holds back (default 0). */
export interface TestChannel {
  id: string;
  connector: string;
  safetyStock?: number;
}

/**
 * The config of the end-to-end tests: one warehouse `wh-east` feeding the given channels, the
 * canonical `events` connector (warehouse reports come in through `hub.postEvents`), the given
 * connector blocks (YAML list items from the simulators' helpers), and any further top-level YAML.
 */
export function oneWarehouseConfig(channels: readonly TestChannel[], connectors: readonly string[], more = ''): HubConfig {
  return parseTestConfig(`
locations: [{ id: wh-east, kind: warehouse }]
channels:
${channels.map((c) => `  - { id: ${c.id}, connector: ${c.connector}, locations: [wh-east], safetyStock: ${c.safetyStock ?? 0} }`).join('\n')}
connectors:
  - id: events
    type: canonical
    credentials: { webhookSecret: ${CANONICAL_SECRET} }
${connectors.join('\n')}
${more}`);
}

/**
 * The `shopify-main` connector on a Shopify simulator, channel `web`, its first location mapped to
 * `wh-east`: fulfilments are not ingested (the warehouse ships) and retries are quick.
 */
export function shopifyConnector(sim: ShopifySimulator, o: { settings?: string[]; extra?: string[] } = {}): string {
  return simConnectorYaml(sim, {
    locations: [[sim.store.locations[0]!.id, 'wh-east']],
    settings: ['ingestFulfillments: false', ...(o.settings ?? [])],
    extra: [QUICK_RETRY, ...(o.extra ?? [])],
  });
}

/** Starts the hub on `config` and points the Shopify simulator's webhooks at it. */
export async function startHubBesideShopify(config: HubConfig, shopify: ShopifySimulator): Promise<TestHub> {
  const hub = await startTestHub({ config });
  shopify.webhooks.subscribe(`${hub.url}/webhooks/shopify-main`);
  return hub;
}
