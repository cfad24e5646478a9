import { createErpContext } from '../../src/core/erp/index.js';
import { createLogger } from '../../src/core/logger.js';
import type { HubConfig } from '../../src/core/config/load.js';
import type { ReconcilePolicy } from '../../src/core/config/schema.js';
import { connectorRegistry } from '../../src/connectors/registry.js';
import { reconcileTarget, type ReconcileDeps, type ReconcileTarget } from '../../src/reconcile/index.js';
import { bindConnectors } from '../../src/queues/bind.js';
import { simConnectorYaml, type ShopifySimulator } from '../sim/shopify/index.js';
import { CANONICAL_SECRET, parseTestConfig, type TestHub } from '../helpers/hub.js';

export const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent', pretty: false });

/**
 * A hub selling on channel `web` from wh-east and wh-west through `shopify-main`, a simulated shop
 * with two locations: the first one receives the pushes and maps to wh-east, the second maps to wh-west.
 */
export function shopConfig(sim: ShopifySimulator, reconcile: string): HubConfig {
  const [push, other] = sim.store.locations.map((l) => l.id);
  return parseTestConfig(`
locations: [{ id: wh-east, kind: warehouse }, { id: wh-west, kind: warehouse }]
channels:
  - { id: web, connector: shopify-main, locations: [wh-east, wh-west], safetyStock: 0 }
connectors:
  - id: events
    type: canonical
    credentials: { webhookSecret: ${CANONICAL_SECRET} }
${simConnectorYaml(sim, {
  locations: [
    [push!, 'wh-east'],
    [other!, 'wh-west'],
  ],
  extra: ['retry: { attempts: 3, backoffMs: 100, maxBackoffMs: 500 }', 'rateLimit: { max: 50, durationMs: 1000 }', `reconcile: ${reconcile}`],
})}
`);
}

export function depsOf(hub: Pick<TestHub, 'db' | 'config' | 'hub'>): ReconcileDeps {
  return { db: hub.db, config: hub.config, erp: createErpContext(hub.config), logger, queues: hub.hub.queues };
}

export function targetOf(config: HubConfig, connectorId = 'shopify-main'): ReconcileTarget {
  const target = reconcileTarget(bindConnectors(config, connectorRegistry, { logger }), connectorId);
  if (!target) throw new Error(`no target ${connectorId}`);
  return target;
}

/** Changes a connector's reconcile policy in the running config (the next run reads it). */
export function setPolicy(
  config: HubConfig,
  connectorId: string,
  policy: { stock?: Partial<ReconcilePolicy['stock']>; orders?: Partial<ReconcilePolicy['orders']> },
): void {
  const instance = config.connectors.find((c) => c.id === connectorId)!;
  instance.reconcile = {
    stock: { policy: 'report', threshold: 10, ...instance.reconcile?.stock, ...policy.stock },
    orders: { policy: 'heal', windowMinutes: 1440, ...instance.reconcile?.orders, ...policy.orders },
  };
}
