import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.js';
import type { BoundConnector } from '../queues/bind.js';
import type { HubQueues } from '../queues/runtime.js';
import { topology } from './queue-stats.js';

/** One sample of a queue: depth at `at`, and what finished since the previous sample. */
export interface HistoryPoint {
  at: string;
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  avgProcessingMs: number | null;
  avgLatencyMs: number | null;
  /** Age of the oldest waiting job at `at`; null when none waits. */
  oldestWaitingAgeSeconds: number | null;
}

export interface QueueHistoryOptions {
  /** Sampling interval; 10 s by default. */
  intervalMs?: number;
  /** Points kept per queue; one hour's worth by default. */
  capacity?: number;
}

/** Finished jobs read per sample for the latency averages; enough for a trend, cheap on Redis. */
const LATENCY_SAMPLE = 200;

/**
 * Throughput and latency over the last hour for the dashboard charts: an in-process ring buffer
 * sampled every `intervalMs` from Redis. It starts empty with each API process and is not shared
 * between processes; Prometheus keeps the long history.
 */
export class QueueHistory {
  readonly intervalMs: number;
  private readonly capacity: number;
  private readonly points = new Map<string, HistoryPoint[]>();
  private lastAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;

  constructor(
    private readonly queues: HubQueues,
    private readonly redis: Redis,
    private readonly connectors: ReadonlyMap<string, BoundConnector>,
    private readonly logger: Logger,
    options: QueueHistoryOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.capacity = options.capacity ?? Math.ceil(3_600_000 / this.intervalMs);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sampling;
  }

  /** Takes one sample of every queue now (the timer calls this; tests may too). */
  sample(): Promise<void> {
    this.sampling ??= this.takeSample()
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'queue history sample failed'))
      .finally(() => {
        this.sampling = undefined;
      });
    return this.sampling;
  }

  snapshot(): { intervalMs: number; queues: { name: string; points: HistoryPoint[] }[] } {
    return { intervalMs: this.intervalMs, queues: [...this.points].map(([name, points]) => ({ name, points: [...points] })) };
  }

  private async takeSample(): Promise<void> {
    const since = this.lastAt;
    const now = Date.now();
    this.lastAt = now;
    for (const { name } of topology(this.connectors)) {
      const queue = this.queues.get(name);
      const [counts, completed, failed, timings, oldest] = await Promise.all([
        queue.getJobCounts('waiting', 'prioritized', 'active'),
        this.redis.zcount(queue.keys.completed!, `(${since}`, now),
        this.redis.zcount(queue.keys.failed!, `(${since}`, now),
        this.timings(queue, since, now),
        queue.getJobs(['wait'], 0, 0, true),
      ]);
      const oldestAt = oldest[0]?.timestamp;
      const list = this.points.get(name) ?? [];
      list.push({
        at: new Date(now).toISOString(),
        waiting: (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0),
        active: counts['active'] ?? 0,
        completed,
        failed,
        ...timings,
        oldestWaitingAgeSeconds: oldestAt ? Math.max(0, (now - oldestAt) / 1000) : null,
      });
      if (list.length > this.capacity) list.splice(0, list.length - this.capacity);
      this.points.set(name, list);
    }
  }

  /** Average processing time and enqueue-to-finish latency of jobs completed in (since, now]. */
  private async timings(queue: Queue, since: number, now: number): Promise<{ avgProcessingMs: number | null; avgLatencyMs: number | null }> {
    const ids = await this.redis.zrangebyscore(queue.keys.completed!, `(${since}`, now, 'LIMIT', 0, LATENCY_SAMPLE);
    if (ids.length === 0) return { avgProcessingMs: null, avgLatencyMs: null };
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(queue.toKey(id), 'timestamp', 'processedOn', 'finishedOn');
    let processing = 0;
    let latency = 0;
    let n = 0;
    for (const [err, fields] of (await pipeline.exec()) ?? []) {
      const [created, processed, finished] = ((fields as (string | null)[] | null) ?? []).map(Number);
      if (err || !created || !processed || !finished) continue;
      processing += finished - processed;
      latency += finished - created;
      n += 1;
    }
    return n === 0 ? { avgProcessingMs: null, avgLatencyMs: null } : { avgProcessingMs: processing / n, avgLatencyMs: latency / n };
  }
}
