import { connectorRegistry } from '../connectors/registry.js';
import type { ConnectorDefinition } from '../connectors/types.js';
import type { HubConfig } from '../core/config/load.js';
import { createErpContext, type ErpContext } from '../core/erp/context.js';
import type { Logger } from '../core/logger.js';
import { createMetrics, type HubMetrics } from '../core/metrics.js';
import { openDb, type Db } from '../core/store/index.js';
import { Catalog } from '../queues/catalog.js';
import { connectorState } from '../queues/connector-state.js';
import { createHubBudgets, type HubBudgets } from '../queues/budgets.js';
import { createRedis, DEFAULT_REDIS_URL } from '../queues/redis.js';
import { bullConnection, HubQueues } from '../queues/runtime.js';
import { bindConnectors, fulfillmentRoutes, type BoundConnector } from '../queues/bind.js';

/**
 * The one place the hub is put together: database, queues, bound connectors, ERP context,
 * catalogue and metrics, behind a live config. `hub start`, `hub api`, `hub worker`, the operator
 * commands, the demo and the tests all build their hub here, so tests exercise production wiring.
 */
export interface Hub {
  /** The config in force now; a reload replaces it. Read it per use, never keep it. */
  current(): HubConfig;
  /** The ERP context of the current config (locations, channels, safety stock). */
  erp(): ErpContext;
  /** Bound enabled connectors by instance id; a reload updates this map in place. */
  readonly connectors: ReadonlyMap<string, BoundConnector>;
  readonly db: Db;
  readonly queues: HubQueues;
  readonly catalog: Catalog;
  readonly metrics: HubMetrics;
  readonly logger: Logger;
  /** Connector budgets (per hour, per day): counters in Redis, held changes in the database. */
  readonly budgets: HubBudgets;
  /** The hub's clock for budgets (tests inject one to simulate a day). */
  readonly now: () => number;
  readonly redisUrl: string;
  readonly registry: readonly ConnectorDefinition[];
  /**
   * Makes `next` the config in force: rebinds connectors whose config changed (unchanged ones keep
   * their client), and rebuilds the ERP context. A job already running finishes with what it had.
   */
  apply(next: HubConfig): void;
  /** The services with the config and ERP context in force now, for one piece of work (an operator command, a request). */
  snapshot(): HubSnapshot;
  /** Closes queues, clients and (unless it was handed in) the database. */
  close(): Promise<void>;
}

/** What one piece of work uses, with config and ERP context fixed for its duration. */
export interface HubSnapshot {
  config: HubConfig;
  erp: ErpContext;
  db: Db;
  queues: HubQueues;
  connectors: ReadonlyMap<string, BoundConnector>;
  catalog: Catalog;
  logger: Logger;
  metrics: HubMetrics;
}

export interface CreateHubOptions {
  env?: Record<string, string | undefined>;
  logger: Logger;
  /** An open database to use (tests, `hub start` after its own checks); closed by the caller. */
  db?: Db;
  /** Redis to use; default `REDIS_URL` or redis://127.0.0.1:6379. */
  redisUrl?: string;
  registry?: readonly ConnectorDefinition[];
  metrics?: HubMetrics;
  /** Clock of budget windows and slots; default Date.now. */
  now?: () => number;
}

export async function createHub(config: HubConfig, options: CreateHubOptions): Promise<Hub> {
  const env = options.env ?? process.env;
  const { logger } = options;
  const registry = options.registry ?? connectorRegistry;
  const db =
    options.db ??
    (await openDb({ databaseUrl: env['DATABASE_URL'], schema: env['HUB_DB_SCHEMA'], dataDir: config.storage.dataDir, timeouts: config.storage.postgres }));
  const redisUrl = options.redisUrl ?? env['REDIS_URL'] ?? DEFAULT_REDIS_URL;
  const bindDeps = { logger, state: (id: string) => connectorState(db, id) };
  let current = config;
  const connectors = bindConnectors(config, registry, bindDeps);
  const erpOf = (c: HubConfig) => createErpContext({ ...c, fulfillmentRoutes: fulfillmentRoutes(c, connectors) });
  let erp = erpOf(config);
  /** Bindings replaced by a reload: their clients may still serve a running job, so they close with the hub. */
  const retired: BoundConnector[] = [];
  const queues = new HubQueues(bullConnection(redisUrl), config.queues.prefix, connectors);
  const catalog = new Catalog(db);
  const metrics = options.metrics ?? createMetrics();
  const now = options.now ?? Date.now;
  let redis: ReturnType<typeof createRedis> | undefined;
  const budgets = createHubBudgets(
    () => (redis ??= createRedis(redisUrl)),
    config.queues.prefix,
    now,
    async () => void (await redis?.quit().catch(() => redis?.disconnect())),
  );
  return {
    current: () => current,
    erp: () => erp,
    connectors,
    db,
    queues,
    catalog,
    metrics,
    logger,
    budgets,
    now,
    snapshot: () => ({ config: current, erp, db, queues, connectors, catalog, logger, metrics }),
    redisUrl,
    registry,
    apply(next) {
      const fresh = bindConnectors(next, registry, bindDeps, connectors);
      for (const [id, bound] of connectors) if (fresh.get(id) !== bound) retired.push(bound);
      connectors.clear();
      for (const [id, bound] of fresh) connectors.set(id, bound);
      current = next;
      erp = erpOf(next);
    },
    async close() {
      await queues.close();
      await budgets.close();
      await Promise.all([...connectors.values(), ...retired].map((c) => c.close()));
      if (!options.db) await db.close();
    },
  };
}
