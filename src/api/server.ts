import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Redis } from 'ioredis';
import { exposureProblem } from '../core/config/exposure.js';
import { loadConfig, configPath, type HubConfig } from '../core/config/load.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../core/store/index.js';
import { createHub, type Hub } from '../hub/create-hub.js';
import { startWorkers, type RunningWorkers, type WorkerOptions } from '../hub/workers/index.js';
import { createRedis, ensureRedis, DEFAULT_REDIS_URL } from '../queues/redis.js';
import { createApp, drainIntake } from './app.js';
import { metricsAccess } from './metrics-access.js';
import { TokenTable } from './ops/auth.js';
import { RefusalLog } from './refusals.js';
import { createOps, type Ops } from './ops/index.js';
import { createConfigReloader, type ReloadOutcome } from './reload.js';

export type HubMode = 'all' | 'api' | 'worker';

export interface RunningHub {
  /** The composition root this process runs on. */
  hub: Hub;
  /** The config in force now. */
  readonly config: HubConfig;
  db: Db;
  redis: Redis;
  server?: Server;
  workers?: RunningWorkers;
  url?: string;
  /** Re-reads the config file and applies it (what SIGHUP and a file change do); a bad file changes nothing. */
  reload(trigger?: string): Promise<ReloadOutcome>;
  stop(): Promise<void>;
}

export interface StartOptions {
  mode?: HubMode;
  configFile?: string;
  env?: Record<string, string | undefined>;
  logger: Logger;
  /** Overrides config `server.port` (0 picks a free port). */
  port?: number;
  workers?: WorkerOptions;
  /** `hub worker` only: serve /metrics and /healthz on this port (0 picks a free one); none when unset. */
  metricsPort?: number;
  /** Reload on SIGHUP and on config file changes (default both on). */
  reload?: { signal?: boolean; file?: boolean; debounceMs?: number };
}

/**
 * Starts `hub start` (API and workers in one process), `hub api` or `hub worker`.
 * Separate api and worker processes share a PostgreSQL server: the embedded database serves one process.
 */
export async function startHub(options: StartOptions): Promise<RunningHub> {
  const mode = options.mode ?? 'all';
  const env = options.env ?? process.env;
  const { logger } = options;
  const config = loadConfig(options.configFile, env);
  logger.info(
    { config: configPath(options.configFile, env), locations: config.locations.length, channels: config.channels.length, connectors: config.connectors.length },
    'config loaded',
  );
  if (mode !== 'all' && !env['DATABASE_URL']) {
    throw new ConfigError(`hub ${mode} runs beside other hub processes and needs DATABASE_URL; the embedded database serves one process (use hub start)`);
  }
  // A listener beyond loopback with a token anyone can read is refused before anything starts.
  const exposure = mode !== 'worker' || options.metricsPort !== undefined ? exposureProblem(config) : undefined;
  if (exposure) throw new ConfigError(exposure);
  // Redis first: it fails fast with instructions, before the embedded database spends seconds starting.
  const redisUrl = env['REDIS_URL'] ?? DEFAULT_REDIS_URL;
  const ensured = mode === 'all' ? await ensureRedis(redisUrl, config.storage.dataDir, logger) : { url: redisUrl, stop: async () => undefined };
  // Whatever start-up got to, newest last: a failure further on stops it all (an auto-started redis-server included).
  const started: (() => Promise<void>)[] = [() => ensured.stop()];
  try {
    return await startRest();
  } catch (err) {
    for (const stopOne of started.reverse()) await stopOne().catch((e: Error) => logger.warn({ err: e.message }, 'stopping after a failed start'));
    throw err;
  }

  async function startRest(): Promise<RunningHub> {
    const hub: Hub = await createHub(config, { env, logger, redisUrl: ensured.url });
    started.push(() => hub.close());
    const { db } = hub;
    logger.info({ database: db.kind === 'postgres' ? 'postgres' : `pglite (${config.storage.dataDir}/pglite)` }, 'database ready');
    const redis = createRedis(ensured.url);
    redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
    started.push(async () => redis.disconnect());

    const workers = mode === 'api' ? undefined : await startWorkers(hub, options.workers);
    if (workers) started.push(() => workers.stop());
    let server: Server | undefined;
    let url: string | undefined;
    let ops: Ops | undefined;
    let drain = async () => undefined as void;
    if (mode !== 'worker') {
      ops = createOps(hub, redis);
      ops.start();
      const running = ops;
      started.push(() => running.stop());
      if (config.auth.tokens.length === 0) logger.warn('no API tokens in config (auth.tokens): the ops API and dashboard refuse every call');
      const app = createApp(hub, { redis, ops });
      drain = () => drainIntake(app);
      const port = options.port ?? Number(env['PORT'] ?? config.server.port);
      server = await listen(app, port, config.server.host, config.server);
      url = urlOf(server, config.server.host);
      logger.info({ url }, `hub listening on ${url} (dashboard ${url}/dashboard/, metrics ${url}/metrics)`);
    } else if (options.metricsPort !== undefined) {
      // A worker's job counters and latencies live in the worker: let Prometheus scrape each one.
      const app = express();
      app.disable('x-powered-by');
      app.set('trust proxy', config.server.trustProxy);
      const guard = metricsAccess(() => hub.current(), new TokenTable(config.auth.tokens), new RefusalLog(hub.db, logger, hub.metrics.registry));
      app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
      app.get('/metrics', guard, async (_req, res) => void res.type(hub.metrics.registry.contentType).send(await hub.metrics.registry.metrics()));
      server = await listen(app, options.metricsPort, config.server.host, config.server);
      url = urlOf(server, config.server.host);
      logger.info({ url }, `worker metrics on ${url}/metrics`);
    }

    const running: RunningHub = {
      hub,
      get config() {
        return hub.current();
      },
      db,
      redis,
      server,
      workers,
      url,
      reload: (trigger = 'api') => reloader.reload(trigger),
      stop: () => stop(),
    };
    const reloader = createConfigReloader({
      file: configPath(options.configFile, env),
      env,
      logger,
      db,
      current: () => hub.current(),
      apply: (next) => hub.apply(next),
    });
    const unwatch = reloader.watch(options.reload);

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        unwatch();
        if (server) await new Promise<void>((r) => server.close(() => r()));
        await drain();
        await ops?.stop();
        await workers?.stop();
        await hub.close();
        redis.disconnect();
        await ensured.stop();
      })());
    return running;
  }
}

/** Bounds on what one client can hold: header, request and keep-alive timeouts and a connection cap. */
export type ServerLimits = Pick<HubConfig['server'], 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'maxConnections'>;

/**
 * Listens with {@link ServerLimits} applied, so slow bodies or idle sockets cannot hold the
 * process; or fails with one sentence saying why (port in use, no permission, no such address).
 */
export function listen(app: express.Express, port: number, host: string, limits: ServerLimits): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const s = createServer(
      {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        // How often Node checks those timeouts (default 30 s): well below the shortest one.
        connectionsCheckingInterval: Math.min(1000, Math.floor(limits.headersTimeoutMs / 2)),
      },
      app,
    );
    s.maxConnections = limits.maxConnections;
    s.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      const why =
        err.code === 'EADDRINUSE'
          ? `port ${port} is already in use on ${host}; stop the other process or choose another port (--port, PORT or server.port)`
          : err.code === 'EACCES'
            ? `no permission to listen on ${where}; ports below 1024 need privileges: choose another port (--port, PORT or server.port)`
            : err.code === 'EADDRNOTAVAIL'
              ? `address ${host} is not on this machine; fix server.host`
              : `cannot listen on ${where}: ${err.message}`;
      reject(new ConfigError(why));
    });
    s.listen(port, host, () => resolve(s));
  });
}

function urlOf(server: Server, host: string): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host;
  return `http://${shown}:${(server.address() as AddressInfo).port}`;
}
