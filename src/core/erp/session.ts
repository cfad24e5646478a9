import { INVENTORY_STATES, type CanonicalEvent, type InventoryState, type OrderStatus } from '../model/index.js';
import { ValidationError } from '../errors.js';
import type { Tx } from '../store/index.js';
import { pairKey, type ErpContext } from './context.js';
import type { ProductRecord } from './products.js';
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
  /** Products read in this transaction; `null` = known not to exist. */
  readonly productCache = new Map<string, ProductRecord | null>();

  constructor(
    readonly tx: Tx,
    readonly event: CanonicalEvent,
    readonly ctx: ErpContext,
  ) {}

  /**
   * Locks the balance rows of every (sku, location), creating missing ones, in sorted order so
   * concurrent transactions queue instead of deadlocking. Pairs already locked are skipped.
   * Rows normally exist, so one SELECT ... FOR UPDATE does it; only pairs never seen before are
   * inserted (ON CONFLICT DO NOTHING waits for a concurrent creator) and then locked.
   */
  async lock(pairs: Iterable<readonly [string, string]>): Promise<void> {
    const todo = new Map<string, readonly [string, string]>();
    for (const p of pairs) {
      const key = pairKey(p[0], p[1]);
      if (!this.balances.has(key)) todo.set(key, p);
    }
    if (todo.size === 0) return;
    const found = await this.selectForUpdate([...todo.values()]);
    const missing = [...todo].filter(([key]) => !found.has(key)).map(([, p]) => p);
    if (missing.length > 0) {
      await this.tx.query(
        `INSERT INTO inventory_balance (sku, location, state, quantity)
         SELECT p.sku, p.location, s.state, 0
         FROM unnest($1::text[], $2::text[]) AS p(sku, location) CROSS JOIN unnest($3::text[]) AS s(state)
         ORDER BY 1, 2, 3
         ON CONFLICT DO NOTHING`,
        [missing.map((p) => p[0]), missing.map((p) => p[1]), INVENTORY_STATES],
      );
      for (const [key, b] of await this.selectForUpdate(missing)) found.set(key, b);
    }
    for (const [key, b] of found) this.balances.set(key, b);
  }

  private async selectForUpdate(pairs: (readonly [string, string])[]): Promise<Map<string, Balances>> {
    const { rows } = await this.tx.query<{ sku: string; location: string; state: InventoryState; quantity: number }>(
      `SELECT sku, location, state, quantity FROM inventory_balance
       WHERE (sku, location) IN (SELECT * FROM unnest($1::text[], $2::text[]))
       ORDER BY sku, location, state
       FOR UPDATE`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    const out = new Map<string, Balances>();
    for (const r of rows) {
      const key = pairKey(r.sku, r.location);
      const b = out.get(key) ?? emptyBalances();
      b[r.state] = r.quantity;
      out.set(key, b);
    }
    return out;
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

  /** Writes pending movements and their balance deltas in one statement. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const ms = this.pending.splice(0);
    const sums = new Map<string, { sku: string; location: string; state: string; delta: number }>();
    for (const m of ms) {
      const key = `${pairKey(m.sku, m.location)}\u0000${m.state}`;
      const s = sums.get(key) ?? { sku: m.sku, location: m.location, state: m.state, delta: 0 };
      s.delta += m.delta;
      sums.set(key, s);
    }
    const rows = [...sums.values()];
    await this.tx.query(
      `WITH moved AS (
         INSERT INTO inventory_movement (sku, location, state, delta, reason, reference, idempotency_key)
         SELECT m.sku, m.location, m.state, m.delta, m.reason, m.reference, $7
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[]) AS m(sku, location, state, delta, reason, reference)
       )
       UPDATE inventory_balance b SET quantity = b.quantity + d.delta, updated_at = now()
       FROM unnest($8::text[], $9::text[], $10::text[], $11::int[]) AS d(sku, location, state, delta)
       WHERE b.sku = d.sku AND b.location = d.location AND b.state = d.state`,
      [
        ms.map((m) => m.sku),
        ms.map((m) => m.location),
        ms.map((m) => m.state),
        ms.map((m) => m.delta),
        ms.map((m) => m.reason),
        ms.map((m) => m.reference),
        this.event.idempotencyKey,
        rows.map((r) => r.sku),
        rows.map((r) => r.location),
        rows.map((r) => r.state),
        rows.map((r) => r.delta),
      ],
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
