import type { ReconcilePolicy } from '../core/config/schema.js';
import type { Queryable } from '../core/store/index.js';
import type { ReconcileKind, RunCounts, RunTrigger } from './types.js';

/** A run as the CLI, the ops API and the dashboard show it. */
export interface RunView {
  id: number;
  connectorId: string;
  kind: ReconcileKind;
  trigger: RunTrigger;
  status: 'running' | 'completed' | 'failed';
  policy: ReconcilePolicy | Record<string, never>;
  startedAt: string;
  heartbeatAt: string;
  finishedAt: string | null;
  counts: RunCounts;
  /** Share of checked SKUs (or orders) without difference, 0..1; null while running, failed, or when nothing was checked. */
  accuracy: number | null;
  durationMs: number | null;
  error: string | null;
}

/** A run whose process stopped heartbeating this long ago no longer holds the lock. */
export const ABANDONED_AFTER_MS = 5 * 60_000;

const iso = (t: string | Date) => new Date(t).toISOString();

interface RunRow {
  id: number | string;
  connector_id: string;
  kind: ReconcileKind;
  trigger: RunTrigger;
  status: RunView['status'];
  policy: RunView['policy'];
  started_at: Date | string;
  heartbeat_at: Date | string;
  finished_at: Date | string | null;
  checked: number;
  compared: number;
  drifted: number;
  healed: number;
  flagged: number;
  unmapped: number;
  in_flight: number;
  accuracy: number | null;
  error: string | null;
}

export function toRunView(r: RunRow): RunView {
  return {
    id: Number(r.id),
    connectorId: r.connector_id,
    kind: r.kind,
    trigger: r.trigger,
    status: r.status,
    policy: r.policy,
    startedAt: iso(r.started_at),
    heartbeatAt: iso(r.heartbeat_at),
    finishedAt: r.finished_at ? iso(r.finished_at) : null,
    counts: {
      checked: r.checked,
      compared: r.compared,
      drifted: r.drifted,
      healed: r.healed,
      flagged: r.flagged,
      unmapped: r.unmapped,
      inFlight: r.in_flight,
    },
    accuracy: r.accuracy === null ? null : Number(r.accuracy),
    durationMs: r.finished_at ? new Date(r.finished_at).getTime() - new Date(r.started_at).getTime() : null,
    error: r.error,
  };
}

/**
 * Takes the (connector, kind) lock by inserting a running run. When another run holds it, returns
 * that run instead: the unique partial index makes two concurrent starts give one run. A running
 * run whose heartbeat stopped (its process died) is failed as abandoned first.
 */
export async function beginRun(
  db: Queryable,
  start: { connectorId: string; kind: ReconcileKind; trigger: RunTrigger; policy: ReconcilePolicy },
): Promise<{ started: true; run: RunView } | { started: false; run: RunView }> {
  await db.query(
    `UPDATE reconcile_run SET status = 'failed', finished_at = now(), error = 'abandoned: no heartbeat since ' || heartbeat_at::text
     WHERE connector_id = $1 AND kind = $2 AND status = 'running' AND heartbeat_at < now() - ($3::int * interval '1 millisecond')`,
    [start.connectorId, start.kind, ABANDONED_AFTER_MS],
  );
  const inserted = await db.query<RunRow>(
    `INSERT INTO reconcile_run (connector_id, kind, trigger, policy) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING *`,
    [start.connectorId, start.kind, start.trigger, JSON.stringify(start.policy)],
  );
  if (inserted.rows[0]) return { started: true, run: toRunView(inserted.rows[0]) };
  const { rows } = await db.query<RunRow>(`SELECT * FROM reconcile_run WHERE connector_id = $1 AND kind = $2 AND status = 'running'`, [
    start.connectorId,
    start.kind,
  ]);
  // The holder finished between our insert and this read: the caller may simply try again.
  if (!rows[0]) return beginRun(db, start);
  return { started: false, run: toRunView(rows[0]) };
}

/** Stores the running totals and renews the lock. */
export async function heartbeat(db: Queryable, runId: number, counts: RunCounts): Promise<void> {
  await db.query(
    `UPDATE reconcile_run SET heartbeat_at = now(), checked = $2, compared = $3, drifted = $4, healed = $5, flagged = $6, unmapped = $7, in_flight = $8
     WHERE id = $1 AND status = 'running'`,
    [runId, counts.checked, counts.compared, counts.drifted, counts.healed, counts.flagged, counts.unmapped, counts.inFlight],
  );
}

/** Share of checked items without difference; null when nothing was checked (no figure is not 100 %). */
export function accuracyOf(counts: RunCounts): number | null {
  return counts.checked === 0 ? null : (counts.checked - counts.drifted) / counts.checked;
}

/** Ends a run (releasing the lock) with its final totals. */
export async function finishRun(db: Queryable, runId: number, counts: RunCounts, error?: string): Promise<RunView> {
  await heartbeat(db, runId, counts);
  const { rows } = await db.query<RunRow>(`UPDATE reconcile_run SET status = $2, finished_at = now(), accuracy = $3, error = $4 WHERE id = $1 RETURNING *`, [
    runId,
    error === undefined ? 'completed' : 'failed',
    error === undefined ? accuracyOf(counts) : null,
    error ?? null,
  ]);
  return toRunView(rows[0]!);
}

/** The last completed run of a connector and kind before `beforeId`, whose drift carries first_seen. */
export async function previousCompletedRun(db: Queryable, connectorId: string, kind: ReconcileKind, beforeId: number): Promise<number | null> {
  const { rows } = await db.query<{ id: string | number }>(
    `SELECT id FROM reconcile_run WHERE connector_id = $1 AND kind = $2 AND status = 'completed' AND id < $3 ORDER BY id DESC LIMIT 1`,
    [connectorId, kind, beforeId],
  );
  return rows[0] ? Number(rows[0].id) : null;
}

/** Filter of {@link listRuns}; newest first, `before` pages by id. */
export interface RunFilter {
  connectorId?: string;
  kind?: ReconcileKind;
  status?: RunView['status'];
  limit?: number;
  before?: number;
}

export async function listRuns(db: Queryable, filter: RunFilter = {}): Promise<RunView[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT * FROM reconcile_run
     WHERE ($1::text IS NULL OR connector_id = $1) AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR status = $3)
       AND ($4::bigint IS NULL OR id < $4)
     ORDER BY id DESC LIMIT $5`,
    [filter.connectorId ?? null, filter.kind ?? null, filter.status ?? null, filter.before ?? null, Math.min(filter.limit ?? 50, 500)],
  );
  return rows.map(toRunView);
}

export async function getRun(db: Queryable, id: number): Promise<RunView | null> {
  const { rows } = await db.query<RunRow>('SELECT * FROM reconcile_run WHERE id = $1', [id]);
  return rows[0] ? toRunView(rows[0]) : null;
}

/**
 * The latest completed stock run per connector: what the stock accuracy and unmapped gauges and
 * alerts read. `accuracy` is null when that run checked nothing.
 */
export async function latestStockAccuracy(
  db: Queryable,
): Promise<{ connectorId: string; runId: number; accuracy: number | null; checked: number; drifted: number; unmapped: number; finishedAt: string }[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT DISTINCT ON (connector_id) * FROM reconcile_run WHERE kind = 'stock' AND status = 'completed' ORDER BY connector_id, id DESC`,
  );
  return rows.map((r) => {
    const v = toRunView(r);
    // Runs stored before accuracy could be null said 1 for nothing checked.
    const accuracy = v.counts.checked === 0 ? null : v.accuracy;
    return {
      connectorId: v.connectorId,
      runId: v.id,
      accuracy,
      checked: v.counts.checked,
      drifted: v.counts.drifted,
      unmapped: v.counts.unmapped,
      finishedAt: v.finishedAt ?? v.startedAt,
    };
  });
}
