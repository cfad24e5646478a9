import type { CanonicalEvent } from '../model/index.js';
import type { Db, Tx } from '../store/index.js';
import { emitAvailabilityChanges } from './availability.js';
import { fillBackorders, resolveShortfalls } from './backorders.js';
import type { ErpContext } from './context.js';
import type { HandlerResult } from './handler.js';
import { applyOrderCancelled, applyOrderUpserted } from './order-events.js';
import { emitOrderFlow } from './order-flow.js';
import { prelockBalances } from './prelock.js';
import { applyCancellationRequested } from './order-requests.js';
import { applyProductUpserted } from './products.js';
import { applyInvoicePosted, applyInvoicePaymentRecorded, applyRefundCreated } from './records.js';
import { checkReplenishment } from './replenishment.js';
import { ApplySession } from './session.js';
import { applyShipmentConfirmed, applyTrackingUpdated } from './shipments.js';
import { checkStale } from './stale.js';
import { applyAdjusted, applyLevelReported, applyReturnReceived } from './stock-events.js';
import type { ApplyOptions, ApplyOutcome } from './types.js';

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
 * Applies a batch of events in ONE transaction, in order, each with {@link applyEventTx}'s rules
 * (idempotency key, stale guard, handlers, cascades): one commit instead of one per event. A
 * failure rolls the whole batch back; callers that must isolate one event retry it alone.
 * The balances the batch will touch are locked first, sorted, so concurrent batches do not deadlock.
 */
export async function applyEvents(db: Db, events: readonly CanonicalEvent[], ctx: ErpContext): Promise<ApplyOutcome[]> {
  return db.transaction(async (tx) => {
    // One event locks its balances sorted already; only a batch spans several lock sets.
    if (events.length > 1) await prelockBalances(tx, events, ctx);
    const out: ApplyOutcome[] = [];
    for (const event of events) out.push(await applyEventTx(tx, event, ctx));
    return out;
  });
}

/** {@link applyEvent} inside a transaction the caller owns (and commits). */
export async function applyEventTx(tx: Tx, event: CanonicalEvent, ctx: ErpContext): Promise<ApplyOutcome> {
  const base = { eventId: event.id, idempotencyKey: event.idempotencyKey, movements: [], orderChanges: [], availabilityChanges: [], replenishment: [] };
  // Concurrent deliveries of one key queue on this unique insert; the loser sees the winner's row.
  const claimed = await tx.query(
    `INSERT INTO erp_applied_event (idempotency_key, event_id, event_type, connector, status)
     VALUES ($1, $2, $3, $4, 'applied') ON CONFLICT DO NOTHING RETURNING 1`,
    [event.idempotencyKey, event.id, event.type, event.source.connector],
  );
  if (claimed.rowCount === 0) {
    const { rows } = await tx.query<{ event_id: string; applied_at: Date }>('SELECT event_id, applied_at FROM erp_applied_event WHERE idempotency_key = $1', [
      event.idempotencyKey,
    ]);
    const at = rows[0] ? new Date(rows[0].applied_at).toISOString() : 'earlier';
    return { ...base, status: 'duplicate', message: `already applied: key ${event.idempotencyKey} (event ${rows[0]?.event_id ?? '?'}, ${at})` };
  }
  const stale = await checkStale(tx, event);
  if (stale !== null) {
    await setKeyStatus(tx, event, 'stale');
    return { ...base, status: 'stale', message: stale };
  }
  const s = new ApplySession(tx, event, ctx);
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
  await s.flush();
  await emitOrderFlow(s);
  const availabilityChanges = await emitAvailabilityChanges(s);
  return {
    ...base,
    status: 'applied',
    ...(result.message === undefined ? {} : { message: result.message }),
    movements: s.movements,
    orderChanges: s.orderChanges(),
    availabilityChanges,
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
