import type { Queryable, QueryResult } from './db.js';

/**
 * Part of a combined write: data-modifying steps that become `WITH name AS (sql)` clauses, in
 * order. `$1`, `$2`, ... in a step refer to this part's own `params`; a step may read the
 * RETURNING rows of an earlier step of any part by its name (names are unique in a statement).
 */
export interface WritePart {
  steps: readonly (readonly [name: string, sql: string])[];
  params: readonly unknown[];
}

/**
 * Runs several writes as ONE statement, so they cost one round trip together:
 * `WITH <every step of every part> <main>`. PostgreSQL runs every data-modifying WITH step once
 * and to completion whether `main` reads it or not (main defaults to reading nothing).
 * All steps see the snapshot the statement started with and none sees another's changes, so
 * only writes that do not read what another part writes may be combined, and no two may change
 * the same row. Parts that are `null` are left out; with none left, nothing runs.
 */
export async function runWrites<R = Record<string, unknown>>(q: Queryable, parts: readonly (WritePart | null)[], main = 'SELECT 1'): Promise<QueryResult<R>> {
  const present = parts.filter((p): p is WritePart => p !== null);
  if (present.length === 0) return { rows: [], rowCount: 0 };
  const names = new Set<string>();
  const clauses: string[] = [];
  const params: unknown[] = [];
  for (const part of present) {
    const offset = params.length;
    for (const [name, sql] of part.steps) {
      if (names.has(name)) throw new Error(`combined write: step "${name}" appears twice`);
      names.add(name);
      clauses.push(`${name} AS (${offset === 0 ? sql : sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`);
    }
    params.push(...part.params);
  }
  return q.query<R>(`WITH ${clauses.join(',\n')}\n${main}`, params);
}
