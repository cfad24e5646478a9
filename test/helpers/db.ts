import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openDb, type Db } from '../../src/core/store/index.js';

/** PostgreSQL server used by integration tests (CI starts it); override with TEST_DATABASE_URL. */
export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export type TestDbKind = 'pglite' | 'postgres';

/** The kinds a store-level suite runs on: both, unless TEST_DB_KINDS narrows it (e.g. "postgres"). */
export const TEST_DB_KINDS: TestDbKind[] = (process.env['TEST_DB_KINDS']?.split(',') as TestDbKind[] | undefined) ?? ['pglite', 'postgres'];

/**
 * A migrated database for one test file: an in-memory PGlite, or a fresh schema on the PostgreSQL
 * server that `close()` drops again.
 */
export async function openTestDb(kind: TestDbKind, options: { poolSize?: number; lockTimeoutMs?: number } = {}): Promise<Db & { schema?: string }> {
  if (kind === 'pglite') return openDb({ dataDir: 'memory' });
  const schema = `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const db = await openDb({ databaseUrl: TEST_DATABASE_URL, schema, poolSize: options.poolSize, lockTimeoutMs: options.lockTimeoutMs });
  return {
    ...db,
    kind: db.kind,
    schema,
    async close() {
      await db.close();
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
