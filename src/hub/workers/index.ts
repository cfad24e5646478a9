import type { Worker } from 'bullmq';
import { DEAD_LETTER_QUEUE, INBOUND_QUEUE, RECONCILE_QUEUE, outboundQueue } from '../../queues/names.js';
import type { Hub } from '../create-hub.js';
import { wants, type Stoppable, type WorkerOptions } from './common.js';
import { deadLetterWorker } from './dead-letter.js';
import { inboundWorker, inboxSweeper } from './inbound.js';
import { outboundWorker } from './outbound.js';
import { reconcileWorker } from './reconcile.js';
import { outboxRelay } from './relay.js';

export type { WorkerOptions } from './common.js';

export interface RunningWorkers {
  workers: Worker[];
  /** Finishes active jobs, then stops timers. Queues and clients belong to the hub. */
  stop(): Promise<void>;
}

/** Starts the workers of one `hub worker` (or `hub start`) process: one factory per queue, the relay and the sweeper. */
export async function startWorkers(hub: Hub, options: WorkerOptions = {}): Promise<RunningWorkers> {
  const workers: Worker[] = [];
  const others: Stoppable[] = [];
  if (wants(options, INBOUND_QUEUE)) {
    workers.push(inboundWorker(hub, options));
    others.push(await inboxSweeper(hub, options));
  }
  if (wants(options, DEAD_LETTER_QUEUE)) workers.push(deadLetterWorker(hub, options));
  for (const bound of hub.connectors.values()) {
    if (bound.pushes && wants(options, outboundQueue(bound.id))) workers.push(outboundWorker(hub, bound, options));
  }
  if (wants(options, RECONCILE_QUEUE)) workers.push(await reconcileWorker(hub, options));
  if (!options.queues || options.queues.includes('relay')) others.push(await outboxRelay(hub, options));
  hub.logger.info({ queues: workers.map((w) => w.name), concurrency: options.concurrency ?? hub.current().queues.concurrency }, 'workers started');
  let stopping: Promise<void> | undefined;
  return {
    workers,
    stop: () =>
      (stopping ??= (async () => {
        await Promise.all(others.map((o) => o.stop()));
        await Promise.all(workers.map((w) => w.close()));
      })()),
  };
}
