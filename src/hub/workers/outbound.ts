import { boundedLabel } from '../../core/metric-labels.js';
import { Worker } from 'bullmq';
import type { BoundConnector } from '../../queues/bind.js';
import { outboundQueue } from '../../queues/names.js';
import { processOutbound, type PushJobData } from '../../queues/outbound.js';
import type { Hub } from '../create-hub.js';
import { observe, workerOptions, type WorkerOptions } from './common.js';

/**
 * `hub.outbound.<id>`: one worker per connector that pushes, one job at a time, under the
 * connector's rate limit. The client is the bound connector's (one budget with reconciliation reads).
 */
export function outboundWorker(hub: Hub, bound: BoundConnector, options: WorkerOptions): Worker<PushJobData> {
  const limit = bound.instance.rateLimit ?? bound.definition.rateLimit;
  const worker: Worker<PushJobData> = new Worker<PushJobData>(
    outboundQueue(bound.id),
    (job) => {
      // The binding in force now: a reload that changed this connector's credentials takes effect at the next job.
      const client = (hub.connectors.get(bound.id) ?? bound).client();
      if (!client) throw new Error(`${bound.id} has no client`);
      return processOutbound(job, worker, {
        db: hub.db,
        client,
        deadLetters: hub.queues.deadLetters,
        logger: hub.logger,
        onCalls: (c, n) => hub.metrics.outboundCalls.inc({ connector: boundedLabel(c, hub.connectors) }, n),
        onThrottle: (c) => hub.metrics.outboundThrottleWaits.inc({ connector: boundedLabel(c, hub.connectors) }),
        spend: (data, what) => hub.budgets.spend(hub.connectors.get(bound.id) ?? bound, data, what),
      });
    },
    { ...workerOptions(hub, options), concurrency: 1, limiter: { max: limit.max, duration: limit.durationMs } },
  );
  return observe(hub, worker);
}
