import type { ConnectorDefinition } from '../connectors/types.js';
import { loadConfig, type HubConfig } from '../core/config/load.js';
import { createErpContext, type ErpContext } from '../core/erp/context.js';
import { openDb, type Db } from '../core/store/index.js';
import { Catalog } from './catalog.js';
import { DEFAULT_REDIS_URL } from './redis.js';
import { activeConnectors, bullConnection, HubQueues, type ActiveConnector } from './runtime.js';

/** What an operator command needs: config, database, queues and the ERP context. */
export interface HubServices {
  config: HubConfig;
  db: Db;
  queues: HubQueues;
  connectors: Map<string, ActiveConnector>;
  catalog: Catalog;
  erp: ErpContext;
  close(): Promise<void>;
}

export async function openServices(
  options: { configFile?: string; env?: Record<string, string | undefined>; registry?: readonly ConnectorDefinition[]; config?: HubConfig; db?: Db } = {},
): Promise<HubServices> {
  const env = options.env ?? process.env;
  const config = options.config ?? loadConfig(options.configFile, env);
  const db = options.db ?? (await openDb({ databaseUrl: env['DATABASE_URL'], schema: env['HUB_DB_SCHEMA'], dataDir: config.storage.dataDir }));
  const connectors = activeConnectors(config, options.registry);
  const queues = new HubQueues(bullConnection(env['REDIS_URL'] ?? DEFAULT_REDIS_URL), config.queues.prefix, connectors);
  return {
    config,
    db,
    queues,
    connectors,
    catalog: new Catalog(db),
    erp: createErpContext(config),
    async close() {
      await queues.close();
      if (!options.db) await db.close();
    },
  };
}
