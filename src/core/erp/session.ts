import { INVENTORY_STATES, type CanonicalEvent, type InventoryState, type OrderStatus } from '../model/index.js';
import { ValidationError } from '../errors.js';
import { runWrites, type Tx, type WritePart } from '../store/index.js';
import { pairKey, type ErpContext } from './context.js';
import { newOrdersPart, type NewOrder } from './new-orders.js';
import type { RecordHopInput } from './order-hops.js';
import type { ProductRecord } from './products.js';
import type { EntityState } from './stale.js';
import type { Movement, OrderChange, ReplenishmentChange } from './types.js';

export type Balances = Record<InventoryState, number>;

/** `onHand - allocated - quarantined`. */
export function availableOf(b: Balances): number {
  return b.onHand - b.allocated - b.quarantined;
}

/** A movement not yet written, with the idempotency key of the event that made it. */
type PendingMovement = Movement & { idempotencyKey: string };

/**
 * What the events applied in one transaction share: the balance rows locked so far (their cached
 * values are authoritative), the products read, the movements not yet written, and what moved
 * since availability was last emitted. A single event has one of its own; a batch (see
 * `applyEventsTx`) shares one, so each row is locked and read once, and movements and availability
 * are written once, at the end of the batch.
 */
export class TxState {
  readonly balances = new Map<string, Balances>();
  /** Products read in this transaction; `null` = known not to exist. */
  readonly productCache = new Map<string, ProductRecord | null>();
  readonly pending: PendingMovement[] = [];
  /** Pairs moved since availability was last emitted. */
  readonly touched = new Map<string, [string, string]>();
  /** SKUs whose availability must be recomputed on every channel (product changes). */
  readonly productChanged = new Set<string>();
  /** Pairs a batch locked before its first event, sorted (see prelock.ts). */
  readonly prelocked = new Set<string>();
  /**
   * SKUs a batch found without backordered demand once their balances were locked; a receipt of
   * them then has no order to fill. Cleared when an event of the batch may create such demand.
   */
  backorderFree: Set<string> | undefined;
  /**
   * The bundles that contain each SKU a batch read up front (a SKU with no product has none).
   * Cleared when a product event of the batch may change bundles.
   */
  bundlesOf: Map<string, string[]> | undefined;
  /** The entity versions the fresh events overwrite, locked up front (see lockEntityVersions). */
  entities: Map<string, EntityState> | undefined;
  /** Order hops and flow outbox rows to write at the end (see orderFlowParts). */
  readonly hops: RecordHopInput[] = [];
  readonly flows: { kind: string; channel: string; externalOrderId: string; location: string | null; payload: string | null }[] = [];
  /**
   * New orders placed but not written yet: their headers exist (status `pending`), their lines,
   * items, allocations and status wait for {@link settle} or the end of the batch, and are then
   * written for all of them in one statement (see newOrdersPart).
   */
  readonly newOrders: NewOrder[] = [];
  /** Headers a batch inserted up front for the orders it creates, by channel and external id (see createNewOrders). */
  created = new Map<string, number>();

  /** The new orders placed so far as one write, taken out of this state; `null` when there are none. */
  takeNewOrders(): WritePart | null {
    return newOrdersPart(this.newOrders.splice(0));
  }

  /**
   * The pending movements as one write (the movements, and each balance's summed delta), taken
   * out of this state; `null` when there are none.
   */
  takeMovements(): WritePart | null {
    if (this.pending.length === 0) return null;
    const ms = this.pending.splice(0);
    const sums = new Map<string, { sku: string; location: string; state: string; delta: number }>();
    for (const m of ms) {
      const key = `${pairKey(m.sku, m.location)}\u0000${m.state}`;
      const s = sums.get(key) ?? { sku: m.sku, location: m.location, state: m.state, delta: 0 };
      s.delta += m.delta;
      sums.set(key, s);
    }
    const rows = [...sums.values()];
    return {
      steps: [
        [
          'moved',
          `INSERT INTO inventory_movement (sku, location, state, delta, reason, reference, idempotency_key)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[])`,
        ],
        [
          'balanced',
          `UPDATE inventory_balance b SET quantity = b.quantity + d.delta, updated_at = now()
           FROM unnest($8::text[], $9::text[], $10::text[], $11::int[]) AS d(sku, location, state, delta)
           WHERE b.sku = d.sku AND b.location = d.location AND b.state = d.state`,
        ],
      ],
      params: [
        ms.map((m) => m.sku),
        ms.map((m) => m.location),
        ms.map((m) => m.state),
        ms.map((m) => m.delta),
        ms.map((m) => m.reason),
        ms.map((m) => m.reference),
        ms.map((m) => m.idempotencyKey),
        rows.map((r) => r.sku),
        rows.map((r) => r.location),
        rows.map((r) => r.state),
        rows.map((r) => r.delta),
      ],
    };
  }

  /**
   * A transaction handle that writes the pending new orders before any statement it runs, so no
   * read of the order tables (a backorder fill, an update of the same order, a shortfall release)
   * can miss them. Statements known not to need them use the raw handle.
   */
  settling(tx: Tx): Tx {
    const settle = () => this.settle(tx);
    return {
      query: async (sql, params) => (await settle(), tx.query(sql, params)),
      exec: async (sql) => (await settle(), tx.exec(sql)),
    };
  }

  /** Writes the new orders placed so far (none: no round trip). */
  async settle(tx: Tx): Promise<void> {
    await runWrites(tx, [this.takeNewOrders()]);
  }
}

/**
 * The state of one event being applied inside one transaction: the movements it made, the orders
 * it moved and its replenishment changes, over the transaction's shared {@link TxState}.
 * Balance rows are locked before they are read and the cached values are then authoritative;
 * movements are written in one statement by {@link flush}.
 */
export class ApplySession {
  readonly movements: Movement[] = [];
  readonly replenishment: ReplenishmentChange[] = [];
  private readonly availableDelta = new Map<string, number>();
  private readonly orders = new Map<number, OrderChange>();
  /** Where this event allocated a new order (by channel and external id), so the order flow need not read it back. */
  readonly newOrderLocations = new Map<string, string[]>();

  constructor(
    readonly tx: Tx,
    readonly event: CanonicalEvent,
    readonly ctx: ErpContext,
    readonly shared: TxState = new TxState(),
  ) {}

  private get balances(): Map<string, Balances> {
    return this.shared.balances;
  }

  get productCache(): Map<string, ProductRecord | null> {
    return this.shared.productCache;
  }

  get productChanged(): Set<string> {
    return this.shared.productChanged;
  }

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
    const { rows } = await this.tx.query<BalanceRow>(lockBalancesSql(), [pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
    return balancesFrom(rows);
  }

  /** Current balances of a locked pair. */
  get(sku: string, location: string): Balances {
    const b = this.balances.get(pairKey(sku, location));
    if (!b) throw new Error(`balance of ${sku} at ${location} read without its lock`);
    return b;
  }

  /** Balances of a pair if this transaction holds it locked, else undefined. */
  cached(sku: string, location: string): Balances | undefined {
    return this.balances.get(pairKey(sku, location));
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
    this.shared.pending.push({ ...m, idempotencyKey: this.event.idempotencyKey });
    const key = pairKey(sku, location);
    if (!this.shared.touched.has(key)) this.shared.touched.set(key, [sku, location]);
    const effect = state === 'onHand' ? delta : state === 'allocated' || state === 'quarantined' ? -delta : 0;
    if (effect !== 0) {
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

  /** Writes the transaction's pending movements and their balance deltas in one statement. */
  async flush(): Promise<void> {
    await runWrites(this.tx, [this.shared.takeMovements()]);
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

/** A balance row as {@link lockBalancesSql} returns it. */
export interface BalanceRow {
  sku: string;
  location: string;
  state: InventoryState;
  quantity: number;
}

/**
 * Locks the existing balance rows of the (sku, location) pairs in $1, $2, in (sku, location,
 * state) order; `after` is a condition evaluated once before the first row is locked.
 */
export function lockBalancesSql(after?: string): string {
  return `SELECT sku, location, state, quantity FROM inventory_balance
    WHERE (sku, location) IN (SELECT * FROM unnest($1::text[], $2::text[]))${after ? ` AND ${after}` : ''}
    ORDER BY sku, location, state
    FOR UPDATE`;
}

/** Balances by pair from balance rows (states without a row are 0). */
export function balancesFrom(rows: readonly BalanceRow[]): Map<string, Balances> {
  const out = new Map<string, Balances>();
  for (const r of rows) {
    const key = pairKey(r.sku, r.location);
    const b = out.get(key) ?? emptyBalances();
    b[r.state] = r.quantity;
    out.set(key, b);
  }
  return out;
}

function emptyBalances(): Balances {
  return { onHand: 0, allocated: 0, inTransit: 0, quarantined: 0, returned: 0 };
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('\u0000');
  return [key.slice(0, i), key.slice(i + 1)];
}
