import type { Job, Queue } from 'bullmq';
import { parseJsonPreservingIds } from '../connectors/http/json.js';
import type { NormalizeContext } from '../connectors/types.js';
import type { BoundConnector } from './bind.js';
import { HubError, MappingError, ValidationError } from '../core/errors.js';
import { applyEventsTx } from '../core/erp/index.js';
import type { ErpContext } from '../core/erp/context.js';
import type { ApplyOutcome } from '../core/erp/types.js';
import type { Logger } from '../core/logger.js';
import { CanonicalEventSchema, zodIssues, type CanonicalEvent } from '../core/model/index.js';
import type { Db, Tx, WritePart } from '../core/store/index.js';
import type { Catalog } from './catalog.js';
import { confineEvents } from './connector-scope.js';
import { failJob, type FailureContext, type FailureTracked } from './failures.js';
import { getInboxRow, markInbox, processedPart, recordDelivery } from './inbox.js';
import { INBOUND_QUEUE, type Step } from './names.js';

/** A delivery to normalize and apply. The body travels in the job; recovery jobs read it from the inbox. */
export interface InboundJobData extends FailureTracked {
  inboxId: number;
  connectorId: string;
  topic: string;
  /** Raw body; absent on recovery jobs, replaced on edit-before-replay. */
  body?: string;
  retry?: { maxBackoffMs: number };
}

/** Deliveries recorded by one intake flush, applied in one transaction (see inbound-batch.ts). */
export interface InboundBatchJobData extends FailureTracked {
  deliveries: InboundJobData[];
  retry?: { maxBackoffMs: number };
}

export interface InboundResult {
  events: number;
  outcomes: Pick<ApplyOutcome, 'status' | 'eventId'>[];
  ignored?: string;
}

export interface InboundDeps {
  db: Db;
  erp: ErpContext;
  catalog: Catalog;
  connectors: ReadonlyMap<string, BoundConnector>;
  deadLetters: Queue;
  logger: Logger;
  /**
   * Called after a delivery's events are committed (e.g. to heal a channel's own count at once).
   * A failure is logged, not retried: the delivery is applied, and reconciliation catches the rest.
   */
  afterApply?: (connectorId: string, events: readonly CanonicalEvent[]) => Promise<unknown>;
  now?: () => Date;
  /** Enqueues a fetched delivery recorded in the inbox (the sweeper enqueues it otherwise). */
  enqueue?: (data: InboundJobData) => Promise<void>;
}

/**
 * Runs a connector's normalizer on a raw body and validates what it produced. Pure but for the
 * catalogue snapshot: a mapping miss refreshes it once, since the product may have just arrived.
 */
export async function normalizeDelivery(
  deps: Pick<InboundDeps, 'catalog' | 'connectors'>,
  delivery: {
    connectorId: string;
    topic: string;
    body: string;
    receivedAt: string;
    /** The body already parsed (losslessly): parsed once per delivery. */ parsed?: unknown;
  },
): Promise<{ events: CanonicalEvent[]; ignored?: string; step: Step }> {
  const entry = deps.connectors.get(delivery.connectorId);
  if (!entry) throw new ValidationError(`connector "${delivery.connectorId}" is not configured or not enabled`, { field: 'connectorId' });
  const normalizer = entry.normalizer(delivery.topic);
  if (!normalizer) return { events: [], ignored: `topic "${delivery.topic}" is not handled by ${entry.definition.type}`, step: 'normalize' };
  const body = delivery.parsed !== undefined ? delivery.parsed : parseJsonPreservingIds(delivery.body);
  const run = () => {
    const ctx: NormalizeContext<Record<string, unknown>> = {
      connectorId: entry.instance.id,
      connectorType: entry.definition.type,
      config: entry.instance,
      receivedAt: delivery.receivedAt,
      delivery: { dedupKey: '', topic: delivery.topic },
      lookup: deps.catalog.lookupFor(entry.instance),
    };
    return normalizer(body, ctx);
  };
  await deps.catalog.refresh();
  let events: CanonicalEvent[];
  try {
    events = await run();
  } catch (err) {
    if (!(err instanceof MappingError)) throw err;
    await deps.catalog.refresh(true);
    events = await run();
  }
  // One delivery is applied in one transaction: an unbounded fan-out would hold locks for minutes.
  const cap = entry.instance.maxEventsPerDelivery ?? DEFAULT_MAX_EVENTS_PER_DELIVERY;
  if (events.length > cap) {
    throw new ValidationError(
      `${entry.instance.id}: one delivery became ${events.length} events, more than the limit of ${cap} (connectors[].maxEventsPerDelivery); nothing was applied`,
      { connectorId: entry.instance.id, field: 'body', value: events.length },
    );
  }
  const valid = events.map((e, i) => validateEvent(e, entry.instance.id, i));
  return { events: confineEvents(valid, entry.instance), step: 'apply' };
}

/** The limit of a connector instance built without the config loader's defaults. */
export const DEFAULT_MAX_EVENTS_PER_DELIVERY = 1000;

function validateEvent(event: unknown, connectorId: string, index: number): CanonicalEvent {
  const parsed = CanonicalEventSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  const issues = zodIssues(parsed.error);
  throw new ValidationError(`${connectorId}: event ${index} is not canonical: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    connectorId,
    field: issues[0]?.path,
  });
}

/** The `hub.inbound` processor: normalize (with mappings), then apply each event in its own transaction. */
export async function processInbound(job: Job<InboundJobData>, deps: InboundDeps): Promise<InboundResult> {
  const { inboxId, connectorId, topic } = job.data;
  const failure: FailureContext = { queue: INBOUND_QUEUE, step: 'normalize', connectorId, inboxId };
  try {
    let body = job.data.body;
    let receivedAt = (deps.now?.() ?? new Date()).toISOString();
    if (body === undefined) {
      const row = await getInboxRow(deps.db, inboxId);
      if (!row) throw new ValidationError(`inbox entry ${inboxId} does not exist`, { field: 'inboxId' });
      body = row.body;
      receivedAt = row.receivedAt;
    }
    let parsed: unknown;
    try {
      parsed = failure.payload = parseJsonPreservingIds(body);
    } catch {
      failure.payload = body;
    }
    failure.keys = deps.connectors.get(connectorId)?.keys(topic, failure.payload);
    if (deps.connectors.get(connectorId)?.fetchesTopic(topic)) {
      return await fetchNotified(deps, { inboxId, connectorId, topic, payload: failure.payload });
    }
    const normalized = await normalizeDelivery(deps, { connectorId, topic, body, receivedAt, parsed }).catch((err: unknown) => {
      if (err instanceof MappingError) failure.step = 'map';
      throw err;
    });
    failure.step = 'apply';
    failure.events = normalized.events;
    // The delivery's events and its inbox status commit together: one transaction, one WAL flush.
    const processed = processedPart([{ id: inboxId, events: normalized.events.length }])!;
    const outcomes = await deps.db.transaction((tx) => applyDeliveryTx(tx, normalized.events, deps, failure, [processed]));
    if (normalized.ignored) deps.logger.info({ connectorId, topic, inboxId }, normalized.ignored);
    if (deps.afterApply && outcomes.some((o) => o.status === 'applied')) {
      await deps
        .afterApply(connectorId, normalized.events)
        .catch((err: Error) => deps.logger.warn({ connectorId, inboxId, err: err.message }, 'after-apply step failed; reconciliation will catch up'));
    }
    return { events: normalized.events.length, outcomes, ignored: normalized.ignored };
  } catch (err) {
    if (err instanceof SyntaxError) {
      return failJob(job, new ValidationError(`${connectorId}: body is not JSON: ${err.message}`, { connectorId, field: 'body' }), failure, deps.deadLetters);
    }
    if (err instanceof HubError && err.connectorId === undefined) Object.assign(err, { connectorId });
    return failJob(job, err, failure, deps.deadLetters);
  }
}

/**
 * Applies one delivery's events inside the caller's transaction (set-based, as one batch: see
 * `applyEventsTx`); `failure.event` follows the event being applied; `closing` (the inbox mark)
 * joins the apply's closing statement.
 */
export async function applyDeliveryTx(
  tx: Tx,
  events: readonly CanonicalEvent[],
  deps: Pick<InboundDeps, 'erp'>,
  failure: FailureContext,
  closing: readonly WritePart[] = [],
): Promise<InboundResult['outcomes']> {
  const outcomes = await applyEventsTx(
    tx,
    events,
    deps.erp,
    (i) => {
      if (i >= 0) failure.event = events[i];
    },
    closing,
  );
  return outcomes.map((o) => ({ status: o.status, eventId: o.eventId }));
}

/**
 * A notification that only names entities: the client fetches them, each payload is recorded in
 * the inbox under its own topic (deduplicated: the same entity version twice is one delivery)
 * and enqueued, then the notification is done. A crash in between repeats the fetch; the inbox
 * keys make the repeat record nothing new.
 */
async function fetchNotified(deps: InboundDeps, n: { inboxId: number; connectorId: string; topic: string; payload: unknown }): Promise<InboundResult> {
  const client = deps.connectors.get(n.connectorId)?.client();
  if (!client?.fetchNotification) throw new Error(`${n.connectorId}: no client to fetch what a "${n.topic}" notification names`);
  const fetched = await client.fetchNotification(n.topic, n.payload);
  let recorded = 0;
  for (const f of fetched) {
    const r = await recordDelivery(deps.db, { connectorId: n.connectorId, dedupKey: f.dedupKey, topic: f.topic, body: f.body });
    if (r.duplicate) continue;
    recorded += 1;
    await deps.enqueue?.({ inboxId: r.id, connectorId: n.connectorId, topic: f.topic, body: f.body });
  }
  await markInbox(deps.db, n.inboxId, 'processed', 0);
  return { events: 0, outcomes: [], ignored: `fetched ${fetched.length} entities, ${recorded} new` };
}
