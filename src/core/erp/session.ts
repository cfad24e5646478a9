import { INVENTORY_STATES, type CanonicalEvent, type InventoryState, type OrderStatus } from '../model/index.js';
import { ValidationError } from '../errors.js';
import type { Tx } from '../store/index.js';
import { pairKey, type ErpContext } from './context.js';
import type { Movement, OrderChange, ReplenishmentChange } from './types.js';

export type Balances = Record<InventoryState, number>;

/** `onHand - allocated - quarantined`. */
export function availableOf(b: Balances): number {
  return b.onHand - b.allocated - b.quarantined;
}

/**
 * The state of one event being applied inside one transaction: the balance rows it has locked
 * (and their current values), the movements it made and the orders it moved.
 * Balance rows are locked before they are read and the cached values are then authoritative;
 * movements are written in one batch by {@link flush}.
 */
export class ApplySession {
  readonly movements: Movement[] = [];
  readonly replenishment: ReplenishmentChange[] = [];
  /** SKUs whose availability must be recomputed on every channel (product changes). */
  readonly productChanged = new Set<string>();
  private readonly pending: Movement[] = [];
  private readonly balances = new Map<string, Balances>();
  private readonly availableDelta = new Map<string, number>();
  private readonly orders = new Map<number, OrderChange>();

  constructor(
    readonly tx: Tx,
    readonly event: CanonicalEvent,
    readonly ctx: ErpContext,
  ) {}

  /**
   * Makes the balance rows of every (sku, location) exist and locks them, in sorted order so
   * that concurrent transactions queue instead of deadlocking. Pairs already locked are skipped.
   */
  async lock(pairs: Iterable<readonly [string, string]>): Promise<void> {
    const todo = new Map<string, readonly [string, string]>();
    for (const p of pairs) {
      const key = pairKey(p[0], p[1]);
      if (!this.balances.has(key)) todo.set(key, p);
    }
    if (todo.size === 0) return;
    const sorted = [...todo.values()].sort((a, b) => (a[0] === b[0] ? cmp(a[1], b[1]) : cmp(a[0], b[0])));
    const skus = sorted.map((p) => p[0]);
    const locations = sorted.map((p) => p[1]);
    await this.tx.query(
      `INSERT INTO inventory_balance (sku, location, state, quantity)
       SELECT p.sku, p.location, s.state, 0
       FROM unnest($1::text[], $2::text[]) AS p(sku, location) CROSS JOIN unnest($3::text[]) AS s(state)
       ORDER BY 1, 2, 3
       ON CONFLICT DO NOTHING`,
      [skus, locations, INVENTORY_STATES],
    );
    const { rows } = await this.tx.query<{ sku: string; location: string; state: InventoryState; quantity: number }>(
      `SELECT sku, location, state, quantity FROM inventory_balance
       WHERE (sku, location) IN (SELECT * FROM unnest($1::text[], $2::text[]))
       ORDER BY sku, location, state
       FOR UPDATE`,
      [skus, locations],
    );
    for (const [key] of todo) this.balances.set(key, emptyBalances());
    for (const r of rows) this.balances.get(pairKey(r.sku, r.location))![r.state] = r.quantity;
  }

  /** Current balances of a locked pair. */
  get(sku: string, location: string): Balances {
    const b = this.balances.get(pairKey(sku, location));
    if (!b) throw new Error(`balance of ${sku} at ${location} read without its lock`);
    return b;
  }

  available(sku: string, location: string): number {
    return availableOf(this.get(sku, location));
  }

  /** Records a movement and updates the cached balance; no balance may go below zero. */
  move(sku: string, location: string, state: InventoryState, delta: number, reason: string, reference: string | null): void {
    if (delta === 0) return;
    const b = this.get(sku, location);
    const next = b[state] + delta;
    if (next < 0) {
      throw new ValidationError(`${sku} at ${location}: ${state} would become ${next} (${reason})`, { field: 'data', value: delta });
    }
    b[state] = next;
    const m: Movement = { sku, location, state, delta, reason, reference };
    this.movements.push(m);
    this.pending.push(m);
    const effect = state === 'onHand' ? delta : state === 'allocated' || state === 'quarantined' ? -delta : 0;
    if (effect !== 0) {
      const key = pairKey(sku, location);
      this.availableDelta.set(key, (this.availableDelta.get(key) ?? 0) + effect);
    }
  }

  /** Pairs whose available stock went up so far (candidates for a backorder fill). */
  increasedPairs(): [string, string][] {
    return [...this.availableDelta].filter(([, d]) => d > 0).map(([k]) => splitKey(k));
  }

  /** Every pair that received a movement. */
  touchedPairs(): [string, string][] {
    return [...new Set(this.movements.map((m) => pairKey(m.sku, m.location)))].map(splitKey);
  }

  /** Writes pending movements and their balance deltas in two statements. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const ms = this.pending.splice(0);
    await this.tx.query(
      `INSERT INTO inventory_movement (sku, location, state, delta, reason, reference, idempotency_key)
       SELECT m.sku, m.location, m.state, m.delta, m.reason, m.reference, $7
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])
         AS m(sku, location, state, delta, reason, reference)`,
      [ms.map((m) => m.sku), ms.map((m) => m.location), ms.map((m) => m.state), ms.map((m) => m.delta), ms.map((m) => m.reason), ms.map((m) => m.reference), this.event.idempotencyKey],
    );
    const sums = new Map<string, { sku: string; location: string; state: string; delta: number }>();
    for (const m of ms) {
      const key = `${pairKey(m.sku, m.location)}\u0000${m.state}`;
      const s = sums.get(key) ?? { sku: m.sku, location: m.location, state: m.state, delta: 0 };
      s.delta += m.delta;
      sums.set(key, s);
    }
    const rows = [...sums.values()];
    await this.tx.query(
      `UPDATE inventory_balance b SET quantity = b.quantity + d.delta, updated_at = now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS d(sku, location, state, delta)
       WHERE b.sku = d.sku AND b.location = d.location AND b.state = d.state`,
      [rows.map((r) => r.sku), rows.map((r) => r.location), rows.map((r) => r.state), rows.map((r) => r.delta)],
    );
  }

  /** Notes an order's status change; several changes in one event collapse to first `from`, last `to`. */
  recordOrderChange(orderId: number, channel: string, externalOrderId: string, from: OrderStatus | null, to: OrderStatus): void {
    const prev = this.orders.get(orderId);
    this.orders.set(orderId, { channel, externalOrderId, from: prev ? prev.from : from, to });
  }

  orderChanges(): OrderChange[] {
    return [...this.orders.values()].filter((c) => c.from !== c.to);
  }
}

function emptyBalances(): Balances {
  return { onHand: 0, allocated: 0, inTransit: 0, quarantined: 0, returned: 0 };
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('\u0000');
  return [key.slice(0, i), key.slice(i + 1)];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
