import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import type { Db, QueryResult, Queryable } from './db.js';
import { mapDbError } from './errors.js';
import { readTemplate, writeTemplate, type PgliteTemplate } from './pglite-template.js';

type PGliteLike = Pick<PGlite, 'query' | 'exec'>;

function wrap(conn: PGliteLike): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      try {
        const res = await conn.query<R>(sql, params as unknown[]);
        return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
      } catch (err) {
        throw mapDbError(err);
      }
    },
    async exec(sql: string): Promise<void> {
      await conn.exec(sql);
    },
  };
}

/**
 * Embedded PostgreSQL (PGlite). `dataDir` undefined keeps everything in memory (tests).
 * PGlite has one connection: transactions run one at a time, which is safe but not parallel.
 */
export async function createPgliteDb(dataDir?: string, options: { template?: PgliteTemplate } = {}): Promise<Db & { saveTemplate(): Promise<void> }> {
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  // Only a database that does not exist yet may start from the template.
  const empty = dataDir === undefined || !existsSync(join(dataDir, 'PG_VERSION'));
  const loadDataDir = empty ? readTemplate(options.template) : undefined;
  const pg = await PGlite.create(dataDir, {
    // int8 as a JS number, as the pg adapter does: counts and ids stay far below 2^53.
    parsers: { [types.INT8]: (v: string) => Number(v) },
    ...(loadDataDir ? { loadDataDir } : {}),
  });
  const base = wrap(pg);
  return {
    kind: 'pglite',
    ...base,
    /** After the first migration of a database made the slow way: keep it as the template for the next. */
    async saveTemplate() {
      if (empty && !loadDataDir && options.template) await writeTemplate(options.template, pg);
    },
    async transaction(fn) {
      try {
        return await pg.transaction((tx) => fn(wrap(tx)));
      } catch (err) {
        throw mapDbError(err);
      }
    },
    // One process, one schema: every notification on the channel is this hub's.
    async listen(channel, onNotify) {
      const unlisten = await pg.listen(channel, () => onNotify());
      return () => unlisten();
    },
    async close() {
      await pg.close();
    },
  };
}
