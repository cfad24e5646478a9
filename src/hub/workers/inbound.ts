import { Worker, type Job } from 'bullmq';
import { processInboundBatch } from '../../queues/inbound-batch.js';
import { DEFAULT_RETRY } from '../../queues/retry-policy.js';
import { batchJob, INBOUND_BATCH_MAX } from '../../queues/runtime.js';
import { resolveDeadLettersOfDelivery } from '../../queues/dead-letter-store.js';
import { pendingInbox } from '../../queues/inbox.js';
import { processInbound, type InboundBatchJobData, type InboundDeps, type InboundJobData } from '../../queues/inbound.js';
import { INBOUND_QUEUE } from '../../queues/names.js';
import { healChannelReports } from '../../reconcile/heal.js';
import type { Hub } from '../create-hub.js';
import { observe, workerOptions, type WorkerOptions } from './common.js';

/**
 * `hub.inbound`: normalize, map and apply deliveries. Each job reads the config in force when it
 * starts (connectors, ERP context, fulfilment routes), so a reload mid-job changes nothing under it.
 */
export function inboundWorker(hub: Hub, options: WorkerOptions): Worker<InboundJobData | InboundBatchJobData> {
  const process = (job: Job<InboundJobData | InboundBatchJobData>) => {
    const config = hub.current();
    const erp = hub.erp();
    const deps: InboundDeps = {
      db: hub.db,
      erp,
      catalog: hub.catalog,
      connectors: hub.connectors,
      deadLetters: hub.queues.deadLetters,
      logger: hub.logger,
      enqueue: (data) => hub.queues.enqueueInbound(data),
      // A channel's own count that disagrees with the ledger is healed at once when its policy says heal.
      afterApply: async (connectorId, events) => {
        const bound = hub.connectors.get(connectorId);
        if (bound) await healChannelReports({ db: hub.db, config, erp }, bound.instance, events);
      },
    };
    if (job.name === 'deliver-batch') {
      return processInboundBatch(job as Job<InboundBatchJobData>, {
        ...deps,
        requeue: async (halves, parent) => {
          const singles = halves.filter((h) => h.length === 1).map((h) => h[0]!);
          const jobs = halves
            .filter((h) => h.length > 1)
            .map((h) => batchJob(h, hub.connectors.get(h[0]!.connectorId)?.instance.retry ?? DEFAULT_RETRY, `-of-${parent}`));
          if (jobs.length > 0) await hub.queues.inbound.addBulk(jobs as never);
          if (singles.length > 0) await hub.queues.enqueueInboundBatch([], singles);
        },
      });
    }
    return processInbound(job as Job<InboundJobData>, deps);
  };
  const worker = observe(
    hub,
    new Worker<InboundJobData | InboundBatchJobData>(INBOUND_QUEUE, process, {
      ...workerOptions(hub, options),
      concurrency: options.concurrency ?? hub.current().queues.concurrency,
    }),
  );
  // The dead-letter table and bull-board agree: a delivery an admin retried there that went through closes its dead letter.
  // Single-delivery jobs only: a batch that completes may have dead-lettered one of its deliveries itself.
  worker.on('completed', (job) => {
    if (!('inboxId' in job.data) || job.data.replayOf || !(job.data.inboxId > 0)) return;
    const { inboxId } = job.data;
    resolveDeadLettersOfDelivery(hub.db, inboxId)
      .then((ids) => ids.length && hub.logger.info({ inboxId, deadLetters: ids }, 'dead letter closed: its delivery went through after a retry'))
      .catch((err: Error) => hub.logger.warn({ err: err.message, inboxId }, 'closing the dead letter of a retried delivery failed'));
  });
  return worker;
}

/**
 * Re-enqueues inbox rows still pending after a while: the recovery path for a crash between
 * recording a delivery and enqueuing it, or a job lost with Redis. Runs once now, then every `sweepMs`.
 */
export async function inboxSweeper(hub: Hub, options: WorkerOptions): Promise<{ stop(): Promise<void> }> {
  const { queues, logger } = hub;
  const sweep = async () => {
    try {
      const rows = await pendingInbox(hub.db, 5000, 1000);
      // A notification the worker fetches entities for is a job of its own, never part of a batch.
      const fetches = (r: (typeof rows)[number]) => hub.connectors.get(r.connectorId)?.fetchesTopic(r.topic) === true;
      for (const r of rows.filter(fetches)) await queues.enqueueInbound({ inboxId: r.id, connectorId: r.connectorId, topic: r.topic });
      const pending = rows.filter((r) => !fetches(r));
      // Batches of pending rows (bodies read from the inbox): under a backlog most of them are still
      // in their own jobs, and a batch skips the rows already applied at the cost of one locking read.
      for (let i = 0; i < pending.length; i += INBOUND_BATCH_MAX) {
        const chunk = pending.slice(i, i + INBOUND_BATCH_MAX);
        const jobId = chunk.length === 1 ? `inbox-${chunk[0]!.id}` : `sweep-${chunk[0]!.id}-${chunk.at(-1)!.id}-${chunk.length}`;
        // A job that ended while its delivery is still open (its dead-letter report was lost with
        // Redis, say) would block the re-enqueue under the same id: take it away first.
        const stale = await queues.inbound.getJob(jobId);
        if (stale && ((await stale.isFailed()) || (await stale.isCompleted()))) await stale.remove();
        if (chunk.length === 1) {
          await queues.enqueueInbound({ inboxId: chunk[0]!.id, connectorId: chunk[0]!.connectorId, topic: chunk[0]!.topic });
          continue;
        }
        const job = batchJob(
          chunk.map(({ id, connectorId, topic }) => ({ inboxId: id, connectorId, topic })),
          hub.connectors.get(chunk[0]!.connectorId)?.instance.retry ?? DEFAULT_RETRY,
        );
        await queues.inbound.add(job.name, job.data as never, { ...job.opts, jobId });
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'inbox sweep failed; will try again');
    }
  };
  await sweep();
  const timer = setInterval(() => void sweep(), options.sweepMs ?? 10_000);
  return { stop: async () => clearInterval(timer) };
}
