import type { Queryable, WritePart } from '../core/store/index.js';

export interface InboxRow {
  id: number;
  connectorId: string;
  dedupKey: string;
  topic: string;
  body: string;
  receivedAt: string;
  status: 'received' | 'processed' | 'dead';
}

const COLUMNS = `id, connector_id AS "connectorId", dedup_key AS "dedupKey", topic, body,
  to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "receivedAt", status`;

/**
 * Records a delivery durably, or reports that (connector, dedupKey) was seen before.
 * Committed before the webhook is acknowledged: that is what makes a 2xx mean "will be applied".
 */
export async function recordDelivery(
  db: Queryable,
  delivery: { connectorId: string; dedupKey: string; topic: string; body: string },
): Promise<{ id: number; duplicate: false } | { id: number; duplicate: true }> {
  const inserted = await db.query<{ id: number }>(
    `INSERT INTO inbox (connector_id, dedup_key, topic, body) VALUES ($1, $2, $3, $4)
     ON CONFLICT (connector_id, dedup_key) DO NOTHING RETURNING id`,
    [delivery.connectorId, delivery.dedupKey, delivery.topic, delivery.body],
  );
  if (inserted.rows[0]) return { id: inserted.rows[0].id, duplicate: false };
  const existing = await db.query<{ id: number }>('SELECT id FROM inbox WHERE connector_id = $1 AND dedup_key = $2', [delivery.connectorId, delivery.dedupKey]);
  return { id: existing.rows[0]?.id ?? 0, duplicate: true };
}

export async function getInboxRow(db: Queryable, id: number): Promise<InboxRow | undefined> {
  const { rows } = await db.query<InboxRow>(`SELECT ${COLUMNS} FROM inbox WHERE id = $1`, [id]);
  return rows[0];
}

export async function markInbox(db: Queryable, id: number, status: InboxRow['status'], events?: number): Promise<void> {
  await db.query(
    `UPDATE inbox SET status = $2, processed_at = CASE WHEN $2 = 'received' THEN NULL ELSE now() END,
       events = COALESCE($3, events) WHERE id = $1`,
    [id, status, events ?? null],
  );
}

/** Marks many rows processed, each with its number of events, as one write (to join the apply's closing statement). */
export function processedPart(rows: readonly { id: number; events: number }[]): WritePart | null {
  if (rows.length === 0) return null;
  return {
    steps: [
      [
        'processed',
        `UPDATE inbox SET status = 'processed', processed_at = now(), events = x.n
         FROM unnest($1::bigint[], $2::int[]) AS x(id, n) WHERE inbox.id = x.id`,
      ],
    ],
    params: [rows.map((r) => r.id), rows.map((r) => r.events)],
  };
}

/** Rows accepted but not yet processed, oldest first: re-enqueued at start-up and by the sweeper. */
export async function pendingInbox(db: Queryable, olderThanMs: number, limit: number): Promise<Pick<InboxRow, 'id' | 'connectorId' | 'topic'>[]> {
  const { rows } = await db.query<Pick<InboxRow, 'id' | 'connectorId' | 'topic'>>(
    `SELECT id, connector_id AS "connectorId", topic FROM inbox
     WHERE status = 'received' AND received_at < now() - ($1::int * interval '1 millisecond')
     ORDER BY id LIMIT $2`,
    [olderThanMs, limit],
  );
  return rows;
}

/** Inbound work per connector from the inbox (the durable record), whichever process holds it. */
export async function inboundBacklog(db: Queryable): Promise<Map<string, { waiting: number; oldestAgeSeconds: number | null }>> {
  const { rows } = await db.query<{ connector_id: string; n: number; age: number | null }>(
    `SELECT connector_id, count(*) AS n, EXTRACT(EPOCH FROM now() - min(received_at))::float8 AS age
     FROM inbox WHERE status = 'received' GROUP BY connector_id`,
  );
  return new Map(rows.map((r) => [r.connector_id, { waiting: r.n, oldestAgeSeconds: r.age === null ? null : Math.max(0, r.age) }]));
}
