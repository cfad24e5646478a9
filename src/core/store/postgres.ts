import { createHash } from 'node:crypto';
import pg from 'pg';
import { DatabaseUnavailableError, HubError } from '../errors.js';
import type { Db, QueryResult, Queryable } from './db.js';
import { mapDbError } from './errors.js';
import { listenOn } from './postgres-listen.js';

// int8 (counts, bigserial ids) as a JS number; numeric (money) stays a decimal string.
const typeOverrides = new pg.TypeOverrides();
typeOverrides.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

/** Defaults of the time-outs (config `storage.postgres`). */
export const POSTGRES_TIMEOUTS = { connectTimeoutMs: 5000, statementTimeoutMs: 15_000, queryTimeoutMs: 20_000 } as const;

/**
 * An error after which the connection cannot be trusted: the answer never came (read time-out),
 * the connection could not be made or was lost. The client is discarded, never reused.
 */
function connectionLost(err: unknown): boolean {
  const message = (err as Error | null)?.message ?? '';
  const code = (err as { code?: unknown } | null)?.code;
  return (
    /Query read timeout|timeout exceeded when trying to connect|Connection terminated|connection timeout|Client has encountered a connection error/i.test(
      message,
    ) ||
    (typeof code === 'string' && ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03'].includes(code))
  );
}

/** Driver errors in the hub taxonomy: a stalled or lost database is retryable and says so. */
function mapError(err: unknown): unknown {
  if (err instanceof HubError) return err;
  if (connectionLost(err)) return new DatabaseUnavailableError(`database unavailable: ${(err as Error).message}`, { cause: err });
  if ((err as { code?: unknown } | null)?.code === '57014')
    return new DatabaseUnavailableError(`statement cancelled by statement_timeout: ${(err as Error).message}`, { cause: err });
  return mapDbError(err);
}

/**
 * Named (prepared) statements: PostgreSQL parses and rewrites a named statement once per connection
 * instead of on every call. Every parameterised statement gets a name from its text; the set is
 * bounded so that generated SQL cannot fill the server's memory (past the bound, statements run
 * unnamed as before).
 *
 * Each execution is still planned for its arguments (`plan_cache_mode=force_custom_plan`). Left to
 * itself, PostgreSQL switches a named statement to a generic plan after five executions and keeps
 * it until the table is analyzed again. Made while the ledger was empty, that plan scans whole
 * tables; with autovacuum off, or before its first pass, every event then read every balance row
 * and the hub slowed as its ledger grew (measured: 58 single stock events/s on a 33,000-row balance
 * table, 330/s planned per call; a batch of 10, 779 against 1,823 events/s). A batch's arrays
 * also differ in size from call to call, and the best plan with them.
 * https://www.postgresql.org/docs/15/runtime-config-query.html#GUC-PLAN-CACHE-MODE
 */
const names = new Map<string, string>();
const MAX_NAMED = 512;

function statementName(sql: string): string | undefined {
  let name = names.get(sql);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `hub_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    names.set(sql, name);
  }
  return name;
}

function wrap(conn: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      try {
        const name = params.length > 0 ? statementName(sql) : undefined;
        const res = name ? await conn.query({ name, text: sql, values: params as unknown[] }) : await conn.query(sql, params as unknown[]);
        return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
      } catch (err) {
        throw mapError(err);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await conn.query(sql);
      } catch (err) {
        throw mapError(err);
      }
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
  /** Longest wait for a new connection or for a free one from the pool. */
  connectTimeoutMs?: number;
  /** Server-side limit of one statement (0: none). */
  statementTimeoutMs?: number;
  /** Client-side limit of one query's answer; the connection is then discarded. */
  queryTimeoutMs?: number;
}

/**
 * PostgreSQL server through node-postgres, one pool per process. A stalled server (accepting
 * connections, never answering) fails queries after `queryTimeoutMs` and new checkouts after
 * `connectTimeoutMs`; connections that timed out are discarded, so the pool refills with fresh
 * ones once the server answers again.
 */
export async function createPostgresDb(options: PostgresOptions): Promise<Db> {
  const connectTimeoutMs = options.connectTimeoutMs ?? POSTGRES_TIMEOUTS.connectTimeoutMs;
  const queryTimeoutMs = options.queryTimeoutMs ?? POSTGRES_TIMEOUTS.queryTimeoutMs;
  const settings = [
    `-c lock_timeout=${options.lockTimeoutMs ?? 5000}`,
    `-c statement_timeout=${options.statementTimeoutMs ?? POSTGRES_TIMEOUTS.statementTimeoutMs}`,
    // Named statements skip parsing, not planning: each execution is planned for its own arguments
    // (see statementName).
    '-c plan_cache_mode=force_custom_plan',
  ];
  const clientTimeouts = { connectionTimeoutMillis: connectTimeoutMs, query_timeout: queryTimeoutMs, keepAlive: true };
  if (options.schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.schema)) throw new Error(`invalid schema name "${options.schema}"`);
    const admin = new pg.Client({ connectionString: options.url, ...clientTimeouts });
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
    ...clientTimeouts,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const base = wrap(pool);
  return {
    kind: 'postgres',
    ...base,
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw mapError(err);
      }
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
        const cause = (err as { cause?: unknown }).cause ?? err;
        // A stalled connection would stall the ROLLBACK too: discard it instead (the server rolls back).
        if (connectionLost(cause) || err instanceof DatabaseUnavailableError) lost ??= cause as Error;
        else await client.query('ROLLBACK').catch((e: Error) => void (lost ??= e));
        throw mapError(err);
      } finally {
        client.removeListener('error', onError);
        client.release(lost);
      }
    },
    listen: (channel, onNotify) => listenOn({ connectionString: options.url, ...clientTimeouts }, channel, options.schema ?? 'public', onNotify),
    async close() {
      await pool.end();
    },
  };
}
