import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** A connection BullMQ can share: it must not give up on commands while Redis restarts. */
export function createRedis(url: string = process.env['REDIS_URL'] ?? DEFAULT_REDIS_URL): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** True when a Redis server answers PING at `url` within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

function onPath(command: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface EnsuredRedis {
  url: string;
  /** Set when the hub started its own redis-server; stopped by `stop()`. */
  child?: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Makes sure Redis answers at `url`. When nothing answers on a local address and redis-server is
 * installed, starts one as a child process with AOF on and its files under `<dataDir>/redis`.
 */
export async function ensureRedis(url: string, dataDir: string, logger: Logger): Promise<EnsuredRedis> {
  if (await redisAnswers(url)) return { url, stop: async () => undefined };
  const parsed = new URL(url);
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(parsed.hostname);
  if (!local || !onPath('redis-server')) {
    throw new ConfigError(
      `Redis does not answer at ${parsed.protocol}//${parsed.host}. Start it with\n` +
        `  redis-server --daemonize yes --port ${parsed.port || 6379} --appendonly yes\n` +
        `or with Docker: docker compose up -d redis\n` +
        `or point REDIS_URL at a running server.`,
    );
  }
  const dir = resolve(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = parsed.port || '6379';
  logger.info({ port, dir }, 'Redis does not answer; starting redis-server with AOF');
  const child = spawn('redis-server', ['--port', port, '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(url, 500))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new ConfigError(`redis-server did not start on port ${port}; see its log or start Redis yourself`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
