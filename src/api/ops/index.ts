import type { Router } from 'express';
import type { Redis } from 'ioredis';
import type { HubConfig } from '../../core/config/load.js';
import { createErpContext } from '../../core/erp/context.js';
import type { Logger } from '../../core/logger.js';
import type { Db } from '../../core/store/index.js';
import { Catalog } from '../../queues/catalog.js';
import type { ActiveConnector, HubQueues } from '../../queues/runtime.js';
import { AlertMonitor } from '../alerts.js';
import { bullBoardRouter } from '../bull-board.js';
import type { HubMetrics } from '../metrics.js';
import { QueueHistory, type QueueHistoryOptions } from '../queue-history.js';
import { allQueueStats } from '../queue-stats.js';
import { refreshReconcileGauges } from '../reconcile-metrics.js';
import { adminRoutes } from './admin.js';
import { TokenTable } from './auth.js';
import { connectorRoutes } from './connectors.js';
import { deadLetterRoutes } from './dead-letters.js';
import { erpRoutes } from './erp.js';
import { openApiDocument } from './openapi.js';
import { queueRoutes } from './queues.js';
import { reconcileRoutes } from './reconcile.js';
import { defineRoute, type OpsDeps, type OpsRoute } from './route.js';
import { OpenApiResponseSchema } from './schemas.js';

/** Every ops API route; the router mounts these and the OpenAPI document describes these. */
export const opsRoutes: OpsRoute[] = [
  ...queueRoutes,
  ...deadLetterRoutes,
  ...connectorRoutes,
  ...erpRoutes,
  ...reconcileRoutes,
  ...adminRoutes,
  defineRoute({
    method: 'get',
    path: '/openapi.json',
    tag: 'meta',
    role: 'public',
    summary: 'This document',
    response: OpenApiResponseSchema,
    handler: async () => openApiDocument(opsRoutes),
  }),
];

export interface OpsOptions {
  config: HubConfig;
  db: Db;
  redis: Redis;
  queues: HubQueues;
  connectors: ReadonlyMap<string, ActiveConnector>;
  metrics: HubMetrics;
  logger: Logger;
  history?: QueueHistoryOptions;
  /** Replaces global fetch for alert webhooks (tests). */
  fetch?: typeof fetch;
}

/** The operations console of one API process: its services, monitors and routers. */
export interface Ops {
  deps: OpsDeps;
  tokens: TokenTable;
  bullBoard: Router;
  /** Starts the history sampler and the alert rules. */
  start(): void;
  stop(): Promise<void>;
}

/** Builds the ops console and registers its scrape-time metrics (queue depth and age, open dead letters, stock accuracy and drift). */
export function createOps(o: OpsOptions): Ops {
  const history = new QueueHistory(o.queues, o.redis, o.connectors, o.logger, o.history);
  const alerts = new AlertMonitor({ ...o });
  const deps: OpsDeps = { ...o, catalog: new Catalog(o.db), erp: createErpContext(o.config), history, alerts };
  const tokens = new TokenTable(o.config.auth.tokens);
  o.metrics.onScrape(async () => {
    const stats = await allQueueStats(o.queues, o.redis, o.connectors);
    for (const q of stats) {
      for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) o.metrics.queueJobs.set({ queue: q.name, state }, q[state]);
      o.metrics.queueOldestWaitingSeconds.set({ queue: q.name }, q.oldestWaitingAgeSeconds ?? 0);
    }
  });
  o.metrics.onScrape(async () => {
    const { rows } = await o.db.query<{ connector: string | null; n: number }>(
      `SELECT connector_id AS connector, count(*) AS n FROM dead_letter WHERE status = 'open' GROUP BY connector_id`,
    );
    o.metrics.deadLettersOpen.reset();
    for (const r of rows) o.metrics.deadLettersOpen.set({ connector: r.connector ?? '' }, r.n);
    if (rows.length === 0) o.metrics.deadLettersOpen.set({ connector: '' }, 0);
  });
  o.metrics.onScrape(() => refreshReconcileGauges(o));
  return {
    deps,
    tokens,
    bullBoard: bullBoardRouter({ ...o, tokens }),
    start() {
      history.start();
      alerts.start();
    },
    async stop() {
      await Promise.all([history.stop(), alerts.stop()]);
    },
  };
}
