import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DEAD_LETTER_QUEUE, INBOUND_QUEUE, RECONCILE_QUEUE, outboundQueue } from '../queues/names.js';
import type { BoundConnector } from '../queues/bind.js';
import type { HubQueues } from '../queues/runtime.js';

export type QueueKind = 'inbound' | 'outbound' | 'reconcile' | 'dead-letter';

/** One queue of the topology, as the ops API, metrics and alerts see it. */
export interface QueueStats {
  name: string;
  kind: QueueKind;
  connector: string | null;
  paused: boolean;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  completedPerMinute: number;
  failedPerMinute: number;
  oldestWaitingAgeSeconds: number | null;
  lastCompletedAt: string | null;
}

/** Whether a bound connector has an outbound queue: the bound answer, the same the workers use. */
export function hasOutboundQueue(c: BoundConnector): boolean {
  return c.pushes;
}

/** Every queue of the topology for these connectors. */
export function topology(connectors: ReadonlyMap<string, BoundConnector>): { name: string; kind: QueueKind; connector: string | null }[] {
  const out: { name: string; kind: QueueKind; connector: string | null }[] = [
    { name: INBOUND_QUEUE, kind: 'inbound', connector: null },
    { name: RECONCILE_QUEUE, kind: 'reconcile', connector: null },
    { name: DEAD_LETTER_QUEUE, kind: 'dead-letter', connector: null },
  ];
  for (const [id, c] of connectors) if (hasOutboundQueue(c)) out.push({ name: outboundQueue(id), kind: 'outbound', connector: id });
  return out;
}

/**
 * Counts from Redis, read through BullMQ's own getters plus two ZCOUNTs on the completed and
 * failed sets, which BullMQ scores by finish time: per-minute rates need no worker-side metrics.
 */
export async function queueStats(queue: Queue, redis: Redis, meta: { kind: QueueKind; connector: string | null }, now = Date.now()): Promise<QueueStats> {
  const [counts, paused, oldest, completedPerMinute, failedPerMinute, last] = await Promise.all([
    queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'),
    queue.isPaused(),
    queue.getJobs(['wait'], 0, 0, true),
    redis.zcount(queue.keys.completed!, now - 60_000, '+inf'),
    redis.zcount(queue.keys.failed!, now - 60_000, '+inf'),
    redis.zrevrange(queue.keys.completed!, 0, 0, 'WITHSCORES'),
  ]);
  const oldestAt = oldest[0]?.timestamp;
  return {
    name: queue.name,
    kind: meta.kind,
    connector: meta.connector,
    paused,
    waiting: (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0),
    active: counts['active'] ?? 0,
    delayed: counts['delayed'] ?? 0,
    failed: counts['failed'] ?? 0,
    completed: counts['completed'] ?? 0,
    completedPerMinute,
    failedPerMinute,
    oldestWaitingAgeSeconds: oldestAt ? Math.max(0, (now - oldestAt) / 1000) : null,
    lastCompletedAt: last[1] ? new Date(Number(last[1])).toISOString() : null,
  };
}

/** Stats of every queue of the topology. */
export async function allQueueStats(queues: HubQueues, redis: Redis, connectors: ReadonlyMap<string, BoundConnector>): Promise<QueueStats[]> {
  const now = Date.now();
  return Promise.all(topology(connectors).map((q) => queueStats(queues.get(q.name), redis, q, now)));
}
