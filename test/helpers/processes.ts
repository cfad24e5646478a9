import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { signCanonical } from '../../src/connectors/canonical/index.js';
import type { Db } from '../../src/core/store/index.js';
import { cpuProfileArgs, spawnHub } from './cli.js';
import { openTestDb, TEST_DATABASE_URL } from './db.js';
import { CANONICAL_SECRET, REDIS_URL } from './hub.js';

/**
 * A hub deployment of separate processes (`hub start`, `hub api`, `hub worker`) sharing one
 * PostgreSQL schema and one Redis prefix, for crash and scale-out tests.
 */
export class ProcessHub {
  readonly children = new Set<ChildProcess>();
  readonly prefix = `{e2e-${randomUUID().slice(0, 8)}}`;
  configFile = '';
  db!: Db & { schema?: string };

  async init(extraYaml = ''): Promise<this> {
    this.db = await openTestDb('postgres');
    const dir = mkdtempSync(join(tmpdir(), 'hub-e2e-'));
    this.configFile = join(dir, 'hub.yaml');
    writeFileSync(
      this.configFile,
      `storage: { dataDir: ${join(dir, 'data')} }
queues: { prefix: "${this.prefix}", lockDurationMs: 2000, stalledIntervalMs: 1000, coalesceMs: 200 }
locations:
  - { id: wh-east, kind: warehouse }
channels:
  - { id: web, locations: [wh-east] }
connectors:
  - id: events
    type: canonical
    credentials: { webhookSecret: ${CANONICAL_SECRET} }
    retry: { attempts: 5, backoffMs: 100, maxBackoffMs: 1000 }
${extraYaml}`,
    );
    return this;
  }

  env(): Record<string, string> {
    return { HUB_CONFIG: this.configFile, DATABASE_URL: TEST_DATABASE_URL, HUB_DB_SCHEMA: this.db.schema!, REDIS_URL, LOG_LEVEL: 'info' };
  }

  /** Starts `hub api` / `hub start` (resolves with its URL) or `hub worker`. */
  async spawn(command: 'start' | 'api' | 'worker', args: string[] = []): Promise<{ child: ChildProcess; url?: string }> {
    const ready = command === 'worker' ? /workers started/ : /hub listening on (http:\/\/[\d.]+:\d+)/;
    const extra = command === 'worker' ? args : ['--port', '0', ...args];
    const { child, match } = await spawnHub([command, ...extra], this.env(), ready);
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return { child, url: match[1] };
  }

  async stop(): Promise<void> {
    // A process that writes a CPU profile must exit on its own (SIGTERM) for the profile to be written.
    if (cpuProfileArgs().length > 0) {
      await Promise.all(
        [...this.children].map(
          (c) =>
            new Promise((resolve) => {
              c.once('exit', resolve);
              c.kill('SIGTERM');
            }),
        ),
      );
    }
    for (const c of this.children) c.kill('SIGKILL');
    const redis = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
    await this.db.close();
  }
}

/** Posts one signed canonical delivery; resolves with the HTTP status (0 when the connection failed). */
export async function postSigned(url: string, body: unknown, deliveryId: string): Promise<number> {
  const raw = JSON.stringify(body);
  try {
    const res = await fetch(`${url}/webhooks/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-delivery-id': deliveryId, 'x-hub-signature-256': signCanonical(raw, CANONICAL_SECRET) },
      body: raw,
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
