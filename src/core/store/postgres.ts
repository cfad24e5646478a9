import pg from 'pg';
import type { Db, QueryResult, Queryable } from './db.js';
import { mapDbError } from './errors.js';

// int8 (counts, bigserial ids) as a JS number; numeric (money) stays a decimal string.
const typeOverrides = new pg.TypeOverrides();
typeOverrides.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

function wrap(conn: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      try {
        const res = await conn.query(sql, params as unknown[]);
        return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
      } catch (err) {
        throw mapDbError(err);
      }
    },
    async exec(sql: string): Promise<void> {
      await conn.query(sql);
    },
  };
}

export interface PostgresOptions {
  url: string;
  /** Schema to work in (created if missing); tests use one per file. */
  schema?: string;
  max?: number;
  /** How long a statement waits for a row lock before failing with a retryable error. */
  lockTimeoutMs?: number;
}

/** PostgreSQL server through node-postgres, one pool per process. */
export async function createPostgresDb(options: PostgresOptions): Promise<Db> {
  const settings = [`-c lock_timeout=${options.lockTimeoutMs ?? 5000}`];
  if (options.schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.schema)) throw new Error(`invalid schema name "${options.schema}"`);
    const admin = new pg.Client({ connectionString: options.url });
    admin.on('error', () => undefined);
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    } finally {
      await admin.end();
    }
    settings.push(`-c search_path=${options.schema}`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    options: settings.join(' '),
    types: typeOverrides,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const base = wrap(pool);
  return {
    kind: 'postgres',
    ...base,
    async transaction(fn) {
      const client = await pool.connect();
      // A checked-out client whose server goes away emits 'error' between queries; unheard, that
      // would end the process. Heard, the transaction fails (retryable) and the client is discarded.
      let lost: Error | undefined;
      const onError = (err: Error) => {
        lost = err;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw mapDbError(err);
      } finally {
        client.removeListener('error', onError);
        client.release(lost);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
