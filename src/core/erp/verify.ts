import type { Queryable } from '../store/index.js';

/** A ledger row that breaks an invariant. */
export interface LedgerIssue {
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
  const issues: LedgerIssue[] = [];
  for (const r of sums.rows) {
    if (r.balance !== r.expected) issues.push({ problem: 'balance_mismatch', ...r });
    if (r.balance < 0) issues.push({ problem: 'negative_balance', ...r, expected: 0 });
  }
  for (const r of allocations.rows) issues.push({ problem: 'allocation_mismatch', state: 'allocated', ...r });
  return issues;
}

/** Row counts for the one-line summary of `hub ledger verify`. */
export async function ledgerStats(q: Queryable): Promise<{ balances: number; movements: number }> {
  const { rows } = await q.query<{ balances: number; movements: number }>(
    `SELECT (SELECT count(*) FROM inventory_balance)::int AS balances, (SELECT count(*) FROM inventory_movement)::int AS movements`,
  );
  return rows[0] ?? { balances: 0, movements: 0 };
}
