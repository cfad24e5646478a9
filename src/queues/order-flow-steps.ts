import { Worker, type Job } from 'bullmq';
import type { ConnectorClient, SkuExternalIds } from '../connectors/types.js';
import { ContractError, RateLimitedError, ValidationError } from '../core/errors.js';
import { findOrderHop, loadOrderDocument, recordOrderHop } from '../core/erp/index.js';
import type { Queryable } from '../core/store/index.js';
import { failJob, type FailureContext } from './failures.js';
import { outboundQueue } from './names.js';
import type { FlowJobData } from './order-flow.js';
import type { OutboundDeps } from './outbound.js';

type StepResult = { pushed: number; skipped: number; failed: number };
const DONE: StepResult = { pushed: 1, skipped: 0, failed: 0 };
const SKIPPED: StepResult = { pushed: 0, skipped: 1, failed: 0 };

const EVENT_OF: Record<FlowJobData['kind'], string> = {
  order: 'order.allocated',
  tracker: 'shipment.confirmed',
  invoice: 'shipment.confirmed',
  'credit-memo': 'refund.created',
};

/**
 * One step of the order-to-cash flow on `hub.outbound.<connector>`, with the failure handling of
 * every push: a 429 pauses the queue without spending an attempt, retryable failures retry with
 * backoff, permanent ones (and exhausted retries) become dead letters. Exactly once in effect:
 * a step whose hop is already recorded does nothing, and each connector call is idempotent on
 * the hub's own reference (3PL orderKey, tracker per code and carrier, accounting requestid and
 * stored document id), which covers a crash between the call and the hop record.
 */
export async function processFlowJob(job: Job<FlowJobData>, worker: Worker, deps: OutboundDeps): Promise<StepResult> {
  const data = job.data;
  const queue = outboundQueue(data.connectorId);
  const skus =
    data.kind === 'tracker'
      ? data.shipment.lines.map((l) => l.sku)
      : data.kind === 'credit-memo'
        ? data.refund.lines.flatMap((l) => (l.sku ? [l.sku] : []))
        : [];
  const failure: FailureContext = {
    queue,
    step: 'push',
    connectorId: data.connectorId,
    payload: data,
    eventType: EVENT_OF[data.kind],
    keys: { orderKeys: [data.externalOrderId], skus },
  };
  try {
    const result = await runStep(data, deps.client, deps.db);
    if (result.pushed > 0) deps.onCalls?.(data.connectorId, 1);
    return result;
  } catch (err) {
    if (err instanceof RateLimitedError && err.retryAfterMs && job.attemptsStarted <= (job.opts.attempts ?? 1) * 5) {
      deps.onThrottle?.(data.connectorId);
      await worker.rateLimit(err.retryAfterMs);
      throw Worker.RateLimitError();
    }
    return failJob(job, err, failure, deps.deadLetters);
  }
}

async function runStep(data: FlowJobData, client: ConnectorClient, db: Queryable): Promise<StepResult> {
  const { connectorId, channel, externalOrderId } = data;
  const ref = { channel, externalOrderId, connector: connectorId };
  const cannot = (what: string) => new ContractError(`${connectorId} cannot ${what}`, { connectorId, step: 'push' });
  switch (data.kind) {
    case 'order': {
      if (!client.pushOrder) throw cannot('take orders (push.order)');
      const doc = await orderOf(db, data);
      // A cancelled or already shipped order is not (re)sent; a shipment of a cancelled order comes back as a dead letter for a human.
      if (['cancelled', 'shipped', 'closed'].includes(doc.status)) return SKIPPED;
      const pushed = await client.pushOrder(doc.order, { location: data.location });
      await recordOrderHop(db, { ...ref, hop: 'pushed', ref: data.location, externalId: pushed.orderId, detail: `at ${data.location}` });
      return DONE;
    }
    case 'tracker': {
      if (!client.createTracker) throw cannot('track shipments (push.tracker)');
      const id = data.shipment.externalShipmentId;
      if (await findOrderHop(db, channel, externalOrderId, 'tracker', id)) return SKIPPED;
      const tracker = await client.createTracker(data.shipment);
      const t = data.shipment.tracking;
      await recordOrderHop(db, { ...ref, hop: 'tracker', ref: id, externalId: tracker.trackerId, detail: t ? `${t.company ?? 'carrier'} ${t.number}` : null });
      return DONE;
    }
    case 'invoice': {
      if (!client.pushInvoice) throw cannot('book invoices (push.invoice)');
      if (await findOrderHop(db, channel, externalOrderId, 'invoiced')) return SKIPPED;
      const doc = await orderOf(db, data);
      if (doc.status === 'cancelled') return SKIPPED;
      const skus = doc.order.lines.flatMap((l) => (l.sku ? [l.sku] : []));
      const booked = await client.pushInvoice(doc.order, {
        externalIds: await externalIdsOf(db, connectorId, skus),
        ...(data.shippedAt ? { txnDate: data.shippedAt } : {}),
      });
      await recordOrderHop(db, { ...ref, hop: 'invoiced', externalId: booked.externalId, detail: booked.kind });
      return DONE;
    }
    case 'credit-memo': {
      if (!client.pushCreditMemo) throw cannot('book credit memos (push.invoice)');
      const id = data.refund.externalRefundId;
      if (await findOrderHop(db, channel, externalOrderId, 'credit-memo', id)) return SKIPPED;
      const skus = data.refund.lines.flatMap((l) => (l.sku ? [l.sku] : []));
      const booked = await client.pushCreditMemo(data.refund, { externalIds: await externalIdsOf(db, connectorId, skus) });
      await recordOrderHop(db, {
        ...ref,
        hop: 'credit-memo',
        ref: id,
        externalId: booked.externalId,
        detail: `${data.refund.amount.amount} ${data.refund.amount.currency}`,
      });
      return DONE;
    }
  }
}

async function orderOf(db: Queryable, data: FlowJobData) {
  const doc = await loadOrderDocument(db, data.channel, data.externalOrderId);
  if (!doc) {
    throw new ValidationError(`order ${data.channel}/${data.externalOrderId} is unknown to the hub`, {
      connectorId: data.connectorId,
      step: 'push',
      field: 'externalOrderId',
      value: data.externalOrderId,
    });
  }
  return doc;
}

/** Each SKU's externalIds for this connector instance, as products recorded them (QuickBooks item ids). */
async function externalIdsOf(db: Queryable, connectorId: string, skus: string[]): Promise<SkuExternalIds> {
  if (skus.length === 0) return {};
  const { rows } = await db.query<{ sku: string; ids: Record<string, string> | null }>(
    `SELECT sku, details->'externalIds'->$1 AS ids FROM product WHERE sku = ANY($2::text[])`,
    [connectorId, [...new Set(skus)]],
  );
  return Object.fromEntries(rows.filter((r) => r.ids).map((r) => [r.sku, r.ids!]));
}
