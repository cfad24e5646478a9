import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, configPath, type HubConfig } from '../core/config/load.js';
import type { Logger } from '../core/logger.js';
import { openDb, type Db } from '../core/store/index.js';
import { createRedis, ensureRedis, DEFAULT_REDIS_URL } from '../queues/redis.js';
import type { Redis } from 'ioredis';
import { createApp } from './app.js';

export interface RunningHub {
  config: HubConfig;
  db: Db;
  redis: Redis;
  server: Server;
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  configFile?: string;
  env?: Record<string, string | undefined>;
  logger: Logger;
  /** Overrides config `server.port` (0 picks a free port). */
  port?: number;
}

/** Starts the hub in one process on the configured (or embedded) database and Redis. */
export async function startHub(options: StartOptions): Promise<RunningHub> {
  const env = options.env ?? process.env;
  const { logger } = options;
  const config = loadConfig(options.configFile, env);
  logger.info(
    { config: configPath(options.configFile, env), locations: config.locations.length, channels: config.channels.length, connectors: config.connectors.length },
    'config loaded',
  );
  // Redis first: it fails fast with instructions, before the embedded database spends seconds starting.
  const ensured = await ensureRedis(env['REDIS_URL'] ?? DEFAULT_REDIS_URL, config.storage.dataDir, logger);
  let db: Db;
  try {
    db = await openDb({ databaseUrl: env['DATABASE_URL'], dataDir: config.storage.dataDir });
  } catch (err) {
    await ensured.stop();
    throw err;
  }
  logger.info({ database: db.kind === 'postgres' ? 'postgres' : `pglite (${config.storage.dataDir}/pglite)` }, 'database ready');
  const redis = createRedis(ensured.url);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));

  const app = createApp({ db, redis, logger });
  const port = options.port ?? Number(env['PORT'] ?? config.server.port);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, config.server.host, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host;
  const url = `http://${host}:${address.port}`;
  logger.info({ url }, `hub listening on ${url}`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await new Promise<void>((r) => server.close(() => r()));
      redis.disconnect();
      await db.close();
      await ensured.stop();
    })());
  return { config, db, redis, server, url, stop };
}
