import { z } from 'zod';
import { ShipmentSchema } from '../core/model/index.js';
import { audit } from '../core/audit.js';
import { applyEvent } from '../core/erp/index.js';
import type { ErpContext } from '../core/erp/context.js';
import type { ApplyOutcome } from '../core/erp/types.js';
import type { Db } from '../core/store/index.js';
import { HubError } from '../core/errors.js';
import type { Catalog } from './catalog.js';
import { getDeadLetter, listDeadLetters, resolveDeadLetter, type DeadLetter, type DeadLetterFilter } from './dead-letter-store.js';
import { getInboxRow, markInbox } from './inbox.js';
import { normalizeDelivery } from './inbound.js';
import type { BoundConnector } from './bind.js';
import type { HubQueues } from './runtime.js';
import { FlowJobSchema } from './order-flow.js';

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

const PushItemsSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('availability'),
    connectorId: z.string().min(1),
    items: z.array(z.object({ sku: z.string().min(1), channel: z.string().min(1), available: z.number().int().min(0), version: z.number().int() })).min(1),
  }),
  z.object({ kind: z.literal('fulfillment'), connectorId: z.string().min(1), shipment: ShipmentSchema }),
  ...FlowJobSchema.options,
]);

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
  const results: ReplayResult[] = [];
  for (const entry of entries) {
    const result = 'missing' in entry ? { id: entry.id, verdict: 'not-found' as const } : await replayOne(deps, entry, options);
    results.push(result);
    await audit(deps.db, {
      actor: options.actor,
      action: options.payload !== undefined ? 'dead-letter.edit-replay' : 'dead-letter.replay',
      target: `dead-letter:${result.id}`,
      outcome: options.dryRun ? 'dry-run' : result.verdict === 'requeued' ? 'ok' : 'refused',
      details: { verdict: result.verdict, message: result.message, edited: options.payload !== undefined },
    });
  }
  return results;
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
    const message = err instanceof HubError || err instanceof Error ? err.message : String(err);
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
  if (!(await resolveDeadLetter(deps.db, entry.id, 'replayed', options.actor, { edited: options.payload !== undefined, payload: options.payload ?? null }))) {
    return { id: entry.id, verdict: 'not-open', message: `dead letter ${entry.id} was resolved meanwhile` };
  }
  await markInbox(deps.db, row.id, 'received');
  await deps.queues.enqueueInbound(
    { inboxId: row.id, connectorId: row.connectorId, topic: row.topic, body, replayOf: entry.id },
    `inbox-${row.id}-replay-${entry.id}`,
  );
  return { id: entry.id, verdict: 'requeued' };
}

async function replayPush(deps: ReplayDeps, entry: DeadLetter, options: ReplayOptions): Promise<ReplayResult> {
  const parsed = PushItemsSchema.safeParse(options.payload ?? entry.payload);
  if (!parsed.success) {
    return { id: entry.id, verdict: 'refused', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  }
  if (options.dryRun) {
    const d = parsed.data;
    const what = d.kind === 'fulfillment' ? `fulfilment of order ${d.shipment.externalOrderId}` : d.kind === 'availability' ? `${d.items.length} item(s)` : `${d.kind} step of order ${d.channel}/${d.externalOrderId}`;
    return { id: entry.id, verdict: 'would-push', message: `${what} to ${parsed.data.connectorId}` };
  }
  if (!(await resolveDeadLetter(deps.db, entry.id, 'replayed', options.actor, { edited: options.payload !== undefined }))) {
    return { id: entry.id, verdict: 'not-open', message: `dead letter ${entry.id} was resolved meanwhile` };
  }
  await deps.queues.enqueuePushes(parsed.data.connectorId, [{ ...parsed.data, replayOf: entry.id }], () => `replay-${entry.id}`);
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
