import type { Queryable } from '../store/index.js';
import { pairKey } from './context.js';
import type { ApplySession } from './session.js';

/**
 * Opens one suggestion when available stock at a (sku, location) with a reorder rule falls below
 * its reorder point, and clears it when available is back at or above the point. At most one
 * suggestion is open per pair (a partial unique index), so repeated events below the point add nothing.
 */
export async function checkReplenishment(s: ApplySession): Promise<void> {
  for (const [sku, location] of s.touchedPairs()) {
    const rule = s.ctx.replenishment.get(pairKey(sku, location));
    if (!rule) continue;
    const available = s.available(sku, location);
    const below = available < rule.reorderPoint;
    if (below) {
      const res = await s.tx.query(
        `INSERT INTO replenishment_suggestion (sku, location, available, reorder_point, reorder_quantity, status)
         VALUES ($1, $2, $3, $4, $5, 'open') ON CONFLICT (sku, location) WHERE status = 'open' DO NOTHING RETURNING 1`,
        [sku, location, available, rule.reorderPoint, rule.reorderQuantity],
      );
      if (res.rowCount > 0)
        s.replenishment.push({ sku, location, action: 'suggested', available, reorderPoint: rule.reorderPoint, reorderQuantity: rule.reorderQuantity });
    } else {
      const res = await s.tx.query(
        `UPDATE replenishment_suggestion SET status = 'cleared', cleared_at = now() WHERE sku = $1 AND location = $2 AND status = 'open' RETURNING 1`,
        [sku, location],
      );
      if (res.rowCount > 0)
        s.replenishment.push({ sku, location, action: 'cleared', available, reorderPoint: rule.reorderPoint, reorderQuantity: rule.reorderQuantity });
    }
  }
}

/** A replenishment suggestion as recorded. */
export interface ReplenishmentSuggestion {
  id: number;
  sku: string;
  location: string;
  available: number;
  reorderPoint: number;
  reorderQuantity: number;
  status: 'open' | 'cleared';
  createdAt: string;
  clearedAt: string | null;
}

/** Suggestions, newest first; `status` narrows to open or cleared ones. */
export async function listReplenishmentSuggestions(
  q: Queryable,
  filter: { status?: 'open' | 'cleared'; sku?: string } = {},
): Promise<ReplenishmentSuggestion[]> {
  const { rows } = await q.query<{
    id: number;
    sku: string;
    location: string;
    available: number;
    reorder_point: number;
    reorder_quantity: number;
    status: 'open' | 'cleared';
    created_at: Date;
    cleared_at: Date | null;
  }>(`SELECT * FROM replenishment_suggestion WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR sku = $2) ORDER BY id DESC`, [
    filter.status ?? null,
    filter.sku ?? null,
  ]);
  return rows.map((r) => ({
    id: r.id,
    sku: r.sku,
    location: r.location,
    available: r.available,
    reorderPoint: r.reorder_point,
    reorderQuantity: r.reorder_quantity,
    status: r.status,
    createdAt: new Date(r.created_at).toISOString(),
    clearedAt: r.cleared_at === null ? null : new Date(r.cleared_at).toISOString(),
  }));
}
