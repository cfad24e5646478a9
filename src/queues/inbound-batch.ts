import type { Job } from 'bullmq';
import { HubError, ValidationError, MappingError } from '../core/errors.js';
import type { CanonicalEvent } from '../core/model/index.js';
import type { Tx } from '../core/store/index.js';
import { applyEventsTx } from '../core/erp/index.js';
import type { ApplyOutcome } from '../core/erp/types.js';
import { parseJsonPreservingIds } from '../connectors/http/json.js';
import { insertDeadLetter } from './dead-letter-store.js';
import { deadLetterReport, describeError, type FailureContext } from './failures.js';
import { normalizeDelivery, type InboundBatchJobData, type InboundDeps, type InboundJobData, type InboundResult } from './inbound.js';
import { getInboxRow, markInbox, processedPart } from './inbox.js';
import { INBOUND_QUEUE } from './names.js';

/** Attempts a failing batch gets before it is split in two to isolate the delivery that fails. */
const SPLIT_AFTER_ATTEMPTS = 2;

export interface BatchDeps extends InboundDeps {
  /** Enqueues the halves of a batch that keeps failing (a half of one is an ordinary delivery job). */
  requeue(halves: InboundJobData[][], parentJobId: string): Promise<void>;
}

export interface BatchResult extends InboundResult {
  deliveries: number;
  deadLettered: number;
  skipped: number;
  split?: boolean;
}

type Prepared = { d: InboundJobData; failure: FailureContext; events?: CanonicalEvent[]; ignored?: string; permanent?: unknown };

/** A permanent error, as BullMQ would see it: retrying cannot help. */
function permanent(err: unknown): boolean {
  return err instanceof SyntaxError || (err instanceof HubError && !err.retryable);
}

/**
 * The `hub.inbound` processor for a batch of deliveries (one intake flush). Each delivery is
 * normalized, then all their events are applied in ONE transaction, in inbox order, set-based
 * (`applyEventsTx`: one lock statement, one key claim, one movement write and one availability
 * write for the whole batch), and the inbox rows are marked in one statement:
 *   - a delivery that fails permanently (at normalize, or while its events apply) is dead-lettered
 *     inside the batch's transaction (dead-letter row, inbox `dead`) and the rest commit: a failure
 *     while applying rolls the attempt back and the batch runs again without it (each rerun
 *     removes one delivery, so this ends);
 *   - a retryable failure rolls the batch back and BullMQ retries it; after
 *     {@link SPLIT_AFTER_ATTEMPTS} attempts the batch is split in two (down to single deliveries,
 *     which retry and dead-letter as ordinary delivery jobs).
 * Deliveries whose inbox row is no longer `received` (applied by another job, dead) are skipped.
 */
export async function processInboundBatch(job: Job<InboundBatchJobData>, deps: BatchDeps): Promise<BatchResult> {
  const list = [...job.data.deliveries].sort((a, b) => a.inboxId - b.inboxId);
  try {
    const prepared: Prepared[] = [];
    for (const d of list) prepared.push(await prepare(d, deps));
    for (;;) {
      const events: CanonicalEvent[] = [];
      const owner: Prepared[] = [];
      let current = -1;
      try {
        const done = await deps.db.transaction(async (tx) => {
          const live = await lockReceived(
            tx,
            list.map((d) => d.inboxId),
          );
          const applying: Prepared[] = [];
          let deadLettered = 0;
          for (const p of prepared) {
            if (!live.has(p.d.inboxId)) continue;
            if (p.permanent !== undefined) {
              await deadLetterTx(tx, job, p, p.permanent);
              deadLettered += 1;
              continue;
            }
            applying.push(p);
            for (const e of p.events ?? []) {
              events.push(e);
              owner.push(p);
            }
          }
          // The inbox rows are marked by the apply's closing statement.
          const processed = processedPart(applying.map((p) => ({ id: p.d.inboxId, events: p.events?.length ?? 0 })));
          const outcomes = await applyEventsTx(
            tx,
            events,
            deps.erp,
            (i) => {
              current = i;
              if (i >= 0) owner[i]!.failure.event = events[i];
            },
            processed ? [processed] : [],
          );
          return { applying, outcomes, deadLettered, skipped: list.length - live.size };
        });
        await afterBatch(done.applying, owner, done.outcomes, deps);
        return {
          deliveries: list.length,
          events: events.length,
          outcomes: done.outcomes.map((o) => ({ status: o.status, eventId: o.eventId })),
          deadLettered: done.deadLettered,
          skipped: done.skipped,
        };
      } catch (err) {
        // One delivery's events were refused: run the batch again with that delivery dead-lettered.
        if (current >= 0 && permanent(err)) {
          const p = owner[current]!;
          if (err instanceof HubError && err.connectorId === undefined) Object.assign(err, { connectorId: p.d.connectorId });
          p.permanent = err;
          continue;
        }
        throw err;
      }
    }
  } catch (err) {
    if (list.length > 1 && job.attemptsMade + 1 >= Math.min(SPLIT_AFTER_ATTEMPTS, job.opts.attempts ?? 1)) {
      const half = Math.ceil(list.length / 2);
      deps.logger.warn({ jobId: job.id, deliveries: list.length, err: (err as Error).message }, 'batch keeps failing; split in two to isolate the delivery');
      await deps.requeue([list.slice(0, half), list.slice(half)], String(job.id));
      return { deliveries: list.length, events: 0, outcomes: [], deadLettered: 0, skipped: 0, split: true };
    }
    throw err;
  }
}

/** After the commit: logs ignored topics and runs the after-apply step of each delivery that applied something. */
async function afterBatch(applying: readonly Prepared[], owner: readonly Prepared[], outcomes: readonly ApplyOutcome[], deps: BatchDeps): Promise<void> {
  const appliedBy = new Set(owner.filter((_, i) => outcomes[i]?.status === 'applied'));
  for (const p of applying) {
    if (p.ignored) deps.logger.info({ connectorId: p.d.connectorId, topic: p.d.topic, inboxId: p.d.inboxId }, p.ignored);
    if (deps.afterApply && p.events && appliedBy.has(p)) {
      await deps
        .afterApply(p.d.connectorId, p.events)
        .catch((err: Error) =>
          deps.logger.warn({ connectorId: p.d.connectorId, inboxId: p.d.inboxId, err: err.message }, 'after-apply step failed; reconciliation will catch up'),
        );
    }
  }
}

/** Normalizes one delivery; a permanent failure is kept to dead-letter in the transaction, a retryable one fails the batch. */
async function prepare(d: InboundJobData, deps: BatchDeps): Promise<Prepared> {
  const failure: FailureContext = { queue: INBOUND_QUEUE, step: 'normalize', connectorId: d.connectorId, inboxId: d.inboxId };
  const p: Prepared = { d, failure };
  try {
    let body = d.body;
    let receivedAt = (deps.now?.() ?? new Date()).toISOString();
    if (body === undefined) {
      const row = await getInboxRow(deps.db, d.inboxId);
      if (!row) throw new ValidationError(`inbox entry ${d.inboxId} does not exist`, { field: 'inboxId' });
      body = row.body;
      receivedAt = row.receivedAt;
    }
    try {
      failure.payload = parseJsonPreservingIds(body);
    } catch (err) {
      failure.payload = body;
      throw new ValidationError(`${d.connectorId}: body is not JSON: ${(err as Error).message}`, { connectorId: d.connectorId, field: 'body' });
    }
    failure.keys = deps.connectors.get(d.connectorId)?.keys(d.topic, failure.payload);
    const normalized = await normalizeDelivery(deps, { connectorId: d.connectorId, topic: d.topic, body, receivedAt, parsed: failure.payload }).catch(
      (err: unknown) => {
        if (err instanceof MappingError) failure.step = 'map';
        throw err;
      },
    );
    failure.step = 'apply';
    failure.events = normalized.events;
    p.events = normalized.events;
    p.ignored = normalized.ignored;
  } catch (err) {
    if (!permanent(err)) throw err;
    if (err instanceof HubError && err.connectorId === undefined) Object.assign(err, { connectorId: d.connectorId });
    p.permanent = err;
  }
  return p;
}

/** Locks the batch's inbox rows that are still to be applied (sorted: the first lock of the apply order). */
async function lockReceived(tx: Tx, ids: number[]): Promise<Set<number>> {
  const { rows } = await tx.query<{ id: number }>(`SELECT id FROM inbox WHERE id = ANY($1::bigint[]) AND status = 'received' ORDER BY id FOR UPDATE`, [ids]);
  return new Set(rows.map((r) => Number(r.id)));
}

async function deadLetterTx(tx: Tx, job: Job<InboundBatchJobData>, p: Prepared, err: unknown): Promise<void> {
  const error = describeError(err);
  const attempt = { attempt: job.attemptsMade + 1, at: new Date().toISOString(), errorClass: error.errorClass, code: error.code, message: error.message };
  const report = deadLetterReport(
    `${INBOUND_QUEUE}/inbox-${p.d.inboxId}/batch-${String(job.id)}/${attempt.attempt}`,
    error,
    [attempt],
    p.failure,
    p.d.replayOf ?? null,
  );
  await insertDeadLetter(tx, report);
  await markInbox(tx, p.d.inboxId, 'dead');
}
