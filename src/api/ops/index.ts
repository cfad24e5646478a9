import type { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Hub } from '../../hub/create-hub.js';
import { openDeadLettersByConnector } from '../../queues/dead-letter-store.js';
import { boundedCounts } from '../../core/metric-labels.js';
import { AlertMonitor } from '../alerts.js';
import { refreshBudgetGauges } from '../budget-metrics.js';
import { bullBoardRouter } from '../bull-board.js';
import { QueueHistory, type QueueHistoryOptions } from '../queue-history.js';
import { refreshReconcileGauges } from '../reconcile-metrics.js';
import { RefusalLog } from '../refusals.js';
import { StaleReads, within } from '../stale.js';
import { failFastReads, queueGauges } from './redis-reads.js';
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
  /** Anonymous refusals: counted, and audited at a bounded rate. */
  refusals: RefusalLog;
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
  const timeoutMs = hub.current().queues.opsTimeoutMs;
  const reads = failFastReads(hub, redis, new StaleReads(timeoutMs));
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
    reads,
  };
  const history = new QueueHistory(hub.queues, redis, hub.connectors, hub.logger, o.history);
  const alerts = new AlertMonitor(
    Object.defineProperties({ fetch: o.fetch }, Object.getOwnPropertyDescriptors(live)) as typeof live & { fetch?: typeof fetch },
  );
  const deps: OpsDeps = Object.defineProperties({ history, alerts }, Object.getOwnPropertyDescriptors(live)) as OpsDeps;
  // Tokens are a restart-time setting (they are not in the live sections a reload applies).
  const tokens = new TokenTable(hub.current().auth.tokens);
  const { metrics } = hub;
  metrics.onScrape(queueGauges(metrics, reads, hub.connectors));
  metrics.onScrape(async () => {
    // A stalled database must not hold the scrape: the gauge then keeps its last values.
    const open = await within(openDeadLettersByConnector(hub.db), timeoutMs, 'the database');
    metrics.deadLettersOpen.reset();
    for (const [connector, n] of boundedCounts(open, hub.connectors)) metrics.deadLettersOpen.set({ connector }, n);
  });
  metrics.onScrape(() => within(refreshReconcileGauges(deps), timeoutMs, 'the database'));
  metrics.onScrape(() => within(refreshBudgetGauges(hub), timeoutMs, 'the budget store'));
  const refusals = new RefusalLog(hub.db, hub.logger, metrics.registry);
  return {
    deps,
    tokens,
    refusals,
    bullBoard: bullBoardRouter({
      db: hub.db,
      logger: hub.logger,
      queues: reads.queues,
      connectors: hub.connectors,
      tokens,
      refusals,
      timeoutMs: timeoutMs * 2,
    }),
    start() {
      history.start();
      alerts.start();
    },
    async stop() {
      await Promise.all([history.stop(), alerts.stop()]);
      await reads.close();
    },
  };
}
