import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import type { HubMetrics } from '../../core/metrics.js';
import type { Hub } from '../../hub/create-hub.js';
import type { BoundConnector } from '../../queues/bind.js';
import { HubQueues } from '../../queues/runtime.js';
import { outboundQueue } from '../../queues/names.js';
import { allQueueStats, hasOutboundQueue, type QueueStats } from '../queue-stats.js';
import { within, type MaybeStale, type StaleReads } from '../stale.js';

/**
 * Redis as the ops console uses it. Its connections do not queue commands while Redis is away
 * (`enableOfflineQueue: false`) and give up on an unanswered command (`commandTimeout`): a read
 * or a pause the caller has given up on is not sent later. Reads keep their last good answer.
 */
export interface RedisReads {
  queues: HubQueues;
  redis: Redis;
  stale: StaleReads;
  timeoutMs: number;
  /** Queue stats of the topology, or the last good ones marked stale. */
  queueStats(connectors: ReadonlyMap<string, BoundConnector>): Promise<MaybeStale<QueueStats[]>>;
  /** Paused flag of every connector with an outbound queue, or the last known ones marked stale. */
  pausedStates(connectors: ReadonlyMap<string, BoundConnector>): Promise<MaybeStale<Map<string, boolean>>>;
  close(): Promise<void>;
}

/** Resolves once `client` can take commands (it refuses them before, having no offline queue). */
function ready(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

export function failFastReads(hub: Hub, redis: Redis, stale: StaleReads): RedisReads {
  const timeoutMs = stale.timeoutMs;
  const failFast = { enableOfflineQueue: false, commandTimeout: timeoutMs, maxRetriesPerRequest: 1 };
  const queues = new HubQueues({ ...(hub.queues.connection as object), ...failFast }, hub.queues.prefix, hub.connectors);
  const client = redis.duplicate(failFast);
  client.on('error', () => undefined);
  return {
    queues,
    redis: client,
    stale,
    timeoutMs,
    queueStats: (connectors) =>
      stale.read('queue-stats', async () => {
        await ready(client);
        return allQueueStats(queues, client, connectors);
      }),
    pausedStates: (connectors) =>
      stale.read('paused', async () => {
        const ids = [...connectors.values()].filter(hasOutboundQueue).map((c) => c.instance.id);
        const flags = await Promise.all(ids.map((id) => queues.get(outboundQueue(id)).isPaused()));
        return new Map(ids.map((id, i) => [id, flags[i]!]));
      }),
    async close() {
      await within(queues.close(), timeoutMs, 'Redis').catch(() => undefined);
      client.disconnect();
    },
  };
}

const STALE_GAUGE = 'hub_metrics_stale';

/**
 * Queue gauges at scrape time. When Redis does not answer in time they keep their last values and
 * `hub_metrics_stale{source="redis"}` says so; the scrape itself answers in time. Returns the
 * refresh to run per scrape (it and the stale gauge share one read).
 */
export function queueGauges(metrics: HubMetrics, reads: RedisReads, connectors: ReadonlyMap<string, BoundConnector>): () => Promise<void> {
  let inflight: Promise<void> | undefined;
  const refresh = () =>
    (inflight ??= refreshQueueGauges(metrics, reads, connectors, stale).finally(() => {
      inflight = undefined;
    }));
  metrics.registry.removeSingleMetric(STALE_GAUGE);
  const stale: Gauge<'source'> = new Gauge({
    name: STALE_GAUGE,
    help: '1 while scrape-time gauges of a source (redis) show their last good values because it did not answer in time',
    labelNames: ['source'],
    registers: [metrics.registry],
    collect: () => refresh(),
  });
  return refresh;
}

async function refreshQueueGauges(
  metrics: HubMetrics,
  reads: RedisReads,
  connectors: ReadonlyMap<string, BoundConnector>,
  stale: Gauge<'source'>,
): Promise<void> {
  const read = await reads.queueStats(connectors);
  stale.set({ source: 'redis' }, read.stale ? 1 : 0);
  if (read.stale || !read.value) return;
  // Reset first: a queue removed by a reload leaves no series behind.
  metrics.queueJobs.reset();
  metrics.queueOldestWaitingSeconds.reset();
  for (const q of read.value) {
    for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) metrics.queueJobs.set({ queue: q.name, state }, q[state]);
    metrics.queueOldestWaitingSeconds.set({ queue: q.name }, q.oldestWaitingAgeSeconds ?? 0);
  }
}
