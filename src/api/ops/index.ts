import type { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Hub } from '../../hub/create-hub.js';
import { openDeadLettersByConnector } from '../../queues/dead-letter-store.js';
import { AlertMonitor } from '../alerts.js';
import { refreshBudgetGauges } from '../budget-metrics.js';
import { bullBoardRouter } from '../bull-board.js';
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

/**
 * Builds the ops console over the hub and registers its scrape-time metrics (queue depth and age,
 * open dead letters, stock accuracy and drift). Handlers read `deps.config` and `deps.erp` live:
 * after a reload they see the new config.
 */
export function createOps(hub: Hub, redis: Redis, o: OpsOptions = {}): Ops {
  const live = {
    get config() {
      return hub.current();
    },
    get erp() {
      return hub.erp();
    },
    db: hub.db,
    redis,
    queues: hub.queues,
    connectors: hub.connectors,
    catalog: hub.catalog,
    metrics: hub.metrics,
    logger: hub.logger,
    budgets: hub.budgets,
  };
  const history = new QueueHistory(hub.queues, redis, hub.connectors, hub.logger, o.history);
  const alerts = new AlertMonitor(Object.defineProperties({ fetch: o.fetch }, Object.getOwnPropertyDescriptors(live)) as typeof live & { fetch?: typeof fetch });
  const deps: OpsDeps = Object.defineProperties({ history, alerts }, Object.getOwnPropertyDescriptors(live)) as OpsDeps;
  // Tokens are a restart-time setting (they are not in the live sections a reload applies).
  const tokens = new TokenTable(hub.current().auth.tokens);
  const { metrics } = hub;
  metrics.onScrape(async () => {
    const stats = await allQueueStats(hub.queues, redis, hub.connectors);
    for (const q of stats) {
      for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) metrics.queueJobs.set({ queue: q.name, state }, q[state]);
      metrics.queueOldestWaitingSeconds.set({ queue: q.name }, q.oldestWaitingAgeSeconds ?? 0);
    }
  });
  metrics.onScrape(async () => {
    metrics.deadLettersOpen.reset();
    for (const r of await openDeadLettersByConnector(hub.db)) metrics.deadLettersOpen.set({ connector: r.connector ?? '' }, r.n);
  });
  metrics.onScrape(() => refreshReconcileGauges(deps));
  metrics.onScrape(() => refreshBudgetGauges(hub));
  return {
    deps,
    tokens,
    bullBoard: bullBoardRouter({ db: hub.db, logger: hub.logger, queues: hub.queues, connectors: hub.connectors, tokens }),
    start() {
      history.start();
      alerts.start();
    },
    async stop() {
      await Promise.all([history.stop(), alerts.stop()]);
    },
  };
}
