import { parse, stringify } from 'lossless-json';
import { audit } from '../core/audit.js';
import { applyEvent } from '../core/erp/index.js';
import type { ErpContext } from '../core/erp/context.js';
import type { ApplyOutcome } from '../core/erp/types.js';
import type { Db } from '../core/store/index.js';
import { HubError } from '../core/errors.js';
import type { Catalog } from './catalog.js';
import { getDeadLetter, listDeadLetters, resolveDeadLetter, type DeadLetter, type DeadLetterFilter } from './dead-letter-store.js';
import { redactPayload } from './audit-redact.js';
import { getInboxRow } from './inbox.js';
import { normalizeDelivery } from './inbound.js';
import type { BoundConnector } from './bind.js';
import type { HubQueues } from './runtime.js';
import { editedPush, pushJobFromLedger, PushEditRefused } from './replay-push.js';
import { FLOW_KINDS, FlowJobSchema } from './order-flow.js';

export interface ReplayDeps {
  db: Db;
  queues: HubQueues;
  connectors: ReadonlyMap<string, BoundConnector>;
  catalog: Catalog;
  erp: ErpContext;
}

export interface ReplayOptions {
  actor: string;
  dryRun?: boolean;
  /** Edit-before-replay: a corrected payload, validated before anything is requeued. The original stays on the entry. */
  payload?: unknown;
}

export type ReplayVerdict = 'requeued' | 'would-apply' | 'already-applied' | 'would-push' | 'refused' | 'not-open' | 'not-found';

export interface ReplayResult {
  id: number;
  verdict: ReplayVerdict;
  message?: string;
  /** Dry run: per canonical event, what applying it would do. */
  plan?: Pick<ApplyOutcome, 'eventId' | 'status' | 'message' | 'movements' | 'orderChanges'>[];
}

/** Replays dead letters chosen by ids or by filter, each back to the step that failed. */
export async function replayDeadLetters(
  deps: ReplayDeps,
  selector: { ids?: number[]; filter?: DeadLetterFilter },
  options: ReplayOptions,
): Promise<ReplayResult[]> {
  const entries: (DeadLetter | { id: number; missing: true })[] = [];
  if (selector.ids) {
    for (const id of selector.ids) entries.push((await getDeadLetter(deps.db, id)) ?? { id, missing: true });
  } else {
    let before: number | undefined;
    do {
      const page = await listDeadLetters(deps.db, { ...selector.filter, status: 'open' }, { limit: 500, before });
      entries.push(...page.items);
      before = page.nextBefore ?? undefined;
    } while (before);
  }
  if (options.payload !== undefined && entries.length !== 1) {
    throw new ReplayRequestError('edit-before-replay works on exactly one dead letter');
  }
  // A payload sent back as it was is no edit: the replay and its audit say "edited" only for a real change.
  const only = entries[0];
  if (options.payload !== undefined && only && !('missing' in only) && (await sameAsOriginal(deps, only, options.payload)))
    options = { ...options, payload: undefined };
  const results: ReplayResult[] = [];
  for (const entry of entries) {
    const result = 'missing' in entry ? { id: entry.id, verdict: 'not-found' as const } : await replayOne(deps, entry, options);
    results.push(result);
    const edited = options.payload !== undefined;
    await audit(deps.db, {
      actor: options.actor,
      action: edited ? 'dead-letter.edit-replay' : 'dead-letter.replay',
      target: `dead-letter:${result.id}`,
      outcome: options.dryRun ? 'dry-run' : result.verdict === 'requeued' ? 'ok' : 'refused',
      details: {
        verdict: result.verdict,
        message: result.message,
        edited,
        // What the edit changed, with secrets and personal data masked.
        ...(edited && !('missing' in entry) ? { before: redactPayload(entry.payload), after: redactPayload(options.payload) } : {}),
      },
    });
  }
  return results;
}

/** Whether an edited payload says exactly what the entry already holds (same JSON, numbers compared exactly). */
async function sameAsOriginal(deps: ReplayDeps, entry: DeadLetter, payload: unknown): Promise<boolean> {
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const original = entry.step !== 'push' && entry.inboxId !== null ? (await getInboxRow(deps.db, entry.inboxId))?.body : text(entry.payload);
  if (original === undefined) return false;
  try {
    return stringify(parse(text(payload))) === stringify(parse(original));
  } catch {
    return false;
  }
}

/** A replay or discard request that cannot be carried out as asked (it names why). */
export class ReplayRequestError extends Error {}

async function replayOne(deps: ReplayDeps, entry: DeadLetter, options: ReplayOptions): Promise<ReplayResult> {
  if (entry.status !== 'open') return { id: entry.id, verdict: 'not-open', message: `dead letter ${entry.id} is ${entry.status}` };
  try {
    if (entry.step === 'push') return await replayPush(deps, entry, options);
    if (entry.inboxId !== null) return await replayDelivery(deps, entry, options);
    return { id: entry.id, verdict: 'refused', message: `step ${entry.step} cannot be replayed from this entry` };
  } catch (err) {
    const message = err instanceof HubError || err instanceof PushEditRefused || err instanceof Error ? err.message : String(err);
    return { id: entry.id, verdict: 'refused', message };
  }
}

async function replayDelivery(deps: ReplayDeps, entry: DeadLetter, options: ReplayOptions): Promise<ReplayResult> {
  const row = await getInboxRow(deps.db, entry.inboxId!);
  if (!row) return { id: entry.id, verdict: 'refused', message: `inbox entry ${entry.inboxId} is gone` };
  const body = options.payload === undefined ? row.body : typeof options.payload === 'string' ? options.payload : JSON.stringify(options.payload);
  // Normalizing first validates an edited payload: a bad edit is refused and nothing is requeued.
  const { events } = await normalizeDelivery(deps, { connectorId: row.connectorId, topic: row.topic, body, receivedAt: row.receivedAt });
  if (options.dryRun) {
    const plan = [];
    for (const event of events) {
      const o = await applyEvent(deps.db, event, deps.erp, { dryRun: true });
      plan.push({ eventId: o.eventId, status: o.status, message: o.message, movements: o.movements, orderChanges: o.orderChanges });
    }
    const applied = plan.length > 0 && plan.every((p) => p.status !== 'applied');
    return { id: entry.id, verdict: applied ? 'already-applied' : 'would-apply', plan };
  }
  // One transaction: the dead letter is resolved and the inbox row holds what will be processed. The
  // edit replaces the row's body, so the sweeper (which re-enqueues `received` rows) can only ever
  // pick up the edited body, never the original; the original stays on the dead letter.
  const resolved = await deps.db.transaction(async (tx) => {
    if (!(await resolveDeadLetter(tx, entry.id, 'replayed', options.actor, { edited: options.payload !== undefined, payload: options.payload ?? null })))
      return false;
    await tx.query(`UPDATE inbox SET body = $2, status = 'received', processed_at = NULL WHERE id = $1`, [row.id, body]);
    return true;
  });
  if (!resolved) return { id: entry.id, verdict: 'not-open', message: `dead letter ${entry.id} was resolved meanwhile` };
  // No body in the job: it reads the row, the single source of what this delivery is.
  await deps.queues.enqueueInbound(
    { inboxId: row.id, connectorId: row.connectorId, topic: row.topic, replayOf: entry.id },
    `inbox-${row.id}-replay-${entry.id}`,
  );
  return { id: entry.id, verdict: 'requeued' };
}

async function replayPush(deps: ReplayDeps, entry: DeadLetter, options: ReplayOptions): Promise<ReplayResult> {
  const kind = (entry.payload as { kind?: unknown } | null)?.kind;
  if (typeof kind === 'string' && (FLOW_KINDS as readonly string[]).includes(kind)) return replayFlowStep(deps, entry, options);
  const push = editedPush(entry.payload, options.payload);
  const target = deps.connectors.get(push.connectorId);
  const can = push.kind === 'fulfillment' ? 'push.fulfillment' : 'push.availability';
  if (!target || !target.pushes || !target.can(can)) {
    return {
      id: entry.id,
      verdict: 'refused',
      message: `connector "${push.connectorId}" is not configured, not enabled or cannot ${can}; the dead letter stays open`,
    };
  }
  const job = await pushJobFromLedger(deps.db, deps.erp, push, entry.id);
  if (options.dryRun) {
    const what =
      job.kind === 'fulfillment'
        ? `fulfilment of order ${job.shipment.externalOrderId}`
        : job.kind === 'availability'
          ? job.items.map((i) => `${i.sku}@${i.channel}=${i.available} (v${i.version})`).join(', ')
          : job.kind;
    return { id: entry.id, verdict: 'would-push', message: `${what} to ${push.connectorId}` };
  }
  if (!(await resolveDeadLetter(deps.db, entry.id, 'replayed', options.actor, { edited: options.payload !== undefined }))) {
    return { id: entry.id, verdict: 'not-open', message: `dead letter ${entry.id} was resolved meanwhile` };
  }
  await deps.queues.enqueuePushes(push.connectorId, [job], () => `replay-${entry.id}`);
  return { id: entry.id, verdict: 'requeued' };
}

/**
 * Replays an order-to-cash step (3PL order, tracker, invoice, credit memo) as it was: the step
 * reads the order from the ERP when it runs, so there is nothing an edit may change.
 */
async function replayFlowStep(deps: ReplayDeps, entry: DeadLetter, options: ReplayOptions): Promise<ReplayResult> {
  if (options.payload !== undefined)
    return { id: entry.id, verdict: 'refused', message: 'an order-to-cash step cannot be edited; it reads the order from the ledger when it runs' };
  const parsed = FlowJobSchema.safeParse(entry.payload);
  if (!parsed.success) return { id: entry.id, verdict: 'refused', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  const step = parsed.data;
  const target = deps.connectors.get(step.connectorId);
  if (!target?.pushes)
    return {
      id: entry.id,
      verdict: 'refused',
      message: `connector "${step.connectorId}" is not configured, not enabled or pushes nothing; the dead letter stays open`,
    };
  if (options.dryRun)
    return { id: entry.id, verdict: 'would-push', message: `${step.kind} step of order ${step.channel}/${step.externalOrderId} to ${step.connectorId}` };
  if (!(await resolveDeadLetter(deps.db, entry.id, 'replayed', options.actor, { edited: false }))) {
    return { id: entry.id, verdict: 'not-open', message: `dead letter ${entry.id} was resolved meanwhile` };
  }
  await deps.queues.enqueuePushes(step.connectorId, [{ ...step, replayOf: entry.id }], () => `replay-${entry.id}`);
  return { id: entry.id, verdict: 'requeued' };
}

/** Discards dead letters with a reason; audited. Returns the ids actually discarded. */
export async function discardDeadLetters(db: Db, ids: number[], reason: string, actor: string): Promise<number[]> {
  if (reason.trim() === '') throw new ReplayRequestError('a discard needs a reason');
  const done: number[] = [];
  for (const id of ids) {
    const ok = await resolveDeadLetter(db, id, 'discarded', actor, { reason });
    if (ok) done.push(id);
    await audit(db, { actor, action: 'dead-letter.discard', target: `dead-letter:${id}`, outcome: ok ? 'ok' : 'refused', details: { reason } });
  }
  return done;
}
