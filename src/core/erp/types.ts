import type { InventoryState, OrderStatus } from '../model/index.js';

/** One ledger movement: `delta` units of `sku` in `state` at `location`. */
export interface Movement {
  sku: string;
  location: string;
  state: InventoryState;
  delta: number;
  /** Why: `order.allocated`, `shipment.confirmed`, `cycle_count`, an adjustment's own reason, ... */
  reason: string;
  /** What caused it: `order:web/1001`, `shipment:web/S1`, ... */
  reference: string | null;
}

/** An order created or moved to another lifecycle state by the event. */
export interface OrderChange {
  channel: string;
  externalOrderId: string;
  /** `null` when the order was created by this event. */
  from: OrderStatus | null;
  to: OrderStatus;
}

/** A new availableToSell for a SKU on a channel, also written to `availability_outbox`. */
export interface AvailabilityChange {
  sku: string;
  channel: string;
  available: number;
  /** Grows by one per change of this (sku, channel); pushers drop anything older than what they sent. */
  version: number;
}

/** A replenishment suggestion opened (available fell below the reorder point) or cleared. */
export interface ReplenishmentChange {
  sku: string;
  location: string;
  action: 'suggested' | 'cleared';
  available: number;
  reorderPoint: number;
  reorderQuantity: number;
}

export type ApplyStatus = 'applied' | 'duplicate' | 'stale';

/** What applying one canonical event did (or, with `dryRun`, would have done). */
export interface ApplyOutcome {
  /** `duplicate`: the idempotency key (or the entity's external id) was already applied; `stale`: an older source version. */
  status: ApplyStatus;
  message?: string;
  eventId: string;
  idempotencyKey: string;
  movements: Movement[];
  orderChanges: OrderChange[];
  availabilityChanges: AvailabilityChange[];
  replenishment: ReplenishmentChange[];
  /** True when the transaction was rolled back on purpose. */
  dryRun?: boolean;
}

export interface ApplyOptions {
  /** Apply everything, then roll back and report what would have happened. */
  dryRun?: boolean;
}
