import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { ConnectorInstance } from '../core/config/load.js';
import type { DeadLetterReport } from './dead-letter-store.js';
import type { InboundBatchJobData, InboundJobData } from './inbound.js';
import { DEAD_LETTER_QUEUE, INBOUND_QUEUE, outboundQueue } from './names.js';
import type { PushAvailabilityJobData, PushJobData } from './outbound.js';
import { retryJobOptions, DEFAULT_RETRY, type RetryPolicy } from './retry-policy.js';
import { DEFAULT_REDIS_URL } from './redis.js';

/**
 * Connection options for BullMQ from a redis:// or rediss:// URL. Options rather than a shared
 * client: each Queue and Worker then owns (and closes) its connections.
 */
export function bullConnection(url = process.env['REDIS_URL'] ?? DEFAULT_REDIS_URL): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/** Most deliveries one inbound job carries (adaptive: a flush of fewer makes a smaller job). */
export const INBOUND_BATCH_MAX = 100;

/** The job of a batch of deliveries; its id names its first delivery, so a re-enqueue of the same flush is a no-op. */
export function batchJob(deliveries: InboundJobData[], retry: RetryPolicy, suffix = ''): { name: string; data: InboundBatchJobData; opts: JobsOptions } {
  return {
    name: 'deliver-batch',
    data: { deliveries, retry: { maxBackoffMs: retry.maxBackoffMs } },
    opts: { jobId: `batch-${deliveries[0]!.inboxId}-${deliveries.length}${suffix}`, ...retryJobOptions(retry) },
  };
}

const KEEP = { removeOnComplete: { age: 3600, count: 10_000 }, removeOnFail: { age: 7 * 24 * 3600 } } satisfies JobsOptions;

/** The queues of the topology, opened lazily, sharing one connection. */
export class HubQueues {
  private readonly queues = new Map<string, Queue>();
  constructor(
    readonly connection: ConnectionOptions,
    readonly prefix: string,
    private readonly connectors: ReadonlyMap<string, { instance: Pick<ConnectorInstance, 'retry'> }> = new Map(),
  ) {}

  get(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions: KEEP });
      q.on('error', () => undefined);
      this.queues.set(name, q);
    }
    return q;
  }

  get inbound(): Queue<InboundJobData> {
    return this.get(INBOUND_QUEUE);
  }
  get deadLetters(): Queue<DeadLetterReport> {
    return this.get(DEAD_LETTER_QUEUE);
  }
  outbound(connectorId: string): Queue<PushJobData> {
    return this.get(outboundQueue(connectorId));
  }

  /** Adds the inbound job of an inbox row; a job with the same id that still exists makes this a no-op. */
  async enqueueInbound(data: InboundJobData, jobId = `inbox-${data.inboxId}`): Promise<void> {
    const retry = this.connectors.get(data.connectorId)?.instance.retry ?? DEFAULT_RETRY;
    await this.inbound.add('deliver', { ...data, retry: { maxBackoffMs: retry.maxBackoffMs } }, { jobId, ...retryJobOptions(retry) });
  }

  /**
   * Adds the inbound jobs of one intake flush: `batch` as jobs of up to {@link INBOUND_BATCH_MAX}
   * deliveries each (one job per flush at ordinary rates), `singles` one job each.
   */
  async enqueueInboundBatch(batch: InboundJobData[], singles: InboundJobData[] = []): Promise<void> {
    const jobs: { name: string; data: InboundJobData | InboundBatchJobData; opts: JobsOptions }[] = [];
    for (let i = 0; i < batch.length; i += INBOUND_BATCH_MAX) {
      const chunk = batch.slice(i, i + INBOUND_BATCH_MAX);
      // One delivery alone is an ordinary delivery job: its retries and dead letter are its own.
      if (chunk.length === 1) singles.push(chunk[0]!);
      else jobs.push(batchJob(chunk, this.retryOf(chunk[0]!.connectorId)));
    }
    for (const d of singles) {
      const retry = this.retryOf(d.connectorId);
      jobs.push({
        name: 'deliver',
        data: { ...d, retry: { maxBackoffMs: retry.maxBackoffMs } },
        opts: { jobId: `inbox-${d.inboxId}`, ...retryJobOptions(retry) },
      });
    }
    if (jobs.length > 0) await this.inbound.addBulk(jobs as Parameters<Queue<InboundJobData>['addBulk']>[0]);
  }

  private retryOf(connectorId: string) {
    return this.connectors.get(connectorId)?.instance.retry ?? DEFAULT_RETRY;
  }

  /** Adds push jobs with the connector's retry policy. */
  async enqueuePushes(connectorId: string, batches: PushJobData[], jobId?: (i: number) => string): Promise<void> {
    const retry = this.connectors.get(connectorId)?.instance.retry ?? DEFAULT_RETRY;
    await this.outbound(connectorId).addBulk(
      batches.map((data, i) => ({
        name: `push-${data.kind}`,
        data: { ...data, retry: { maxBackoffMs: retry.maxBackoffMs } },
        opts: { ...retryJobOptions(retry), ...(jobId ? { jobId: jobId(i) } : {}) },
      })),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

export type { PushAvailabilityJobData, PushJobData, InboundJobData, InboundBatchJobData };
