import type { Queryable } from '../core/store/index.js';
import type { DriftInput, OrderIssueInput, ReconcileKind } from './types.js';

/** A stored stock or warehouse difference. */
export interface DriftView {
  id: number;
  runId: number;
  connectorId: string;
  kind: 'stock' | 'warehouse';
  sku: string;
  location: string;
  externalLocation: string;
  channelValue: number;
  expected: number;
  /** channelValue − expected. */
  delta: number;
  /** When this difference was first seen; carried over while consecutive runs keep finding it. */
  firstSeen: string;
  action: DriftInput['action'] | 'approved' | 'rejected' | 'stale' | 'superseded';
  countedAt: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
}

interface DriftRow {
  id: string | number;
  run_id: string | number;
  connector_id: string;
  kind: DriftView['kind'];
  sku: string;
  location: string;
  external_location: string;
  channel_value: number;
  expected: number;
  delta: number;
  first_seen: Date | string;
  action: DriftView['action'];
  counted_at: Date | string | null;
  decided_by: string | null;
  decided_at: Date | string | null;
  decision_note: string | null;
}

const iso = (t: Date | string | null) => (t === null ? null : new Date(t).toISOString());

export function toDriftView(r: DriftRow): DriftView {
  return {
    id: Number(r.id),
    runId: Number(r.run_id),
    connectorId: r.connector_id,
    kind: r.kind,
    sku: r.sku,
    location: r.location,
    externalLocation: r.external_location,
    channelValue: r.channel_value,
    expected: r.expected,
    delta: r.delta,
    firstSeen: iso(r.first_seen)!,
    action: r.action,
    countedAt: iso(r.counted_at),
    decidedBy: r.decided_by,
    decidedAt: iso(r.decided_at),
    decisionNote: r.decision_note,
  };
}

/**
 * Stores a page of drift. `first_seen` comes from the same (sku, location) in the previous
 * completed run when it was there too, else now. A SKU listed twice by the channel keeps its first row.
 */
export async function insertDrift(
  db: Queryable,
  run: { id: number; connectorId: string; kind: Extract<ReconcileKind, 'stock' | 'warehouse'>; previousRunId: number | null },
  rows: readonly DriftInput[],
): Promise<DriftView[]> {
  if (rows.length === 0) return [];
  const { rows: stored } = await db.query<DriftRow>(
    `INSERT INTO reconcile_drift (run_id, connector_id, kind, sku, location, external_location, channel_value, expected, delta, first_seen, action, counted_at)
     SELECT $1, $2, $3, d.sku, d.location, d.ext, d.channel_value, d.expected, d.channel_value - d.expected,
            coalesce(p.first_seen, now()), d.action, d.counted_at
     FROM unnest($5::text[], $6::text[], $7::text[], $8::int[], $9::int[], $10::text[], $11::timestamptz[])
          AS d(sku, location, ext, channel_value, expected, action, counted_at)
     LEFT JOIN reconcile_drift p ON p.run_id = $4 AND p.sku = d.sku AND p.location = d.location
     ON CONFLICT (run_id, sku, location) DO NOTHING
     RETURNING *`,
    [
      run.id,
      run.connectorId,
      run.kind,
      run.previousRunId,
      rows.map((r) => r.sku),
      rows.map((r) => r.location),
      rows.map((r) => r.externalLocation),
      rows.map((r) => r.channelValue),
      rows.map((r) => r.expected),
      rows.map((r) => r.action),
      rows.map((r) => r.countedAt ?? null),
    ],
  );
  return stored.map(toDriftView);
}

/** Filter of {@link listDrift}: by run, or the latest drift of a connector; `after` pages by id. */
export interface DriftFilter {
  runId?: number;
  connectorId?: string;
  sku?: string;
  action?: DriftView['action'];
  limit?: number;
  after?: number;
}

export async function listDrift(db: Queryable, filter: DriftFilter = {}): Promise<DriftView[]> {
  const { rows } = await db.query<DriftRow>(
    `SELECT * FROM reconcile_drift
     WHERE ($1::bigint IS NULL OR run_id = $1) AND ($2::text IS NULL OR connector_id = $2) AND ($3::text IS NULL OR sku = $3)
       AND ($4::text IS NULL OR action = $4) AND ($5::bigint IS NULL OR id > $5)
     ORDER BY id LIMIT $6`,
    [filter.runId ?? null, filter.connectorId ?? null, filter.sku ?? null, filter.action ?? null, filter.after ?? null, Math.min(filter.limit ?? 100, 1000)],
  );
  return rows.map(toDriftView);
}

export async function getDrift(db: Queryable, id: number): Promise<DriftView | null> {
  const { rows } = await db.query<DriftRow>('SELECT * FROM reconcile_drift WHERE id = $1', [id]);
  return rows[0] ? toDriftView(rows[0]) : null;
}

/** A stored order difference. */
export interface OrderIssueView extends OrderIssueInput {
  id: number;
  runId: number;
  connectorId: string;
}

export async function insertOrderIssues(db: Queryable, run: { id: number; connectorId: string }, rows: readonly OrderIssueInput[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO reconcile_order_issue (run_id, connector_id, channel, external_order_id, order_number, issue, channel_version, hub_version, hub_status, action, inbox_id)
     SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[])
     ON CONFLICT (run_id, external_order_id) DO NOTHING`,
    [
      run.id,
      run.connectorId,
      rows.map((r) => r.channel),
      rows.map((r) => r.externalOrderId),
      rows.map((r) => r.orderNumber),
      rows.map((r) => r.issue),
      rows.map((r) => r.channelVersion),
      rows.map((r) => r.hubVersion),
      rows.map((r) => r.hubStatus),
      rows.map((r) => r.action),
      rows.map((r) => r.inboxId),
    ],
  );
}

export async function listOrderIssues(db: Queryable, runId: number, limit = 500): Promise<OrderIssueView[]> {
  const { rows } = await db.query<Record<string, unknown>>(`SELECT * FROM reconcile_order_issue WHERE run_id = $1 ORDER BY id LIMIT $2`, [
    runId,
    Math.min(limit, 5000),
  ]);
  return rows.map((r) => ({
    id: Number(r['id']),
    runId: Number(r['run_id']),
    connectorId: r['connector_id'] as string,
    channel: r['channel'] as string,
    externalOrderId: r['external_order_id'] as string,
    orderNumber: (r['order_number'] as string | null) ?? null,
    issue: r['issue'] as OrderIssueInput['issue'],
    channelVersion: (r['channel_version'] as string | null) ?? null,
    hubVersion: (r['hub_version'] as string | null) ?? null,
    hubStatus: (r['hub_status'] as string | null) ?? null,
    action: r['action'] as OrderIssueInput['action'],
    inboxId: r['inbox_id'] === null ? null : Number(r['inbox_id']),
  }));
}
