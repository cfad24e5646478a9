import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';
import { createPgliteDb } from './pglite.js';
import { createPostgresDb } from './postgres.js';
import { listMigrations, migrate } from './migrate.js';
import { pgliteTemplate } from './pglite-template.js';
import { lockDataDir } from './data-lock.js';

export type { Db, Tx, Queryable, QueryResult, DbKind } from './db.js';
export { migrate, listMigrations } from './migrate.js';
export { runWrites, type WritePart } from './combine.js';

export interface OpenDbOptions {
  /** PostgreSQL URL; without it the embedded PGlite is used. */
  databaseUrl?: string;
  /** PGlite data directory; `memory` keeps it in memory. */
  dataDir?: string;
  schema?: string;
  poolSize?: number;
  /** PostgreSQL only: how long a statement waits for a row lock before a retryable LockTimeoutError. */
  lockTimeoutMs?: number;
  /** Embedded only: how the data-directory lock names this process ("hub start"); default from argv. */
  owner?: string;
  /** PostgreSQL only: connect, statement and query time-outs (config `storage.postgres`). */
  timeouts?: { connectTimeoutMs?: number; statementTimeoutMs?: number; queryTimeoutMs?: number };
}

/** Opens the database chosen by `DATABASE_URL` (PostgreSQL) or PGlite under `<dataDir>/pglite`, and migrates it. */
export async function openDb(options: OpenDbOptions = {}): Promise<Db> {
  if (options.databaseUrl) {
    const db = await createPostgresDb({
      url: options.databaseUrl,
      schema: options.schema,
      max: options.poolSize,
      lockTimeoutMs: options.lockTimeoutMs,
      ...options.timeouts,
    });
    return migrated(db);
  }
  const migrations = listMigrations();
  const template = pgliteTemplate(PGLITE_VERSION, migrations);
  if (options.dataDir === 'memory') return openPglite(undefined, template, migrations);
  // PGlite is one process: a second opener would silently lose its writes, so it is refused.
  const dataDir = options.dataDir ?? './data';
  const lock = lockDataDir(dataDir, options.owner);
  let db: Db;
  try {
    db = await openPglite(join(dataDir, 'pglite'), template, migrations);
  } catch (err) {
    lock.release();
    throw err;
  }
  return {
    ...db,
    kind: db.kind,
    transaction: (fn) => db.transaction(fn),
    async close() {
      try {
        await db.close();
      } finally {
        lock.release();
      }
    },
  };
}

async function openPglite(dir: string | undefined, template: ReturnType<typeof pgliteTemplate>, migrations: ReturnType<typeof listMigrations>): Promise<Db> {
  const db = await createPgliteDb(dir, { template });
  await migrated(db, migrations);
  await db.saveTemplate();
  return db;
}

async function migrated<D extends Db>(db: D, migrations = listMigrations()): Promise<D> {
  try {
    await migrate(db, migrations);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/** The installed PGlite's version, part of the template key (a new PGlite makes a new template). */
const PGLITE_VERSION = (() => {
  try {
    const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
    return (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();
