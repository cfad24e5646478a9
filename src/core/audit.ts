import { redactText, redactValues } from './config/redact.js';
import type { Queryable } from './store/index.js';

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string | null;
  outcome: 'ok' | 'refused' | 'failed' | 'dry-run';
  details?: Record<string, unknown>;
}

/**
 * Appends to the audit log (who, when, what, outcome). Callers pass no secrets in `details`; any
 * known secret value that slips in anyway (inside a URL, a message) is redacted here.
 */
export async function audit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query('INSERT INTO audit_log (actor, action, target, outcome, details) VALUES ($1, $2, $3, $4, $5)', [
    entry.actor,
    entry.action,
    entry.target == null ? null : redactText(entry.target),
    entry.outcome,
    JSON.stringify(redactValues(entry.details ?? {})),
  ]);
}

/** Audit rows, newest first, filtered; `before` continues after that id. */
export async function listAudit(
  db: Queryable,
  filter: { actor?: string; action?: string; outcome?: string; before?: number; limit: number },
): Promise<{ id: number; at: string; actor: string; action: string; target: string | null; outcome: string; details: Record<string, unknown> }[]> {
  const { rows } = await db.query<{
    id: number;
    at: Date;
    actor: string;
    action: string;
    target: string | null;
    outcome: string;
    details: Record<string, unknown>;
  }>(
    `SELECT id, at, actor, action, target, outcome, details FROM audit_log
     WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR outcome = $3)
       AND ($4::bigint IS NULL OR id < $4)
     ORDER BY id DESC LIMIT $5`,
    [filter.actor ?? null, filter.action ?? null, filter.outcome ?? null, filter.before ?? null, filter.limit],
  );
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}
