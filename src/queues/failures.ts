import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { HubError } from '../core/errors.js';
import type { CanonicalEvent } from '../core/model/index.js';
import type { AttemptRecord, DeadLetterReport } from './dead-letter-store.js';
import type { Step } from './names.js';
import { DEAD_LETTER_JOB_OPTIONS } from './retry-policy.js';

/** Job data every hub job carries so failures keep their history across attempts. */
export interface FailureTracked {
  history?: AttemptRecord[];
  replayOf?: number | null;
}

/** The error as stored and shown: class, stable code, message; never headers or secrets. */
export function describeError(err: unknown): DeadLetterReport['error'] {
  if (err instanceof HubError) return { ...err.toJSON(), errorClass: err.name, code: err.code, message: err.message };
  const e = err instanceof Error ? err : new Error(String(err));
  return { errorClass: e.name || 'Error', code: 'unexpected', message: e.message };
}

/** Order ids and SKUs found in events or a raw payload, so dead letters can be found by business key. */
export function businessKeys(events: readonly CanonicalEvent[], payload: unknown): { orderKeys: string[]; skus: string[] } {
  const orderKeys = new Set<string>();
  const skus = new Set<string>();
  for (const e of events) {
    const d = e.data as Record<string, unknown>;
    for (const k of ['externalOrderId', 'orderNumber']) if (typeof d[k] === 'string') orderKeys.add(d[k]);
    if (typeof d['sku'] === 'string') skus.add(d['sku']);
    for (const line of (d['lines'] as { sku?: unknown }[] | undefined) ?? []) if (typeof line.sku === 'string') skus.add(line.sku);
  }
  const walk = (node: unknown, depth: number, key?: string) => {
    if (depth > 4 || node === null || node === undefined) return;
    if (typeof node === 'string' || typeof node === 'number') {
      if (key === 'sku' && node !== '') skus.add(String(node));
      if (key === 'order_id' || key === 'order_number' || key === 'externalOrderId' || key === 'orderNumber') orderKeys.add(String(node));
      return;
    }
    if (Array.isArray(node)) node.slice(0, 500).forEach((v) => walk(v, depth + 1, key));
    else if (typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, depth + 1, k);
  };
  walk(payload, 0);
  return { orderKeys: [...orderKeys], skus: [...skus] };
}

export interface FailureContext {
  queue: string;
  step: Step;
  connectorId: string | null;
  eventType?: string | null;
  inboxId?: number | null;
  payload?: unknown;
  event?: CanonicalEvent | null;
  events?: readonly CanonicalEvent[];
  /** Keys the connector found in the raw payload. */
  keys?: { orderKeys: string[]; skus: string[] };
}

/**
 * The one bridge from the hub's error taxonomy to BullMQ. Records the attempt; when the error is
 * permanent, or retryable with no attempts left, reports a dead letter to `hub.dead-letter` (which
 * survives a database outage) and makes BullMQ stop retrying. Always throws.
 */
export async function failJob(job: Job<FailureTracked>, err: unknown, ctx: FailureContext, deadLetters: Queue): Promise<never> {
  const error = describeError(err);
  const attempt: AttemptRecord = {
    attempt: job.attemptsMade + 1,
    at: new Date().toISOString(),
    errorClass: error.errorClass,
    code: error.code,
    message: error.message,
  };
  const history = [...(job.data.history ?? []), attempt];
  await job.updateData({ ...job.data, history });
  const retryable = !(err instanceof HubError) || err.retryable;
  const final = !retryable || attempt.attempt >= (job.opts.attempts ?? 1);
  if (final) {
    await reportDeadLetter(deadLetters, `${ctx.queue}/${job.id}/${attempt.attempt}`, ctx, error, history, job.data.replayOf ?? null);
    // The code rides along so the `failed` listener counts the real cause, not `unexpected`.
    if (!retryable) throw Object.assign(new UnrecoverableError(`${error.code}: ${error.message}`), { code: error.code });
  }
  throw err;
}

/** The dead-letter report of a delivery or job that failed for good. */
export function deadLetterReport(
  sourceKey: string,
  error: DeadLetterReport['error'],
  history: AttemptRecord[],
  ctx: FailureContext,
  replayOf: number | null,
): DeadLetterReport {
  const keys = businessKeys(ctx.events ?? (ctx.event ? [ctx.event] : []), ctx.payload);
  if (ctx.keys) {
    keys.orderKeys = [...new Set([...keys.orderKeys, ...ctx.keys.orderKeys])];
    keys.skus = [...new Set([...keys.skus, ...ctx.keys.skus])];
  }
  return {
    sourceKey,
    queue: ctx.queue,
    step: ctx.step,
    connectorId: ctx.connectorId,
    eventType: ctx.eventType ?? ctx.event?.type ?? null,
    error,
    attempts: history,
    inboxId: ctx.inboxId ?? null,
    payload: ctx.payload ?? null,
    event: ctx.event ?? null,
    orderKeys: keys.orderKeys,
    skus: keys.skus,
    firstFailedAt: history[0]!.at,
    replayOf,
  };
}

/**
 * The one dead-letter report sender: the failure's context, its error and every attempt, sent to
 * `hub.dead-letter` under a job id derived from `sourceKey` (so a repeat of the same failure is one report).
 */
export async function reportDeadLetter(
  deadLetters: Queue,
  sourceKey: string,
  ctx: FailureContext,
  error: DeadLetterReport['error'],
  history: AttemptRecord[],
  replayOf: number | null,
): Promise<void> {
  const report = deadLetterReport(sourceKey, error, history, ctx, replayOf);
  await deadLetters.add('dead-letter', report, { jobId: `dl-${sourceKey.replaceAll('/', '-')}`, ...DEAD_LETTER_JOB_OPTIONS });
}
