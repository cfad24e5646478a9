import { Worker, type Job, type Queue } from 'bullmq';
import type { BoundConnector } from '../../queues/bind.js';
import { RECONCILE_QUEUE } from '../../queues/names.js';
import { POLL_ORDERS_JOB, pollOrders, type PollJobData } from '../../queues/poll.js';
import { retryJobOptions } from '../../queues/retry-policy.js';
import { createReconcileProcessor, isReconcileJob, syncReconcileSchedulers, type ReconcileJobData } from '../../reconcile/jobs.js';
import type { Hub } from '../create-hub.js';
import { observe, workerOptions, type WorkerOptions } from './common.js';

/**
 * `hub.reconcile`: scheduled order polls (backfill) and reconciliation runs. Makes the queue's job
 * schedulers match config first. Each job reads the config and bindings in force when it starts.
 */
export async function reconcileWorker(hub: Hub, options: WorkerOptions): Promise<Worker> {
  const queue = hub.queues.get(RECONCILE_QUEUE);
  await syncPollSchedulers(queue, hub.connectors);
  await syncReconcileSchedulers(queue, hub.connectors);
  const process = async (job: Job) => {
    if (isReconcileJob(job.name)) {
      const reconcile = createReconcileProcessor({
        db: hub.db,
        config: hub.current(),
        erp: hub.erp(),
        logger: hub.logger,
        metrics: hub.metrics,
        queues: hub.queues,
        connectors: hub.connectors,
        deadLetters: hub.queues.deadLetters,
      });
      return reconcile.process(job as Job<ReconcileJobData>);
    }
    const data = job.data as PollJobData;
    const client = pollable(hub.connectors.get(data.connectorId));
    if (job.name !== POLL_ORDERS_JOB || !client) return { skipped: `no ${job.name} for ${data.connectorId}` };
    return pollOrders(job as Job<PollJobData>, { db: hub.db, client, queues: hub.queues, deadLetters: hub.queues.deadLetters, logger: hub.logger });
  };
  return observe(hub, new Worker(RECONCILE_QUEUE, process, { ...workerOptions(hub, options), concurrency: 1 }));
}

/** The client of a connector that polls orders on a schedule, if it can. */
function pollable(bound: BoundConnector | undefined) {
  if (!bound?.instance.schedules.pollOrders || !bound.can('poll')) return undefined;
  const client = bound.client();
  return client?.pollOrders ? client : undefined;
}

/**
 * Makes the BullMQ job schedulers match config: one `poll-orders:<connector>` per connector with a
 * `schedules.pollOrders` that can poll, and none left over from connectors since removed or changed.
 */
async function syncPollSchedulers(queue: Queue, connectors: ReadonlyMap<string, BoundConnector>): Promise<void> {
  const wanted = new Set<string>();
  for (const [id, bound] of connectors) {
    const schedule = bound.instance.schedules.pollOrders;
    if (!schedule || !pollable(bound)) continue;
    const schedulerId = `${POLL_ORDERS_JOB}:${id}`;
    wanted.add(schedulerId);
    await queue.upsertJobScheduler(schedulerId, schedule.every ? { every: schedule.every } : { pattern: schedule.pattern! }, {
      name: POLL_ORDERS_JOB,
      data: { connectorId: id },
      opts: retryJobOptions(bound.instance.retry),
    });
  }
  for (const existing of await queue.getJobSchedulers()) {
    if (existing.key.startsWith(`${POLL_ORDERS_JOB}:`) && !wanted.has(existing.key)) await queue.removeJobScheduler(existing.key);
  }
}
