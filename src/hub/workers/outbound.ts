import { boundedLabel } from '../../core/metric-labels.js';
import { Worker } from 'bullmq';
import type { BoundConnector } from '../../queues/bind.js';
import { outboundQueue } from '../../queues/names.js';
import { processOutbound, type PushJobData } from '../../queues/outbound.js';
import type { Hub } from '../create-hub.js';
import { errorCodeOf, observe, workerOptions, type WorkerOptions } from './common.js';

/** Status class and outcome of a push that failed, from the taxonomy's code (clients keep no raw status on errors). */
const FAILED_CALL: Record<string, { status: string; outcome: string }> = {
  rate_limited: { status: '429', outcome: 'throttled' },
  upstream_unavailable: { status: '5xx', outcome: 'retry' },
  network_error: { status: 'none', outcome: 'retry' },
  auth_failed: { status: '4xx', outcome: 'rejected' },
  not_found: { status: '4xx', outcome: 'rejected' },
  contract_rejected: { status: '4xx', outcome: 'rejected' },
};

/**
 * `hub.outbound.<id>`: one worker per connector that pushes, one job at a time, under the
 * connector's rate limit. The client is the bound connector's (one budget with reconciliation reads).
 */
export function outboundWorker(hub: Hub, bound: BoundConnector, options: WorkerOptions): Worker<PushJobData> {
  const limit = bound.instance.rateLimit ?? bound.definition.rateLimit;
  const worker: Worker<PushJobData> = new Worker<PushJobData>(
    outboundQueue(bound.id),
    async (job) => {
      // The binding in force now: a reload that changed this connector's credentials takes effect at the next job.
      const client = (hub.connectors.get(bound.id) ?? bound).client();
      if (!client) throw new Error(`${bound.id} has no client`);
      const connector = boundedLabel(bound.id, hub.connectors);
      let calls = 0;
      try {
        const result = await processOutbound(job, worker, {
          db: hub.db,
          client,
          deadLetters: hub.queues.deadLetters,
          logger: hub.logger,
          onCalls: (_c, n) => void (calls += n),
          onThrottle: (c) => hub.metrics.outboundThrottleWaits.inc({ connector: boundedLabel(c, hub.connectors) }),
          spend: (data, what) => hub.budgets.spend(hub.connectors.get(bound.id) ?? bound, data, what),
        });
        if (calls > 0) hub.metrics.outboundCalls.inc({ connector, status: '2xx', outcome: result.failed > 0 ? 'partial' : 'ok' }, calls);
        return result;
      } catch (err) {
        // The queue's own rate-limit signal (a 429 with Retry-After paused the queue).
        const labels = err instanceof Error && err.name === 'RateLimitError' ? FAILED_CALL['rate_limited'] : FAILED_CALL[errorCodeOf(err)];
        // Failures that are not calls (a lock timeout before the push) count as job failures only.
        if (labels) hub.metrics.outboundCalls.inc({ connector, ...labels }, Math.max(calls, 1));
        throw err;
      }
    },
    { ...workerOptions(hub, options), concurrency: 1, limiter: { max: limit.max, duration: limit.durationMs } },
  );
  return observe(hub, worker);
}
