import type { Queryable } from './store/index.js';

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string | null;
  outcome: 'ok' | 'refused' | 'failed' | 'dry-run';
  details?: Record<string, unknown>;
}

/** Appends to the audit log (who, when, what, outcome). Callers pass no secrets in `details`. */
export async function audit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query('INSERT INTO audit_log (actor, action, target, outcome, details) VALUES ($1, $2, $3, $4, $5)', [
    entry.actor,
    entry.action,
    entry.target ?? null,
    entry.outcome,
    JSON.stringify(entry.details ?? {}),
  ]);
}
