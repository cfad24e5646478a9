import { Worker } from 'bullmq';
import { insertDeadLetter, type DeadLetterReport } from '../../queues/dead-letter-store.js';
import { markInbox } from '../../queues/inbox.js';
import { DEAD_LETTER_QUEUE } from '../../queues/names.js';
import type { Hub } from '../create-hub.js';
import { observe, workerOptions, type WorkerOptions } from './common.js';

/** `hub.dead-letter`: stores each report as a dead letter (and marks its delivery dead). Retries for long: storing must outlast a database outage. */
export function deadLetterWorker(hub: Hub, options: WorkerOptions): Worker<DeadLetterReport> {
  return observe(
    hub,
    new Worker<DeadLetterReport>(
      DEAD_LETTER_QUEUE,
      async (job) => {
        const id = await insertDeadLetter(hub.db, job.data);
        if (job.data.inboxId) await markInbox(hub.db, job.data.inboxId, 'dead');
        hub.logger.warn({ deadLetterId: id, step: job.data.step, connectorId: job.data.connectorId, code: job.data.error.code }, 'dead letter stored');
        return id;
      },
      { ...workerOptions(hub, options), concurrency: 4 },
    ),
  );
}
