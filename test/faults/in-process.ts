import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createApp } from '../../src/api/app.js';
import { createOps } from '../../src/api/ops/index.js';
import { signCanonical } from '../../src/connectors/canonical/index.js';
import type { HubConfig } from '../../src/core/config/load.js';
import type { ConnectorDefinition } from '../../src/connectors/types.js';
import { createLogger } from '../../src/core/logger.js';
import type { Db } from '../../src/core/store/index.js';
import { createHub, type Hub } from '../../src/hub/create-hub.js';
import { startWorkers } from '../../src/hub/workers/index.js';
import { CANONICAL_SECRET } from '../helpers/hub.js';

export interface InProcessHub {
  url: string;
  hub: Hub;
  post(body: unknown): Promise<{ status: number; ms: number; json: Record<string, unknown> | null }>;
  get(path: string, token?: string): Promise<{ status: number; ms: number; json: any }>;
  request(path: string, init: RequestInit): Promise<{ status: number; ms: number; json: any }>;
  stop(): Promise<void>;
}

/** The hub as `hub start` wires it (API, ops console, workers) on the given database and Redis URL. */
export async function startInProcessHub(config: HubConfig, db: Db, redisUrl: string, registry?: readonly ConnectorDefinition[]): Promise<InProcessHub> {
  config.queues.prefix = `{faults-${randomUUID().slice(0, 8)}}`;
  const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent', pretty: false });
  const hub = await createHub(config, { logger, db, redisUrl, ...(registry ? { registry } : {}) });
  const workers = await startWorkers(hub, { sweepMs: 500, lockDurationMs: 5000, stalledIntervalMs: 1000 });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const ops = createOps(hub, redis);
  const app = createApp(hub, { redis, ops });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const timed = async (path: string, init: RequestInit) => {
    const started = Date.now();
    const res = await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(120_000) });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = { text };
    }
    return { status: res.status, ms: Date.now() - started, json };
  };
  return {
    url,
    hub,
    post(body) {
      const raw = JSON.stringify(body);
      return timed('/webhooks/events', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-delivery-id': randomUUID(), 'x-hub-signature-256': signCanonical(raw, CANONICAL_SECRET) },
        body: raw,
      });
    },
    get: (path, token) => timed(path, { headers: token ? { authorization: `Bearer ${token}` } : {} }),
    request: timed,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await ops.stop();
      await workers.stop();
      await hub.close();
      redis.disconnect();
    },
  };
}
