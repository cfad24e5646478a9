import type { Job, Worker, WorkerOptions as BullWorkerOptions } from 'bullmq';
import { HubError } from '../../core/errors.js';
import { bullConnection } from '../../queues/runtime.js';
import { hubBackoffStrategy } from '../../queues/retry-policy.js';
import { boundedLabel, errorCodeLabel } from '../../core/metric-labels.js';
import type { Hub } from '../create-hub.js';

/** How one `hub worker` (or `hub start`) process works its queues. */
export interface WorkerOptions {
  /** Queue names (or `outbound` for every connector's, `relay` for the outbox relay) to work on; all by default. */
  queues?: string[];
  concurrency?: number;
  /** How often pending inbox rows are re-enqueued (recovery after a crash between record and enqueue). */
  sweepMs?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** The relay's slow poll besides its outbox notifications (default `RELAY_SAFETY_POLL_MS`). */
  relaySafetyPollMs?: number;
}

/** Whether this process works on queue `name` (`outbound` stands for every connector's outbound queue). */
export function wants(options: WorkerOptions, name: string): boolean {
  return !options.queues || options.queues.some((q) => q === name || (q === 'outbound' && name.startsWith('hub.outbound.')));
}

/** BullMQ worker options every hub queue shares; each worker gets its own connection. */
export function workerOptions(hub: Hub, options: WorkerOptions): BullWorkerOptions {
  const config = hub.current();
  return {
    connection: bullConnection(hub.redisUrl),
    prefix: config.queues.prefix,
    settings: { backoffStrategy: hubBackoffStrategy },
    lockDuration: options.lockDurationMs ?? config.queues.lockDurationMs,
    stalledInterval: options.stalledIntervalMs ?? config.queues.stalledIntervalMs,
    maxStalledCount: 5,
  };
}

/** The taxonomy's code of a failure (the UnrecoverableError bridge carries it too); `unexpected` otherwise. */
export function errorCodeOf(err: unknown): string {
  if (err instanceof HubError) return err.code;
  return errorCodeLabel((err as { code?: unknown } | null)?.code);
}

/**
 * Counts, times and logs a worker's jobs under the hub's metrics; the real error code is the label.
 * Labels come from job data, so they are bounded: configured connector ids and taxonomy codes only.
 */
export function observe<W extends Worker>(hub: Hub, worker: W): W {
  const queue = worker.name;
  const { metrics, logger } = hub;
  worker.on('error', (err) => logger.warn({ queue, err: err.message }, 'worker error'));
  worker.on('failed', (job: Job | undefined, err) => {
    const connectorId = (job?.data as { connectorId?: string } | undefined)?.connectorId;
    metrics.jobsFailed.inc({ queue, connector: boundedLabel(connectorId, hub.connectors), error_code: errorCodeOf(err) });
    logger.warn({ queue, jobId: job?.id, attempt: job?.attemptsMade, connectorId, err: err.message }, 'job failed');
  });
  worker.on('completed', (job: Job) => {
    // A batch job counts each delivery it carried, under that delivery's connector.
    const batch = (job.data as { deliveries?: { connectorId: string }[] }).deliveries;
    const connectors = batch
      ? [...new Set(batch.map((d) => boundedLabel(d.connectorId, hub.connectors)))]
      : [boundedLabel((job.data as { connectorId?: string }).connectorId, hub.connectors)];
    if (!batch) metrics.jobsProcessed.inc({ queue, connector: connectors[0]! });
    else if (!(job.returnvalue as { split?: boolean } | undefined)?.split)
      for (const d of batch) metrics.jobsProcessed.inc({ queue, connector: boundedLabel(d.connectorId, hub.connectors) });
    // Processing time is the job's: a batch of several connectors' deliveries is timed under `mixed`.
    const connector = connectors.length === 1 ? connectors[0]! : 'mixed';
    if (job.processedOn && job.finishedOn) metrics.processingSeconds.observe({ queue, connector }, (job.finishedOn - job.processedOn) / 1000);
  });
  return worker;
}

/** Something a worker process runs and stops: a BullMQ worker, a timer, a processor with clients. */
export interface Stoppable {
  stop(): Promise<void>;
}
