import type { Queryable } from '../store/index.js';

/** A ledger row that breaks an invariant. */
export interface LedgerBalanceIssue {
  problem:
    | 'balance_mismatch' // balance differs from the sum of its movements
    | 'negative_balance' // no state may hold fewer than zero units
    | 'allocation_mismatch'; // allocated balance differs from the orders' allocations
  sku: string;
  location: string;
  state: string;
  balance: number;
  expected: number;
}

/** An event recorded as applied whose movements are not in the ledger (lost writes). */
export interface LedgerEventIssue {
  problem: 'missing_movements';
  idempotencyKey: string;
  eventId: string;
  eventType: string;
  connector: string;
}

export type LedgerIssue = LedgerBalanceIssue | LedgerEventIssue;

/**
 * Event types whose applied outcome always moves stock: an adjustment (its delta is never zero), a
 * received return (every line has units) and a confirmed shipment (every line ships units).
 * Others may legitimately move nothing: a count equal to the ledger, a channel's count, an order
 * with nothing to allocate, a cancellation with nothing allocated, products, refunds, invoices, tracking.
 */
export const EVENT_TYPES_THAT_MOVE = ['inventory.adjusted', 'return.received', 'shipment.confirmed'] as const;

/** One line per issue, for `hub ledger verify`. */
export function describeLedgerIssue(i: LedgerIssue): string {
  if (i.problem === 'missing_movements') {
    return `missing_movements ${i.eventType} ${i.idempotencyKey} (event ${i.eventId}, ${i.connector}): recorded as applied but has no movements`;
  }
  return `${i.problem} ${i.sku} @ ${i.location} ${i.state}: balance ${i.balance}, expected ${i.expected}`;
}

/**
 * Recomputes every balance from the append-only movements and checks the invariants; an empty
 * list means the ledger is consistent.
 */
export async function verifyLedger(q: Queryable): Promise<LedgerIssue[]> {
  const sums = await q.query<{ sku: string; location: string; state: string; balance: number; expected: number }>(
    `WITH m AS (SELECT sku, location, state, sum(delta)::bigint AS total FROM inventory_movement GROUP BY sku, location, state)
     SELECT coalesce(b.sku, m.sku) AS sku, coalesce(b.location, m.location) AS location, coalesce(b.state, m.state) AS state,
            coalesce(b.quantity, 0)::bigint AS balance, coalesce(m.total, 0)::bigint AS expected
     FROM inventory_balance b FULL OUTER JOIN m ON b.sku = m.sku AND b.location = m.location AND b.state = m.state
     WHERE coalesce(b.quantity, 0) <> coalesce(m.total, 0) OR b.quantity < 0
     ORDER BY 1, 2, 3`,
  );
  const allocations = await q.query<{ sku: string; location: string; balance: number; expected: number }>(
    `WITH a AS (SELECT sku, location, sum(quantity)::bigint AS total FROM order_allocation GROUP BY sku, location),
          b AS (SELECT sku, location, quantity FROM inventory_balance WHERE state = 'allocated')
     SELECT coalesce(b.sku, a.sku) AS sku, coalesce(b.location, a.location) AS location,
            coalesce(b.quantity, 0)::bigint AS balance, coalesce(a.total, 0)::bigint AS expected
     FROM b FULL OUTER JOIN a ON a.sku = b.sku AND a.location = b.location
     WHERE coalesce(b.quantity, 0) <> coalesce(a.total, 0)
     ORDER BY 1, 2`,
  );
  // Applied events of a moving type without a single movement under their key: their writes were lost.
  const unmoved = await q.query<{ idempotency_key: string; event_id: string; event_type: string; connector: string }>(
    `SELECT a.idempotency_key, a.event_id, a.event_type, a.connector FROM erp_applied_event a
     WHERE a.status = 'applied' AND a.event_type = ANY($1::text[])
       AND NOT EXISTS (SELECT 1 FROM inventory_movement m WHERE m.idempotency_key = a.idempotency_key)
     ORDER BY a.applied_at, a.idempotency_key`,
    [EVENT_TYPES_THAT_MOVE],
  );
  const issues: LedgerIssue[] = [];
  for (const r of sums.rows) {
    if (r.balance !== r.expected) issues.push({ problem: 'balance_mismatch', ...r });
    if (r.balance < 0) issues.push({ problem: 'negative_balance', ...r, expected: 0 });
  }
  for (const r of allocations.rows) issues.push({ problem: 'allocation_mismatch', state: 'allocated', ...r });
  for (const r of unmoved.rows) {
    issues.push({ problem: 'missing_movements', idempotencyKey: r.idempotency_key, eventId: r.event_id, eventType: r.event_type, connector: r.connector });
  }
  return issues;
}

/** Row counts for the one-line summary of `hub ledger verify`. */
export async function ledgerStats(q: Queryable): Promise<{ balances: number; movements: number }> {
  const { rows } = await q.query<{ balances: number; movements: number }>(
    `SELECT (SELECT count(*) FROM inventory_balance)::int AS balances, (SELECT count(*) FROM inventory_movement)::int AS movements`,
  );
  return rows[0] ?? { balances: 0, movements: 0 };
}
