import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Redis } from 'ioredis';
import type { Hub } from '../hub/create-hub.js';
import { dashboardRouter } from './dashboard.js';
import type { Ops } from './ops/index.js';
import { opsRoutes } from './ops/index.js';
import { ApiError, jsonErrorHandler } from './ops/errors.js';
import { opsRouter } from './ops/router.js';
import { GroupCommitter } from '../queues/group-commit.js';
import { webhookRouter } from './webhooks.js';
import { TokenTable } from './ops/auth.js';
import { metricsAccess } from './metrics-access.js';
import { RefusalLog } from './refusals.js';

export interface AppOptions {
  redis: Redis;
  /** The operations console (ops API, dashboard, bull-board); without it only intake, probes and metrics are served. */
  ops?: Ops;
}

const INTAKE = 'hubIntake';

/** Enqueues the acknowledged deliveries still waiting for their job: call once the server takes no more requests. */
export async function drainIntake(app: Express): Promise<void> {
  await (app.locals[INTAKE] as GroupCommitter | undefined)?.sendOutgoing();
}

/** The hub's HTTP surface: webhook intake, health probes, metrics and the operations console. */
export function createApp(hub: Hub, options: AppOptions): Express {
  const bodyLimit = hub.current().server.bodyLimit;
  const deps = { ...options, db: hub.db, logger: hub.logger, metrics: hub.metrics, queues: hub.queues, connectors: hub.connectors, bodyLimit };
  const app = express();
  app.disable('x-powered-by');
  // Behind a TLS-terminating proxy: X-Forwarded-Proto makes req.secure (and the session cookie Secure).
  app.set('trust proxy', hub.current().server.trustProxy);
  const tokens = deps.ops?.tokens ?? new TokenTable(hub.current().auth.tokens);
  const refusals = deps.ops?.refusals ?? new RefusalLog(hub.db, hub.logger, hub.metrics.registry);
  // Webhooks first: senders are machines that read no HTML, so helmet's headers would be pure cost on the hot path.
  const intake = new GroupCommitter({
    db: hub.db,
    logger: hub.logger,
    enqueue: (batch, singles) => hub.queues.enqueueInboundBatch(batch, singles),
    batchWindowMs: hub.current().queues.batchWindowMs,
  });
  app.locals[INTAKE] = intake;
  app.use(webhookRouter({ connectors: hub.connectors, metrics: hub.metrics, logger: hub.logger, bodyLimit, intake }));
  // The hub is often reached over plain HTTP inside a network: upgrading its own requests to HTTPS would break the dashboard.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));

  if (deps.ops) {
    app.use(opsRouter(opsRoutes, deps.ops.deps, deps.ops.tokens, deps.bodyLimit, refusals));
    app.use(deps.ops.bullBoard);
    app.use(dashboardRouter());
  }

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const [database, redis] = await Promise.all([probe(deps.db.query('SELECT 1')), probe(deps.redis.ping())]);
    const ready = database === 'ok' && redis === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', database, redis });
  });

  app.get(
    '/metrics',
    metricsAccess(() => hub.current(), tokens, refusals),
    async (_req, res) => {
      res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    },
  );

  app.use((_req, _res, next) => next(new ApiError(404, 'not_found', 'not found')));
  app.use(jsonErrorHandler(deps.logger));
  return app;
}

/** 'ok' when `work` settles well within 2 s; a dependency that hangs is as unready as one that fails. */
async function probe(work: Promise<unknown>): Promise<'ok' | 'unreachable'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), 2000);
  });
  try {
    await Promise.race([work, timeout]);
    return 'ok';
  } catch {
    return 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}
