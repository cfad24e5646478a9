import type { ConnectorDefinition } from '../connectors/types.js';
import { audit } from '../core/audit.js';
import type { ConnectorInstance } from '../core/config/load.js';
import type { ErpContext } from '../core/erp/index.js';
import type { Db, Queryable } from '../core/store/index.js';
import { getDrift, listDrift, toDriftView, type DriftView } from './drift-store.js';
import { applyCount } from './warehouse.js';

/**
 * A decision the caller asked for that cannot be made: `not_found` (no such variance) or
 * `conflict` (it is no longer awaiting approval). The ops API maps these to 404 and 409.
 */
export class ReconcileRequestError extends Error {
  constructor(
    message: string,
    readonly reason: 'not_found' | 'conflict' | 'invalid',
  ) {
    super(message);
    this.name = 'ReconcileRequestError';
  }
}

export interface ApprovalDeps {
  db: Db;
  erp: ErpContext;
  connectors: ReadonlyMap<string, { instance: ConnectorInstance; definition: ConnectorDefinition }>;
}

/** Warehouse variances awaiting approval (or with another `action`), oldest first. */
export function listVariances(
  db: Queryable,
  filter: { connectorId?: string; action?: DriftView['action']; limit?: number; after?: number } = {},
): Promise<DriftView[]> {
  return listDrift(db, { ...filter, action: filter.action ?? 'awaiting_approval' }).then((rows) => rows.filter((r) => r.kind === 'warehouse'));
}

async function loadVariance(db: Queryable, id: number): Promise<DriftView> {
  const { rows } = await db.query<Parameters<typeof toDriftView>[0]>(`SELECT * FROM reconcile_drift WHERE id = $1 AND kind = 'warehouse'`, [id]);
  if (!rows[0]) throw new ReconcileRequestError(`no warehouse variance ${id}`, 'not_found');
  const v = toDriftView(rows[0]);
  if (v.action !== 'awaiting_approval')
    throw new ReconcileRequestError(`variance ${id} is ${v.action}${v.decidedBy ? ` (by ${v.decidedBy})` : ''}, not awaiting approval`, 'conflict');
  return v;
}

const decide = (q: Queryable, id: number, action: string, actor: string, note: string | null) =>
  q.query(`UPDATE reconcile_drift SET action = $2, decided_by = $3, decided_at = now(), decision_note = $4 WHERE id = $1 AND action = 'awaiting_approval'`, [
    id,
    action,
    actor,
    note,
  ]);

/**
 * Approves a warehouse variance: applies the count as a cycle count (the ledger's onHand becomes
 * the warehouse's), in the transaction that marks the variance approved. When the ledger moved
 * since the count was compared, nothing is applied and the variance becomes `stale`: run the
 * warehouse reconciliation again to get a fresh one. Audited either way.
 */
export async function approveVariance(deps: ApprovalDeps, id: number, actor: string, note?: string): Promise<DriftView> {
  const v = await loadVariance(deps.db, id);
  const target = deps.connectors.get(v.connectorId);
  if (!target) throw new ReconcileRequestError(`connector ${v.connectorId} of variance ${id} is not configured or not enabled`, 'invalid');
  const outcome = await applyCount(deps.db, deps.erp, target, { ...v, countedAt: v.countedAt ?? undefined }, `reconcile:variance:${id}`, async (tx) => {
    // Compare-and-set: a concurrent decision rolls this count back.
    if ((await decide(tx, id, 'approved', actor, note ?? null)).rowCount === 0) {
      throw new ReconcileRequestError(`variance ${id} was decided by someone else meanwhile`, 'conflict');
    }
  });
  if (outcome !== 'applied') await decide(deps.db, id, 'stale', actor, note ?? `ledger moved since the count (${outcome})`);
  await audit(deps.db, {
    actor,
    action: 'reconcile.variance.approve',
    target: `variance:${id}`,
    outcome: outcome === 'applied' ? 'ok' : 'refused',
    details: { connectorId: v.connectorId, sku: v.sku, location: v.location, ledger: v.expected, counted: v.channelValue, result: outcome },
  });
  return (await getDrift(deps.db, id))!;
}

/** Rejects a warehouse variance: the ledger stays as it is. Audited. */
export async function rejectVariance(db: Queryable, id: number, actor: string, reason: string): Promise<DriftView> {
  const v = await loadVariance(db, id);
  if ((await decide(db, id, 'rejected', actor, reason)).rowCount === 0)
    throw new ReconcileRequestError(`variance ${id} was decided by someone else meanwhile`, 'conflict');
  await audit(db, {
    actor,
    action: 'reconcile.variance.reject',
    target: `variance:${id}`,
    outcome: 'ok',
    details: { connectorId: v.connectorId, sku: v.sku, location: v.location, ledger: v.expected, counted: v.channelValue, reason },
  });
  return (await getDrift(db, id))!;
}
