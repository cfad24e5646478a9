import type { CanonicalEvent } from '../model/index.js';
import { runWrites, type Db, type Tx, type WritePart } from '../store/index.js';
import { AVAILABILITY_RETURNING, availabilityChanges, planAvailability } from './availability.js';
import { fillBackorders, resolveShortfalls } from './backorders.js';
import type { ErpContext } from './context.js';
import type { HandlerResult } from './handler.js';
import { applyOrderCancelled, applyOrderUpserted } from './order-events.js';
import { createNewOrders, namedOrder } from './new-orders.js';
import { emitOrderFlow, orderFlowParts } from './order-flow.js';
import { claimPart, CLAIMED, isStockEvent, lockNamedOrders, prepareBatch } from './prelock.js';
import { applyCancellationRequested } from './order-requests.js';
import { applyProductUpserted } from './products.js';
import { applyInvoicePosted, applyInvoicePaymentRecorded, applyRefundCreated } from './records.js';
import { checkReplenishment } from './replenishment.js';
import { ApplySession, TxState } from './session.js';
import { applyShipmentConfirmed, applyTrackingUpdated } from './shipments.js';
import { checkStaleIn, entityKey, entityVersionsPart, lockEntityVersions } from './stale.js';
import { applyAdjusted, applyLevelReported, applyReturnReceived } from './stock-events.js';
import type { ApplyOptions, ApplyOutcome, AvailabilityChange } from './types.js';

/** Thrown inside the transaction to roll a dry run back; carries the outcome out. */
class DryRunRollback extends Error {
  constructor(readonly outcome: ApplyOutcome) {
    super('dry run');
  }
}

/**
 * Applies one canonical event in ONE transaction and records its idempotency key in that same
 * transaction: a repeat (redelivery, replay) is reported as `duplicate` and changes nothing; an
 * event older than the entity's applied source version is `stale` and changes nothing.
 * Permanent problems throw ValidationError / IllegalTransitionError; contention surfaces as the
 * retryable LockTimeoutError from the store. With `dryRun` everything runs and is rolled back.
 */
export async function applyEvent(db: Db, event: CanonicalEvent, ctx: ErpContext, options: ApplyOptions = {}): Promise<ApplyOutcome> {
  try {
    return await db.transaction(async (tx) => {
      const outcome = await applyEventTx(tx, event, ctx);
      if (options.dryRun) throw new DryRunRollback(outcome);
      return outcome;
    });
  } catch (err) {
    if (err instanceof DryRunRollback) return { ...err.outcome, dryRun: true };
    throw err;
  }
}

/**
 * Applies a batch of events in ONE transaction, in order, each with {@link applyEventTx}'s rules:
 * one commit instead of one per event. A failure rolls the whole batch back; callers that must
 * isolate one event retry it alone. See {@link applyEventsTx}.
 */
export async function applyEvents(db: Db, events: readonly CanonicalEvent[], ctx: ErpContext): Promise<ApplyOutcome[]> {
  return db.transaction((tx) => applyEventsTx(tx, events, ctx));
}

/**
 * Applies a batch of events inside the caller's transaction, set-based where the rules allow.
 * Locks are taken in one order, each step in one sorted statement, so concurrent batches queue
 * instead of deadlocking: idempotency keys, entity versions, orders, balances, availability.
 *   - the idempotency keys are claimed in one statement (the first of two equal keys wins);
 *   - the version rows of the entities the fresh events overwrite are locked and read in one
 *     statement; the stale guard then runs in memory, in inbox order, and the last applied
 *     versions are written back in one statement;
 *   - the headers of the orders the batch creates are inserted in one statement (see
 *     createNewOrders), the other orders it names locked, then its products and existing balance
 *     rows are read and locked up front (see prepareBatch);
 *   - each event runs its handler and cascades in inbox order against the locked, cached
 *     balances, exactly as alone;
 *   - the batch's writes that nothing reads back are made by ONE closing statement (see closeTx),
 *     and availability is recomputed once, from the locked balances. Its changes are reported
 *     on the last applied event's outcome: a SKU moved by several events of the batch gets one
 *     new value.
 * One event is a batch of one: the same statements.
 * `onEvent(i)` is called before event `i` applies (and with -1 for the batch's closing writes),
 * so a caller can tell which event a thrown error belongs to; a batch of one calls `onEvent(0)`
 * before its up-front statements too. `closing` are the caller's own
 * writes for the same transaction (marking its inbox rows): they join the closing statement, and
 * must neither read nor change what the apply writes.
 */
export async function applyEventsTx(
  tx: Tx,
  events: readonly CanonicalEvent[],
  ctx: ErpContext,
  onEvent?: (index: number) => void,
  closing: readonly WritePart[] = [],
): Promise<ApplyOutcome[]> {
  if (events.length === 0) {
    await runWrites(tx, closing);
    return [];
  }
  // A batch of one: what fails before its handler (a lock wait, say) fails for that event.
  if (events.length === 1) onEvent?.(0);
  // Lock order, each step sorted: (the caller's inbox rows), keys, entity versions, orders, balances, availability.
  const shared = new TxState();
  const claim = claimPart(events);
  let fresh: Set<number>;
  if (events.some(versionedOrNamesOrder)) {
    fresh = claim.fresh((await runWrites<{ idempotency_key: string }>(tx, [claim.part], CLAIMED)).rows);
    const freshEvents = events.filter((_, i) => fresh.has(i));
    shared.entities = await lockEntityVersions(tx, freshEvents);
    shared.created = await createNewOrders(tx, freshEvents, ctx);
    await lockNamedOrders(tx, freshEvents, shared.created);
    await prepareBatch(tx, freshEvents, ctx, shared);
  } else {
    // No version and no order to lock in between: the keys are claimed by the statement that
    // reads the products and locks the balances, before it locks any (see prepareBatch).
    fresh = claim.fresh(await prepareBatch(tx, events, ctx, shared, claim.part));
    shared.entities = new Map();
  }
  const stx = shared.settling(tx);
  const out: ApplyOutcome[] = [];
  for (const [i, event] of events.entries()) {
    onEvent?.(i);
    // A shipment or cancellation may create backordered demand the batch did not see (an order
    // says which SKUs it backorders itself).
    if (!isStockEvent(event) && event.type !== 'order.upserted') shared.backorderFree = undefined;
    if (event.type === 'product.upserted') shared.bundlesOf = undefined;
    out.push(await applyClaimed(stx, event, ctx, shared, fresh.has(i)));
  }
  onEvent?.(-1);
  const availabilityChanges = await closeTx(new ApplySession(tx, events[events.length - 1]!, ctx, shared), closing);
  const last = out.findLastIndex((o) => o.status === 'applied');
  if (last >= 0) out[last] = { ...out[last]!, availabilityChanges };
  return out;
}

/** Whether an event has an entity version to lock or names an order (steps between the keys and the balances). */
function versionedOrNamesOrder(e: CanonicalEvent): boolean {
  return (e.source.version !== null && entityKey(e) !== null) || namedOrder(e) !== null;
}

/** {@link applyEvent} inside a transaction the caller owns (and commits): a batch of one. */
export async function applyEventTx(tx: Tx, event: CanonicalEvent, ctx: ErpContext): Promise<ApplyOutcome> {
  return (await applyEventsTx(tx, [event], ctx))[0]!;
}

/**
 * The transaction's closing writes (one event's, or a batch's), in ONE statement: new orders'
 * lines, items, allocations and status; movements and balances; order hops; flow rows; entity
 * versions; availability with its outbox rows when it comes from the locked balances; and the
 * caller's `closing` writes. None of them reads what another writes. Availability that must read
 * balances back runs after them. `s` holds the raw transaction: the new orders are written here,
 * not settled before each read.
 */
async function closeTx(s: ApplySession, closing: readonly WritePart[]): Promise<AvailabilityChange[]> {
  const plan = await planAvailability(s);
  const shared = s.shared;
  const parts = [shared.takeNewOrders(), shared.takeMovements(), ...orderFlowParts(shared), entityVersionsPart(shared.entities), ...closing];
  if (plan && 'part' in plan) {
    const { rows } = await runWrites<{ sku: string; channel: string; available: number; version: number }>(s.tx, [...parts, plan.part], AVAILABILITY_RETURNING);
    return availabilityChanges(rows);
  }
  await runWrites(s.tx, parts);
  return plan ? plan.after() : [];
}

/**
 * One event whose key was just claimed (`fresh`) or found applied already: stale guard, handler,
 * cascades. Its writes that nothing reads back (movements, new orders' rows, hops, flows,
 * versions) and availability are left to the transaction's closing writes (see closeTx).
 */
async function applyClaimed(tx: Tx, event: CanonicalEvent, ctx: ErpContext, shared: TxState, fresh: boolean): Promise<ApplyOutcome> {
  const base = { eventId: event.id, idempotencyKey: event.idempotencyKey, movements: [], orderChanges: [], availabilityChanges: [], replenishment: [] };
  if (!fresh) {
    const { rows } = await tx.query<{ event_id: string; applied_at: Date }>('SELECT event_id, applied_at FROM erp_applied_event WHERE idempotency_key = $1', [
      event.idempotencyKey,
    ]);
    const at = rows[0] ? new Date(rows[0].applied_at).toISOString() : 'earlier';
    return { ...base, status: 'duplicate', message: `already applied: key ${event.idempotencyKey} (event ${rows[0]?.event_id ?? '?'}, ${at})` };
  }
  const stale = checkStaleIn(shared.entities ?? new Map(), event);
  if (stale !== null) {
    await setKeyStatus(tx, event, 'stale');
    return { ...base, status: 'stale', message: stale };
  }
  const s = new ApplySession(tx, event, ctx, shared);
  const result = await dispatch(s, event);
  if (result.status === 'duplicate') {
    await setKeyStatus(tx, event, 'duplicate');
    return { ...base, status: 'duplicate', message: result.message };
  }
  // Cascades: reservations never exceed stock, backorders take stock that became free (oldest first).
  const increased = s.increasedPairs();
  await resolveShortfalls(s, s.touchedPairs());
  await fillBackorders(s, increased);
  await checkReplenishment(s);
  await emitOrderFlow(s);
  return {
    ...base,
    status: 'applied',
    ...(result.message === undefined ? {} : { message: result.message }),
    movements: s.movements,
    orderChanges: s.orderChanges(),
    replenishment: s.replenishment,
  };
}

async function setKeyStatus(tx: Tx, event: CanonicalEvent, status: 'stale' | 'duplicate'): Promise<void> {
  await tx.query('UPDATE erp_applied_event SET status = $2 WHERE idempotency_key = $1', [event.idempotencyKey, status]);
}

function dispatch(s: ApplySession, event: CanonicalEvent): Promise<HandlerResult> {
  switch (event.type) {
    case 'order.upserted':
      return applyOrderUpserted(s, event.data);
    case 'order.cancelled':
      return applyOrderCancelled(s, event.data);
    case 'order.cancellation.requested':
      return applyCancellationRequested(s, event.data);
    case 'inventory.level.reported':
      return applyLevelReported(s, event.data);
    case 'inventory.adjusted':
      return applyAdjusted(s, event.data);
    case 'shipment.confirmed':
      return applyShipmentConfirmed(s, event.data);
    case 'shipment.tracking.updated':
      return applyTrackingUpdated(s, event.data);
    case 'return.received':
      return applyReturnReceived(s, event.data);
    case 'refund.created':
      return applyRefundCreated(s, event.data);
    case 'invoice.posted':
      return applyInvoicePosted(s, event.data);
    case 'invoice.payment.recorded':
      return applyInvoicePaymentRecorded(s, event.data);
    case 'product.upserted':
      return applyProductUpserted(s, event.data).then((message) => ({ message }));
  }
}
