import { ORDER_STATUSES, type OrderStatus } from '../model/index.js';
import { IllegalTransitionError } from '../errors.js';
import type { Tx } from '../store/index.js';

export { ORDER_STATUSES };

/**
 * Allowed moves of the order state machine. Staying in a state is always allowed.
 * `pending` exists only inside the transaction that creates an order; `cancelled` and `closed` are final.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['allocated', 'backordered', 'partially_shipped', 'shipped', 'cancelled'],
  allocated: ['backordered', 'partially_shipped', 'shipped', 'cancelled'],
  backordered: ['allocated', 'partially_shipped', 'shipped', 'cancelled'],
  partially_shipped: ['shipped', 'cancelled'],
  shipped: ['closed'],
  cancelled: [],
  closed: [],
};

export function isLegalTransition(from: OrderStatus, to: OrderStatus): boolean {
  return from === to || ORDER_TRANSITIONS[from].includes(to);
}

/** Throws an IllegalTransitionError naming both states unless `from → to` is allowed. */
export function assertTransition(order: string, from: OrderStatus, to: OrderStatus): void {
  if (!isLegalTransition(from, to)) {
    throw new IllegalTransitionError(`order ${order} cannot move from ${from} to ${to}`, { field: 'status', value: { from, to } });
  }
}

/** What an order's items say its status is, before the lifecycle checks that the move is allowed. */
export interface OrderProgress {
  required: number;
  allocated: number;
  shipped: number;
  /** Lines without an ERP SKU: never fulfillable until an update maps them. */
  unmappedLines: number;
}

/**
 * The status an order's items say it has. A fully shipped order is `closed` once accounting
 * has invoiced it (`invoiced`) or the carrier delivered every one of its shipments (`delivered`);
 * until then it is `shipped`.
 */
export function deriveStatus(current: OrderStatus, p: OrderProgress, invoiced: boolean, delivered = false): OrderStatus {
  if (current === 'cancelled') return 'cancelled';
  if (p.unmappedLines === 0 && p.required > 0 && p.shipped >= p.required) {
    return current === 'closed' || invoiced || delivered ? 'closed' : 'shipped';
  }
  if (p.shipped > 0) return 'partially_shipped';
  if (p.unmappedLines > 0 || p.allocated < p.required) return 'backordered';
  return 'allocated';
}

/**
 * Moves an order with a compare-and-set on its current status. The caller holds the order's row
 * lock, so the CAS failing means a bug, not a race, and is reported as such.
 */
export async function transitionOrder(tx: Tx, id: number, label: string, from: OrderStatus, to: OrderStatus): Promise<void> {
  if (from === to) return;
  // Reaching closed from an open state goes through shipped; both steps must be legal.
  if (to === 'closed' && from !== 'shipped') assertTransition(label, from, 'shipped');
  else assertTransition(label, from, to);
  const res = await tx.query('UPDATE sales_order SET status = $3, updated_at = now() WHERE id = $1 AND status = $2', [id, from, to]);
  if (res.rowCount !== 1) throw new Error(`order ${label}: status changed under its row lock (expected ${from})`);
}
