/** The database seam: PGlite (embedded) and PostgreSQL (pg) behind one small interface. */

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  /** One parameterised statement ($1, $2, ...). */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** A transaction handle. ERP functions take it as their first argument. */
export type Tx = Queryable;

export type DbKind = 'pglite' | 'postgres';

export interface Db extends Queryable {
  readonly kind: DbKind;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Calls `onNotify` for each `NOTIFY channel` committed in this database's schema (the payload
   * names the schema; others sharing the server are not delivered). Also called once after a lost
   * listening connection is back, since notifications in between are gone. Resolves once
   * listening; the returned function stops it. Absent: the adapter cannot listen (callers poll).
   */
  listen?(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
}
