import type { Queryable } from '../core/store/index.js';
import type { Step } from './names.js';

/** One failed attempt as kept in a dead letter's history. */
export interface AttemptRecord {
  attempt: number;
  at: string;
  errorClass: string;
  code: string;
  message: string;
}

/** What a worker reports when a step has failed for good. */
export interface DeadLetterReport {
  sourceKey: string;
  queue: string;
  step: Step;
  connectorId: string | null;
  eventType: string | null;
  error: { errorClass: string; code: string; message: string } & Record<string, unknown>;
  attempts: AttemptRecord[];
  inboxId: number | null;
  /** The raw payload as received (parsed JSON), or the job data for non-inbox steps. */
  payload: unknown;
  /** The canonical event, when the failure came after normalization. */
  event: unknown;
  orderKeys: string[];
  skus: string[];
  firstFailedAt: string;
  replayOf: number | null;
}

export const DEAD_LETTER_STATUSES = ['open', 'replayed', 'discarded'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

export interface DeadLetter extends Omit<DeadLetterReport, 'error'> {
  id: number;
  errorClass: string;
  errorCode: string;
  message: string;
  error: Record<string, unknown>;
  status: DeadLetterStatus;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: Record<string, unknown> | null;
  /** Operators' notes, oldest first. */
  notes: DeadLetterNote[];
}

export interface DeadLetterNote {
  at: string;
  by: string;
  text: string;
}

const ISO = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const COLUMNS = `id, source_key AS "sourceKey", queue, step, connector_id AS "connectorId", event_type AS "eventType",
  error_class AS "errorClass", error_code AS "errorCode", message, error, attempts, inbox_id AS "inboxId",
  payload, event, order_keys AS "orderKeys", skus, status, ${ISO('first_failed_at')} AS "firstFailedAt",
  ${ISO('created_at')} AS "createdAt", ${ISO('resolved_at')} AS "resolvedAt", resolved_by AS "resolvedBy",
  resolution, replay_of AS "replayOf", notes`;

/**
 * Stores a dead letter once per source job; returns its id (the existing one on a repeat). A
 * delivery (inbox row) or a job that already has an open dead letter keeps that one: a job retried
 * outside the hub's replay (bull-board's retry) that fails again updates the open dead letter's
 * error and attempts instead of opening a second one for the same delivery.
 */
export async function insertDeadLetter(db: Queryable, r: DeadLetterReport): Promise<number> {
  // A delivery is known by its inbox row; another job by its source key `<queue>/<job id>/<attempt>` without the attempt
  // (per-item push failures, keyed `<queue>/<job id>/<sku>`, are dead letters of their own).
  const job = r.sourceKey.replace(/\/\d+$/, '/');
  const { rows: open } = await db.query<{ id: number }>(
    `UPDATE dead_letter SET error_class = $2, error_code = $3, message = $4, error = $5, attempts = $6
     WHERE id = (SELECT id FROM dead_letter WHERE status = 'open' AND source_key <> $7
                   AND (inbox_id = $1::bigint OR ($1::bigint IS NULL AND starts_with(source_key, $8) AND substring(source_key from length($8) + 1) ~ '^[0-9]+$'))
                 ORDER BY id LIMIT 1)
     RETURNING id`,
    [r.inboxId, r.error.errorClass, r.error.code, r.error.message, JSON.stringify(r.error), JSON.stringify(r.attempts), r.sourceKey, job],
  );
  if (open[0]) return open[0].id;
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO dead_letter (source_key, queue, step, connector_id, event_type, error_class, error_code, message, error,
       attempts, inbox_id, payload, event, order_keys, skus, first_failed_at, replay_of)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     ON CONFLICT (source_key) DO UPDATE SET source_key = EXCLUDED.source_key
     RETURNING id`,
    [
      r.sourceKey,
      r.queue,
      r.step,
      r.connectorId,
      r.eventType,
      r.error.errorClass,
      r.error.code,
      r.error.message,
      JSON.stringify(r.error),
      JSON.stringify(r.attempts),
      r.inboxId,
      r.payload === undefined ? null : JSON.stringify(r.payload),
      r.event === undefined || r.event === null ? null : JSON.stringify(r.event),
      r.orderKeys,
      r.skus,
      r.firstFailedAt,
      r.replayOf,
    ],
  );
  return rows[0]!.id;
}

export interface DeadLetterFilter {
  ids?: number[];
  connector?: string;
  /** Matches the error class (`MappingError`) or the error code (`unknown_sku`). */
  error?: string;
  type?: string;
  step?: Step;
  since?: string;
  until?: string;
  /** External order id or order number. */
  order?: string;
  sku?: string;
  /** Free text, case-insensitive, found in the message or anywhere in the payload. */
  q?: string;
  status?: DeadLetterStatus | 'all';
}

export interface Page {
  limit?: number;
  /** Id to continue after (entries come newest first). */
  before?: number;
}

function where(filter: DeadLetterFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.ids) add('id = ANY(?::bigint[])', filter.ids);
  if (filter.connector) add('connector_id = ?', filter.connector);
  if (filter.error) {
    params.push(filter.error);
    clauses.push(`(error_class = $${params.length} OR error_code = $${params.length})`);
  }
  if (filter.type) add('event_type = ?', filter.type);
  if (filter.step) add('step = ?', filter.step);
  if (filter.since) add('created_at >= ?::timestamptz', filter.since);
  if (filter.until) add('created_at < ?::timestamptz', filter.until);
  if (filter.order) add('order_keys @> ARRAY[?]::text[]', filter.order);
  if (filter.sku) add('skus @> ARRAY[?]::text[]', filter.sku);
  if (filter.q) {
    params.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    clauses.push(`(message ILIKE $${params.length} OR payload::text ILIKE $${params.length})`);
  }
  const status = filter.status ?? (filter.ids ? 'all' : 'open');
  if (status !== 'all') add('status = ?', status);
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** Dead letters matching `filter`, newest first, one page at a time. */
export async function listDeadLetters(
  db: Queryable,
  filter: DeadLetterFilter = {},
  page: Page = {},
): Promise<{ items: DeadLetter[]; total: number; nextBefore: number | null }> {
  const w = where(filter);
  const limit = Math.min(Math.max(page.limit ?? 50, 1), 1000);
  const pageWhere = page.before ? `${w.sql ? `${w.sql} AND` : 'WHERE'} id < $${w.params.length + 1}` : w.sql;
  const params = page.before ? [...w.params, page.before] : w.params;
  const [items, total] = await Promise.all([
    db.query<DeadLetter>(`SELECT ${COLUMNS} FROM dead_letter ${pageWhere} ORDER BY id DESC LIMIT ${limit}`, params),
    db.query<{ n: number }>(`SELECT count(*) AS n FROM dead_letter ${w.sql}`, w.params),
  ]);
  const last = items.rows.at(-1);
  return { items: items.rows, total: total.rows[0]?.n ?? 0, nextBefore: items.rows.length === limit && last ? last.id : null };
}

export async function getDeadLetter(db: Queryable, id: number): Promise<DeadLetter | undefined> {
  const { rows } = await db.query<DeadLetter>(`SELECT ${COLUMNS} FROM dead_letter WHERE id = $1`, [id]);
  return rows[0];
}

/** Compare-and-set from `open`: false when someone else resolved it first. */
export async function resolveDeadLetter(
  db: Queryable,
  id: number,
  to: Exclude<DeadLetterStatus, 'open'>,
  actor: string,
  resolution: Record<string, unknown>,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE dead_letter SET status = $2, resolved_at = now(), resolved_by = $3, resolution = $4
     WHERE id = $1 AND status = 'open'`,
    [id, to, actor, JSON.stringify(resolution)],
  );
  return rowCount === 1;
}

/** Open dead letters per connector (null: a delivery no connector claimed). */
export async function openDeadLettersByConnector(db: Queryable): Promise<{ connector: string | null; n: number }[]> {
  const { rows } = await db.query<{ connector: string | null; n: number }>(
    `SELECT connector_id AS connector, count(*)::int AS n FROM dead_letter WHERE status = 'open' GROUP BY connector_id`,
  );
  return rows;
}

/** Dead letters stored in the last `minutes`, whatever became of them since. */
export async function deadLettersStoredSince(db: Queryable, minutes: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dead_letter WHERE created_at >= now() - ($1::float8 * interval '1 minute')`, [
    minutes,
  ]);
  return rows[0]?.n ?? 0;
}

/** Open dead letters of one cause: error code, connector and step, with how many and how recent. */
export interface DeadLetterGroup {
  errorCode: string;
  connectorId: string | null;
  step: string;
  count: number;
  /** Distinct orders among them (the same order failing again counts once). */
  orders: number;
  latestAt: string;
  /** The newest entry's message, as an example. */
  example: string;
}

/** Dead letters matching `filter` grouped by cause, largest group first. */
export async function groupDeadLetters(db: Queryable, filter: DeadLetterFilter = {}): Promise<DeadLetterGroup[]> {
  const w = where(filter);
  const { rows } = await db.query<DeadLetterGroup & { count: string | number; orders: string | number }>(
    `SELECT error_code AS "errorCode", connector_id AS "connectorId", step, count(*) AS count,
       count(DISTINCT order_keys[1]) AS orders, ${ISO('max(created_at)')} AS "latestAt",
       (array_agg(message ORDER BY id DESC))[1] AS example
     FROM dead_letter ${w.sql} GROUP BY error_code, connector_id, step ORDER BY count(*) DESC, max(created_at) DESC LIMIT 200`,
    w.params,
  );
  return rows.map((r) => ({ ...r, count: Number(r.count), orders: Number(r.orders) }));
}

/** Appends an operator's note; false when the dead letter does not exist. */
export async function addDeadLetterNote(db: Queryable, id: number, note: DeadLetterNote): Promise<boolean> {
  const { rows } = await db.query(`UPDATE dead_letter SET notes = notes || $2::jsonb WHERE id = $1 RETURNING id`, [id, JSON.stringify([note])]);
  return rows.length > 0;
}

/**
 * Closes the open dead letters of a delivery that has now been applied: a job retried outside the
 * hub's replay (an admin's retry in bull-board) went through, so the dead-letter table says so
 * instead of showing it still failed. The hub's own replay resolves the entry before requeueing,
 * so it never meets one here. Returns the ids closed.
 */
export async function resolveDeadLettersOfDelivery(db: Queryable, inboxId: number): Promise<number[]> {
  const { rows } = await db.query<{ id: string | number }>(
    `UPDATE dead_letter SET status = 'replayed', resolved_at = now(), resolved_by = 'system',
       resolution = '{"via": "the delivery was retried outside the hub replay and applied"}'::jsonb
     WHERE inbox_id = $1 AND status = 'open' RETURNING id`,
    [inboxId],
  );
  return rows.map((r) => Number(r.id));
}
