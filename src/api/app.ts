import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type { Db } from '../core/store/index.js';
import type { Logger } from '../core/logger.js';
import type { ActiveConnector, HubQueues } from '../queues/runtime.js';
import type { HubMetrics } from './metrics.js';
import { webhookRouter } from './webhooks.js';

export interface AppDeps {
  db: Db;
  redis: Redis;
  logger: Logger;
  metrics: HubMetrics;
  queues: HubQueues;
  connectors: ReadonlyMap<string, ActiveConnector>;
  bodyLimit: string;
}

/** The hub's HTTP surface: webhook intake, health probes and metrics. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');

  app.use(webhookRouter(deps));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const [database, redis] = await Promise.all([probe(deps.db.query('SELECT 1')), probe(deps.redis.ping())]);
    const ready = database === 'ok' && redis === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', database, redis });
  });

  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

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
