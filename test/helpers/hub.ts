import { vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createApp, drainIntake } from '../../src/api/app.js';
import { listen } from '../../src/api/server.js';
import type { HubMetrics } from '../../src/core/metrics.js';
import { createOps, type Ops, type OpsOptions } from '../../src/api/ops/index.js';
import { createHub, type Hub } from '../../src/hub/create-hub.js';
import { startWorkers, type RunningWorkers, type WorkerOptions } from '../../src/hub/workers/index.js';
import { signCanonical } from '../../src/connectors/canonical/index.js';
import { connectorRegistry } from '../../src/connectors/registry.js';
import type { ConnectorDefinition } from '../../src/connectors/types.js';
import { parseConfig, type HubConfig } from '../../src/core/config/load.js';
import { createLogger } from '../../src/core/logger.js';
import type { Db } from '../../src/core/store/index.js';
import { openTestDb, type TestDbKind } from './db.js';

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const CANONICAL_SECRET = 'test-canonical-secret-0123456789';

/** Two warehouses, two channels and a canonical-events connector: enough for queue tests. */
export const BASE_CONFIG = `
locations:
  - { id: wh-east, kind: warehouse }
  - { id: wh-west, kind: warehouse }
channels:
  - { id: web, locations: [wh-east, wh-west], safetyStock: 0 }
connectors:
  - id: events
    type: canonical
    credentials: { webhookSecret: ${CANONICAL_SECRET} }
    retry: { attempts: 3, backoffMs: 50, maxBackoffMs: 200 }
`;

/**
 * One warehouse, the `web` channel sold through the Shopify connector `shopify-main` (which the
 * caller appends), and the canonical `events` connector with `eventsLines` added to its entry.
 */
export function webShopYaml(eventsLines: readonly string[] = []): string {
  return [
    'locations: [{ id: wh-east, kind: warehouse }]',
    'channels:',
    '  - { id: web, connector: shopify-main, locations: [wh-east], safetyStock: 0 }',
    'connectors:',
    '  - id: events',
    '    type: canonical',
    `    credentials: { webhookSecret: ${CANONICAL_SECRET} }`,
    ...eventsLines.map((l) => `    ${l}`),
  ].join('\n');
}

export function parseTestConfig(yaml: string): HubConfig {
  const result = parseConfig(yaml, {});
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return result.config;
}

export interface TestHub {
  url: string;
  /** The HTTP server (production listener settings). */
  server: Server;
  /** The composition root, exactly as `hub start` builds it. */
  hub: Hub;
  db: Db;
  /** The config in force now (a reload through `hub.apply` replaces it). */
  readonly config: HubConfig;
  metrics: HubMetrics;
  workers: RunningWorkers;
  redis: Redis;
  /** The operations console (ops API, dashboard, bull-board) mounted on `url`. */
  ops: Ops;
  /** Posts a signed canonical delivery; returns status and JSON body. */
  postEvents(body: unknown, options?: { deliveryId?: string; secret?: string; raw?: string }): Promise<{ status: number; json: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/**
 * The hub in this process against the real Redis (a unique queue prefix) and a database of the
 * given kind (a fresh PostgreSQL schema, or in-memory PGlite).
 */
export async function startTestHub(
  options: {
    yaml?: string;
    kind?: TestDbKind;
    registry?: readonly ConnectorDefinition[];
    workers?: WorkerOptions;
    config?: HubConfig;
    lockTimeoutMs?: number;
    /** Ops console options: history sampling, a fetch for alert webhooks. */
    ops?: Pick<OpsOptions, 'history' | 'fetch'>;
    /** Coalescing window; tests default to 100 ms so they need not wait. */
    coalesceMs?: number;
    /** The hub's clock for budget windows (a simulated day); default Date.now. */
    now?: () => number;
  } = {},
): Promise<TestHub> {
  const config = options.config ?? parseTestConfig(options.yaml ?? BASE_CONFIG);
  const prefix = `{test-${randomUUID().slice(0, 8)}}`;
  config.queues.prefix = prefix;
  config.queues.coalesceMs = options.coalesceMs ?? Math.min(config.queues.coalesceMs, 100);
  const db = await openTestDb(options.kind ?? 'postgres', { lockTimeoutMs: options.lockTimeoutMs });
  const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent', pretty: false });
  const hub = await createHub(config, { logger, db, redisUrl: REDIS_URL, registry: options.registry ?? connectorRegistry, now: options.now });
  const { metrics } = hub;
  const workers = await startWorkers(hub, { sweepMs: 500, lockDurationMs: 5000, stalledIntervalMs: 1000, ...options.workers });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const ops = createOps(hub, redis, options.ops);
  const app = createApp(hub, { redis, ops });
  // The production listener: its timeouts and connection cap apply in tests too.
  const server = await listen(app, 0, '127.0.0.1', hub.current().server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    hub,
    db,
    get config() {
      return hub.current();
    },
    metrics,
    workers,
    redis,
    ops,
    async postEvents(body, opts = {}) {
      const raw = opts.raw ?? JSON.stringify(body);
      const res = await fetch(`${url}/webhooks/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-delivery-id': opts.deliveryId ?? randomUUID(),
          'x-hub-signature-256': signCanonical(raw, opts.secret ?? CANONICAL_SECRET),
        },
        body: raw,
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    },
    async stop() {
      await new Promise<void>((r) => server.close(() => r()));
      await drainIntake(app);
      await ops.stop();
      await workers.stop();
      await hub.close();
      await deleteKeys(redis, prefix);
      redis.disconnect();
      await db.close();
    },
  };
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/**
 * Waits until `probe` returns a truthy value (vitest's `vi.waitFor`, polling every 50 ms), with a
 * ceiling generous enough for a busy 2-core machine; a probe that throws is tried again until then.
 */
export async function waitFor<T>(probe: () => Promise<T> | T, what: string, timeoutMs = 60_000): Promise<NonNullable<T>> {
  return vi.waitFor(
    async () => {
      const value = await probe();
      if (!value) throw new Error(`timed out waiting for ${what}`);
      return value;
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

let seq = 0;
/** A canonical event with unique ids; `data` per type. */
export function event(type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  seq += 1;
  const id = `${type}-${Date.now()}-${seq}-${randomUUID().slice(0, 6)}`;
  return {
    id,
    type,
    idempotencyKey: `key-${id}`,
    source: { connector: 'events', connectorType: 'canonical', externalId: id, version: null },
    occurredAt: new Date().toISOString(),
    data,
    ...extra,
  };
}
