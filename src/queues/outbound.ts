import { Worker, type Job, type Queue } from 'bullmq';
import type { AvailabilityUpdate, ConnectorClient, PushFailure } from '../connectors/types.js';
import type { HubConfig } from '../core/config/load.js';
import { ContractError, RateLimitedError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Shipment } from '../core/model/index.js';
import type { Db, Queryable } from '../core/store/index.js';
import { describeError, failJob, reportDeadLetter, type FailureContext, type FailureTracked } from './failures.js';
import { outboundQueue } from './names.js';
import type { AvailabilityGate } from './budget-gate.js';
import { isFlowJob, type FlowJobData } from './order-flow.js';
import { processFlowJob } from './order-flow-steps.js';
import { recordOrderHop } from '../core/erp/order-hops.js';

/** Items of one push call: the latest availability of several SKUs for one connector. */
export interface PushAvailabilityJobData extends FailureTracked {
  kind: 'availability';
  connectorId: string;
  /** `externalIds`: an operator's correction on a replayed dead letter, over the catalogue's ids. */
  items: { sku: string; channel: string; available: number; version: number; externalIds?: Record<string, string> }[];
  /** The budget this job spent as one bulk push (a feed), when the relay planned it as one. */
  bulk?: string;
  retry?: { maxBackoffMs: number };
}

/** A shipment confirmed elsewhere, to be recorded as a fulfilment in the order's channel. */
export interface PushFulfillmentJobData extends FailureTracked {
  kind: 'fulfillment';
  connectorId: string;
  shipment: Shipment;
  /** The channel's ids of the order (e.g. `orderId`), corrected by an operator on a replay. */
  externalIds?: Record<string, string>;
  retry?: { maxBackoffMs: number };
}

export type PushJobData = PushAvailabilityJobData | PushFulfillmentJobData | FlowJobData;

interface OutboxRow {
  id: number;
  sku: string;
  channel: string;
  available: number;
  version: number;
}

/** Which connector instance receives pushes for each channel, and how many items one call carries. */
export interface PushRoute {
  connectorId: string;
  batchSize: number;
}

/**
 * Moves availability changes from the ERP outbox to the outbound queues. Runs every coalescing
 * window: all changes of one (channel, sku) seen in a window become one item with the latest value,
 * and items are packed into jobs of the connector's batch size. Rows are deleted in the same
 * transaction that read them, after their jobs were added, so a crash re-sends rather than loses.
 */
export async function relayAvailability(
  db: Db,
  routes: ReadonlyMap<string, PushRoute>,
  enqueue: (connectorId: string, batches: PushJobData[]) => Promise<void>,
  busy: (connectorId: string) => Promise<boolean> = async () => false,
  limit = 5000,
  gate?: AvailabilityGate,
): Promise<{ rows: number; items: number; jobs: number }> {
  // A connector whose queue still holds pushes (rate limited, throttled, down) keeps its changes in
  // the outbox, where they go on coalescing; they move when its queue has drained.
  const held = new Set<string>();
  for (const [channel, route] of routes) if (await busy(route.connectorId)) held.add(channel);
  const routed = [...routes.keys()].filter((c) => !held.has(c));
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<OutboxRow>(
      `SELECT id, sku, channel, available, version FROM availability_outbox
       WHERE channel = ANY($2::text[]) OR NOT (channel = ANY($3::text[]))
       ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit, routed, [...routes.keys()]],
    );
    // Changes a budget held back whose slot has come are planned again with the new ones.
    const gated = [...new Set(routed.map((c) => routes.get(c)!.connectorId))].filter((id) => gate?.covers(id));
    const due = gate ? await gate.due(tx, gated) : [];
    if (rows.length === 0 && due.length === 0) return { rows: 0, items: 0, jobs: 0 };
    const latest = new Map<string, OutboxRow>();
    for (const row of [...due.map((d) => ({ ...d, id: -1 })), ...rows]) {
      const key = `${row.channel}\u0000${row.sku}`;
      const seen = latest.get(key);
      if (!seen || Number(seen.version) < Number(row.version)) latest.set(key, row);
    }
    const perConnector = new Map<string, OutboxRow[]>();
    for (const row of latest.values()) {
      const route = routes.get(row.channel);
      if (!route) continue; // a channel nobody pushes to: nothing to send
      const list = perConnector.get(route.connectorId) ?? [];
      list.push(row);
      perConnector.set(route.connectorId, list);
    }
    let jobs = 0;
    for (const [connectorId, items] of perConnector) {
      const size = [...routes.values()].find((r) => r.connectorId === connectorId)?.batchSize ?? 100;
      const batches: PushAvailabilityJobData[] = [];
      const plain = items.map(({ sku, channel, available, version }) => ({ sku, channel, available, version }));
      if (gate?.covers(connectorId)) {
        for (const job of await gate.plan(tx, connectorId, plain, size))
          batches.push({ kind: 'availability', connectorId, items: job.items, ...(job.bulk ? { bulk: job.bulk } : {}) });
      } else {
        for (let i = 0; i < plain.length; i += size) batches.push({ kind: 'availability', connectorId, items: plain.slice(i, i + size) });
      }
      if (batches.length === 0) continue;
      await enqueue(connectorId, batches);
      jobs += batches.length;
    }
    if (rows.length > 0) await tx.query('DELETE FROM availability_outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
    return { rows: rows.length, items: latest.size, jobs };
  });
}

/** Moves fulfilment rows to the outbound queues, deleting them in the transaction that read them. */
export async function relayFulfillments(db: Db, enqueue: (connectorId: string, batches: PushJobData[]) => Promise<void>, limit = 500): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: number; connector_id: string; shipment: Shipment }>(
      `SELECT id, connector_id, shipment FROM fulfillment_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    for (const row of rows) await enqueue(row.connector_id, [{ kind: 'fulfillment', connectorId: row.connector_id, shipment: row.shipment }]);
    if (rows.length > 0) await tx.query('DELETE FROM fulfillment_outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
    return rows.length;
  });
}

/** Routes from config: each channel with an enabled connector that can push availability. */
export function pushRoutes(config: HubConfig, canPush: (connectorId: string) => { batchSize: number } | undefined): Map<string, PushRoute> {
  const routes = new Map<string, PushRoute>();
  for (const channel of config.channels) {
    if (!channel.connector) continue;
    const spec = canPush(channel.connector);
    if (spec) routes.set(channel.id, { connectorId: channel.connector, batchSize: spec.batchSize });
  }
  return routes;
}

/** Drops items older than what the connector already accepted (a late retry never wins). */
async function newerThanPushed(db: Queryable, connectorId: string, items: PushAvailabilityJobData['items']) {
  const { rows } = await db.query<{ channel: string; sku: string; version: number }>(
    `SELECT channel, sku, version FROM availability_pushed WHERE connector_id = $1 AND sku = ANY($2::text[])`,
    [connectorId, items.map((i) => i.sku)],
  );
  const pushed = new Map(rows.map((r) => [`${r.channel}\u0000${r.sku}`, r.version]));
  return items.filter((i) => (pushed.get(`${i.channel}\u0000${i.sku}`) ?? -1) < i.version);
}

async function externalIdsOf(db: Queryable, connectorId: string, skus: string[]): Promise<Map<string, Record<string, string>>> {
  const { rows } = await db.query<{ sku: string; ids: Record<string, string> | null }>(
    `SELECT sku, details->'externalIds'->$1 AS ids FROM product WHERE sku = ANY($2::text[])`,
    [connectorId, skus],
  );
  return new Map(rows.map((r) => [r.sku, r.ids ?? {}]));
}

export interface OutboundDeps {
  db: Db;
  client: ConnectorClient;
  deadLetters: Queue;
  logger: Logger;
  onCalls?: (connectorId: string, calls: number) => void;
  /** Called when a push had to wait for the connector's rate limit or was throttled. */
  onThrottle?: (connectorId: string) => void;
  /**
   * Records budget spends the relay could not plan: a job run again (its items and its feed are
   * spent again) and the calls a push made. Failures to record are logged, never fail the push.
   */
  spend?: (data: PushJobData, what: { retry: true } | { calls: number }) => Promise<void>;
}

/**
 * The `hub.outbound.<connector>` processor. A 429 pauses the whole queue for Retry-After without
 * spending an attempt; items the API rejects for good become dead letters, the rest is recorded.
 */
export async function processOutbound(job: Job<PushJobData>, worker: Worker, deps: OutboundDeps): Promise<{ pushed: number; skipped: number; failed: number }> {
  if (isFlowJob(job.data)) return processFlowJob(job as Job<FlowJobData>, worker, deps);
  const { connectorId } = job.data;
  const queue = outboundQueue(connectorId);
  const data = job.data;
  const failure: FailureContext =
    data.kind === 'fulfillment'
      ? {
          queue,
          step: 'push',
          connectorId,
          payload: data,
          eventType: 'shipment.confirmed',
          keys: { orderKeys: [data.shipment.externalOrderId], skus: data.shipment.lines.map((l) => l.sku) },
        }
      : { queue, step: 'push', connectorId, payload: data, eventType: 'availability.changed' };
  const spend = (what: { retry: true } | { calls: number }) =>
    deps.spend?.(data, what).catch((err: Error) => deps.logger.warn({ connectorId, err: err.message }, 'budget spend not recorded'));
  try {
    if (job.attemptsMade > 0) await spend({ retry: true });
    if (data.kind === 'fulfillment') {
      if (!deps.client.pushFulfillment) throw new ContractError(`${connectorId} cannot record fulfilments`);
      await deps.client.pushFulfillment(data.shipment, data.externalIds ?? {});
      deps.onCalls?.(connectorId, 1);
      await spend({ calls: 1 });
      const { channel, externalOrderId, externalShipmentId: ref } = data.shipment;
      await recordOrderHop(deps.db, { channel, externalOrderId, hop: 'fulfilment', ref, connector: connectorId });
      return { pushed: 1, skipped: 0, failed: 0 };
    }
    const items = await newerThanPushed(deps.db, connectorId, data.items);
    if (items.length === 0) return { pushed: 0, skipped: data.items.length, failed: 0 };
    if (!deps.client.pushAvailability) throw new ContractError(`${connectorId} cannot push availability`);
    const ids = await externalIdsOf(
      deps.db,
      connectorId,
      items.map((i) => i.sku),
    );
    const updates: AvailabilityUpdate[] = items.map((i) => ({ ...i, externalIds: { ...ids.get(i.sku), ...i.externalIds } }));
    const waitedBefore = deps.client.stats?.().throttleWaitMs ?? 0;
    const result = await deps.client.pushAvailability(updates);
    if ((deps.client.stats?.().throttleWaitMs ?? 0) > waitedBefore) deps.onThrottle?.(connectorId);
    deps.onCalls?.(connectorId, result.calls);
    await spend({ calls: result.calls });
    const failed = new Set(result.failures.map((f) => f.sku));
    const done = items.filter((i) => !failed.has(i.sku));
    if (done.length > 0) {
      await deps.db.query(
        `INSERT INTO availability_pushed (connector_id, channel, sku, version, available)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::int[])
         ON CONFLICT (connector_id, channel, sku) DO UPDATE
           SET version = EXCLUDED.version, available = EXCLUDED.available, pushed_at = now()
           WHERE availability_pushed.version < EXCLUDED.version`,
        [connectorId, done.map((i) => i.channel), done.map((i) => i.sku), done.map((i) => i.version), done.map((i) => i.available)],
      );
    }
    await deadLetterItems(job, deps, queue, items, result.failures);
    return { pushed: done.length, skipped: data.items.length - items.length, failed: result.failures.length };
  } catch (err) {
    // Items that failed for good during a push that failed retryably get their own dead letters now.
    const pushFailures = (err as { pushFailures?: PushFailure[] } | null)?.pushFailures;
    if (data.kind === 'availability' && pushFailures?.length) {
      await deadLetterItems(job, deps, queue, data.items, pushFailures);
      const gone = new Set(pushFailures.map((f) => f.sku));
      failure.payload = { ...data, items: data.items.filter((i) => !gone.has(i.sku)) };
    }
    // Capped so an API that throttles forever still ends in the dead-letter queue.
    if (err instanceof RateLimitedError && err.retryAfterMs && job.attemptsStarted <= (job.opts.attempts ?? 1) * 5) {
      // The upstream asked us to wait: pause this connector's queue, keep the attempt.
      deps.onThrottle?.(connectorId);
      await worker.rateLimit(err.retryAfterMs);
      throw Worker.RateLimitError();
    }
    return failJob(job, err, failure, deps.deadLetters);
  }
}

/** One dead letter per SKU the connector rejected for good (deduplicated by job id across attempts). */
async function deadLetterItems(
  job: Job<PushJobData>,
  deps: OutboundDeps,
  queue: string,
  items: PushAvailabilityJobData['items'],
  failures: readonly PushFailure[],
): Promise<void> {
  const { connectorId } = job.data;
  for (const f of failures) {
    const item = items.find((i) => i.sku === f.sku);
    const error = describeError(f.error);
    const attempt = { attempt: job.attemptsMade + 1, at: new Date().toISOString(), errorClass: error.errorClass, code: error.code, message: error.message };
    const ctx: FailureContext = {
      queue,
      step: 'push',
      connectorId,
      eventType: 'availability.changed',
      payload: { kind: 'availability', connectorId, items: item ? [item] : [] },
      keys: { orderKeys: [], skus: [f.sku] },
    };
    await reportDeadLetter(deps.deadLetters, `${queue}/${job.id}/${f.sku}`, ctx, error, [attempt], job.data.replayOf ?? null);
  }
}
