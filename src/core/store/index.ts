import { join } from 'node:path';
import type { Db } from './db.js';
import { createPgliteDb } from './pglite.js';
import { createPostgresDb } from './postgres.js';
import { migrate } from './migrate.js';

export type { Db, Tx, Queryable, QueryResult, DbKind } from './db.js';
export { migrate, listMigrations } from './migrate.js';

export interface OpenDbOptions {
  /** PostgreSQL URL; without it the embedded PGlite is used. */
  databaseUrl?: string;
  /** PGlite data directory; `memory` keeps it in memory. */
  dataDir?: string;
  schema?: string;
  poolSize?: number;
  /** PostgreSQL only: how long a statement waits for a row lock before a retryable LockTimeoutError. */
  lockTimeoutMs?: number;
}

/** Opens the database chosen by `DATABASE_URL` (PostgreSQL) or PGlite under `<dataDir>/pglite`, and migrates it. */
export async function openDb(options: OpenDbOptions = {}): Promise<Db> {
  const db = options.databaseUrl
    ? await createPostgresDb({ url: options.databaseUrl, schema: options.schema, max: options.poolSize, lockTimeoutMs: options.lockTimeoutMs })
    : await createPgliteDb(options.dataDir === 'memory' ? undefined : join(options.dataDir ?? './data', 'pglite'));
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
