import { Queue, Worker, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import type { ConnectorClient, ConnectorDefinition } from '../connectors/types.js';
import { connectorRegistry } from '../connectors/registry.js';
import type { ConnectorInstance, HubConfig } from '../core/config/load.js';
import { createErpContext } from '../core/erp/context.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../core/store/index.js';
import type { HubMetrics } from '../api/metrics.js';
import { Catalog } from './catalog.js';
import { connectorState } from './connector-state.js';
import { insertDeadLetter, type DeadLetterReport } from './dead-letter-store.js';
import { markInbox, pendingInbox } from './inbox.js';
import { processInbound, type InboundDeps, type InboundJobData } from './inbound.js';
import { DEAD_LETTER_QUEUE, INBOUND_QUEUE, RECONCILE_QUEUE, outboundQueue } from './names.js';
import { POLL_ORDERS_JOB, pollOrders, type PollJobData } from './poll.js';
import { processOutbound, pushRoutes, relayAvailability, relayFulfillments, type PushAvailabilityJobData, type PushJobData } from './outbound.js';
import { hubBackoffStrategy, retryJobOptions, DEFAULT_RETRY } from './retry-policy.js';
import { DEFAULT_REDIS_URL } from './redis.js';
import { createReconcileProcessor, isReconcileJob, syncReconcileSchedulers, type ReconcileJobData } from '../reconcile/jobs.js';
import { healChannelReports } from '../reconcile/heal.js';

export interface ActiveConnector {
  instance: ConnectorInstance;
  definition: ConnectorDefinition;
}

/** Enabled connector instances with their definitions, by instance id. */
export function activeConnectors(config: HubConfig, registry: readonly ConnectorDefinition[] = connectorRegistry): Map<string, ActiveConnector> {
  const out = new Map<string, ActiveConnector>();
  for (const instance of config.connectors) {
    if (!instance.enabled) continue;
    const definition = registry.find((d) => d.type === instance.type);
    if (definition) out.set(instance.id, { instance, definition });
  }
  return out;
}

/** Channel → connector that records fulfilments there (an enabled connector with push.fulfillment). */
export function fulfillmentRoutes(config: HubConfig, connectors: ReadonlyMap<string, ActiveConnector>): Map<string, string> {
  const routes = new Map<string, string>();
  for (const channel of config.channels) {
    const target = channel.connector ? connectors.get(channel.connector) : undefined;
    if (target?.definition.capabilities.includes('push.fulfillment') && target.definition.createClient) routes.set(channel.id, target.instance.id);
  }
  return routes;
}

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

const KEEP = { removeOnComplete: { age: 3600, count: 10_000 }, removeOnFail: { age: 7 * 24 * 3600 } } satisfies JobsOptions;

/** The queues of the topology, opened lazily, sharing one connection. */
export class HubQueues {
  private readonly queues = new Map<string, Queue>();
  constructor(
    readonly connection: ConnectionOptions,
    readonly prefix: string,
    private readonly connectors: ReadonlyMap<string, ActiveConnector> = new Map(),
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

  /** Adds push jobs with the connector's retry policy. */
  async enqueuePushes(connectorId: string, batches: PushJobData[], jobId?: (i: number) => string): Promise<void> {
    const retry = this.connectors.get(connectorId)?.instance.retry ?? DEFAULT_RETRY;
    await this.outbound(connectorId).addBulk(
      batches.map((data, i) => ({
        name: data.kind === 'fulfillment' ? 'push-fulfillment' : 'push-availability',
        data: { ...data, retry: { maxBackoffMs: retry.maxBackoffMs } },
        opts: { ...retryJobOptions(retry), ...(jobId ? { jobId: jobId(i) } : {}) },
      })),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

export interface WorkerOptions {
  /** Queue names (or `outbound` for every connector's) to work on; all by default. */
  queues?: string[];
  concurrency?: number;
  /** How often pending inbox rows are re-enqueued (recovery after a crash between record and enqueue). */
  sweepMs?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface WorkerDeps {
  config: HubConfig;
  db: Db;
  logger: Logger;
  metrics?: HubMetrics;
  redisUrl?: string;
  registry?: readonly ConnectorDefinition[];
}

export interface RunningWorkers {
  queues: HubQueues;
  workers: Worker[];
  /**
   * Applies a reloaded config to the running workers: the connector map (webhook verification,
   * normalizers, mappings, retry settings), the ERP context (locations, channels, safety stock)
   * and fulfilment routes. A job already running finishes with what it started with. Queues,
   * outbound clients, rate limits and schedules keep their start-up settings until a restart.
   */
  reconfigure(config: HubConfig): void;
  /** Finishes active jobs, then closes. */
  stop(): Promise<void>;
}

/** Starts the workers of one `hub worker` (or `hub start`) process. */
export async function startWorkers(deps: WorkerDeps, options: WorkerOptions = {}): Promise<RunningWorkers> {
  const { config, db, logger, metrics } = deps;
  const connectors = activeConnectors(config, deps.registry);
  const connection = () => bullConnection(deps.redisUrl);
  const queues = new HubQueues(connection(), config.queues.prefix, connectors);
  const wanted = (name: string) => !options.queues || options.queues.some((q) => q === name || (q === 'outbound' && name.startsWith('hub.outbound.')));
  const common = {
    prefix: config.queues.prefix,
    settings: { backoffStrategy: hubBackoffStrategy },
    lockDuration: options.lockDurationMs ?? config.queues.lockDurationMs,
    stalledInterval: options.stalledIntervalMs ?? config.queues.stalledIntervalMs,
    maxStalledCount: 5,
  };
  const erp = createErpContext(config);
  const catalog = new Catalog(db);
  const workers: Worker[] = [];
  const timers: NodeJS.Timeout[] = [];
  let closeReconcile: (() => Promise<void>) | undefined;
  const observe = (worker: Worker, queue: string) => {
    worker.on('error', (err) => logger.warn({ queue, err: err.message }, 'worker error'));
    worker.on('failed', (job: Job | undefined, err) => {
      const data = job?.data as { connectorId?: string } | undefined;
      metrics?.jobsFailed.inc({ queue, connector: data?.connectorId ?? '', error_code: (err as { code?: string }).code ?? 'unexpected' });
      logger.warn({ queue, jobId: job?.id, attempt: job?.attemptsMade, connectorId: data?.connectorId, err: err.message }, 'job failed');
    });
    worker.on('completed', (job: Job) => {
      metrics?.jobsProcessed.inc({ queue, connector: (job.data as { connectorId?: string }).connectorId ?? '' });
      if (job.processedOn && job.finishedOn) metrics?.processingSeconds.observe({ queue }, (job.finishedOn - job.processedOn) / 1000);
    });
    workers.push(worker);
  };

  let current = config;
  // Clients of connectors whose notifications name entities to fetch, made on first use.
  const fetchClients = new Map<string, ConnectorClient>();
  const clientFor = (id: string): ConnectorClient | undefined => {
    const existing = fetchClients.get(id);
    if (existing) return existing;
    const entry = connectors.get(id);
    if (!entry?.definition.createClient || !entry.definition.webhooks?.fetchTopics) return undefined;
    const client = entry.definition.createClient(entry.instance as never, { logger: logger.child({ connectorId: id }), state: connectorState(db, id) });
    fetchClients.set(id, client);
    return client;
  };
  const inboundDeps: InboundDeps = {
    db,
    erp,
    catalog,
    connectors,
    deadLetters: queues.deadLetters,
    logger,
    fulfillmentRoutes: fulfillmentRoutes(config, connectors),
    clientFor,
    enqueue: (data) => queues.enqueueInbound(data),
    // A channel's own count that disagrees with the ledger is healed at once when its policy says heal.
    afterApply: async (connectorId, events) => {
      const entry = connectors.get(connectorId);
      if (entry) await healChannelReports({ db, config: current, erp: inboundDeps.erp }, entry.instance, events);
    },
  };
  if (wanted(INBOUND_QUEUE)) {
    observe(
      // A snapshot per job: a reload mid-job does not change the context it applies with.
      new Worker<InboundJobData>(INBOUND_QUEUE, (job) => processInbound(job, { ...inboundDeps }), {
        ...common,
        connection: connection(),
        concurrency: options.concurrency ?? config.queues.concurrency,
      }),
      INBOUND_QUEUE,
    );
    const sweep = async () => {
      try {
        for (const { id, connectorId, topic } of await pendingInbox(db, 5000, 1000)) {
          // A job that ended while its delivery is still open (its dead-letter report was lost with
          // Redis, say) would block the re-enqueue under the same id: take it away first.
          const stale = await queues.inbound.getJob(`inbox-${id}`);
          if (stale && ((await stale.isFailed()) || (await stale.isCompleted()))) await stale.remove();
          await queues.enqueueInbound({ inboxId: id, connectorId, topic });
        }
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'inbox sweep failed; will try again');
      }
    };
    await sweep();
    timers.push(setInterval(() => void sweep(), options.sweepMs ?? 10_000));
  }

  if (wanted(DEAD_LETTER_QUEUE)) {
    observe(
      new Worker<DeadLetterReport>(
        DEAD_LETTER_QUEUE,
        async (job) => {
          const id = await insertDeadLetter(db, job.data);
          if (job.data.inboxId) await markInbox(db, job.data.inboxId, 'dead');
          logger.warn({ deadLetterId: id, step: job.data.step, connectorId: job.data.connectorId, code: job.data.error.code }, 'dead letter stored');
          return id;
        },
        // Storing a dead letter must outlast a database outage: retry for a long time.
        { ...common, connection: connection(), concurrency: 4 },
      ),
      DEAD_LETTER_QUEUE,
    );
  }

  const clients = new Map<string, ConnectorClient>();
  for (const [id, { instance, definition }] of connectors) {
    if (!definition.createClient || !definition.capabilities.some((c) => c === 'push.availability' || c === 'push.fulfillment')) continue;
    const client = definition.createClient(instance as never, { logger: logger.child({ connectorId: id }) });
    clients.set(id, client);
    const name = outboundQueue(id);
    if (!wanted(name)) continue;
    const limit = instance.rateLimit ?? definition.rateLimit;
    const worker: Worker<PushJobData> = new Worker<PushJobData>(
      name,
      (job) =>
        processOutbound(job, worker, {
          db,
          client,
          deadLetters: queues.deadLetters,
          logger,
          onCalls: (c, n) => metrics?.outboundCalls.inc({ connector: c }, n),
          onThrottle: (c) => metrics?.outboundThrottleWaits.inc({ connector: c }),
        }),
      { ...common, connection: connection(), concurrency: 1, limiter: { max: limit.max, duration: limit.durationMs } },
    );
    observe(worker, name);
  }

  if (wanted(RECONCILE_QUEUE)) {
    const pollClients = new Map<string, ConnectorClient>();
    for (const [id, { instance, definition }] of connectors) {
      if (definition.createClient && instance.schedules.pollOrders) {
        pollClients.set(id, clients.get(id) ?? definition.createClient(instance as never, { logger: logger.child({ connectorId: id }) }));
      }
    }
    await syncSchedulers(queues.get(RECONCILE_QUEUE), connectors, pollClients);
    await syncReconcileSchedulers(queues.get(RECONCILE_QUEUE), connectors);
    const reconcile = createReconcileProcessor({ db, config, erp, logger, metrics, queues, connectors, deadLetters: queues.deadLetters, sharedClient: (id) => clients.get(id) ?? pollClients.get(id) });
    closeReconcile = () => reconcile.close();
    observe(
      new Worker<PollJobData>(
        RECONCILE_QUEUE,
        async (job) => {
          if (isReconcileJob(job.name)) return reconcile.process(job as unknown as Job<ReconcileJobData>);
          const client = pollClients.get(job.data.connectorId);
          if (job.name !== POLL_ORDERS_JOB || !client) return { skipped: `no ${job.name} for ${job.data.connectorId}` };
          return pollOrders(job, { db, client, queues, deadLetters: queues.deadLetters, logger });
        },
        { ...common, connection: connection(), concurrency: 1 },
      ),
      RECONCILE_QUEUE,
    );
  }

  if (wanted('relay') || !options.queues) {
    const routes = pushRoutes(config, (id) => (clients.has(id) ? { batchSize: connectors.get(id)?.definition.pushBatchSize ?? 100 } : undefined));
    let relaying = false;
    timers.push(
      setInterval(() => {
        if (relaying) return;
        relaying = true;
        Promise.all([
          relayAvailability(
            db,
            routes,
            (id, batches) => queues.enqueuePushes(id, batches),
            async (id) => Object.values(await queues.outbound(id).getJobCounts('wait', 'delayed', 'prioritized')).some((n) => n > 0),
          ),
          relayFulfillments(db, (id, batches) => queues.enqueuePushes(id, batches)),
        ])
          .catch((err: Error) => logger.warn({ err: err.message }, 'availability relay failed; will try again'))
          .finally(() => {
            relaying = false;
          });
      }, Math.max(config.queues.coalesceMs, 50)),
    );
  }

  logger.info({ queues: workers.map((w) => w.name), concurrency: options.concurrency ?? config.queues.concurrency }, 'workers started');
  let stopping: Promise<void> | undefined;
  return {
    queues,
    workers,
    reconfigure(next) {
      const fresh = activeConnectors(next, deps.registry);
      // Mutated in place: the queues, the reconcile processor and in-flight lookups share this map.
      connectors.clear();
      for (const [id, entry] of fresh) connectors.set(id, entry);
      current = next;
      inboundDeps.erp = createErpContext(next);
      inboundDeps.fulfillmentRoutes = fulfillmentRoutes(next, connectors);
    },
    stop: () =>
      (stopping ??= (async () => {
        for (const t of timers) clearInterval(t);
        await Promise.all(workers.map((w) => w.close()));
        await Promise.all([...clients.values(), ...fetchClients.values()].map((c) => c.close?.()));
        await closeReconcile?.();
        await queues.close();
      })()),
  };
}

/**
 * Makes the BullMQ job schedulers match config: one `poll-orders:<connector>` per connector with a
 * `schedules.pollOrders`, and none left over from connectors since removed or changed.
 */
async function syncSchedulers(queue: Queue, connectors: ReadonlyMap<string, ActiveConnector>, pollable: ReadonlyMap<string, ConnectorClient>): Promise<void> {
  const wanted = new Set<string>();
  for (const [id, { instance }] of connectors) {
    const schedule = instance.schedules.pollOrders;
    if (!schedule || !pollable.get(id)?.pollOrders) continue;
    const schedulerId = `${POLL_ORDERS_JOB}:${id}`;
    wanted.add(schedulerId);
    await queue.upsertJobScheduler(schedulerId, schedule.every ? { every: schedule.every } : { pattern: schedule.pattern! }, {
      name: POLL_ORDERS_JOB,
      data: { connectorId: id },
      opts: retryJobOptions(instance.retry),
    });
  }
  for (const existing of await queue.getJobSchedulers()) {
    if (existing.key.startsWith(`${POLL_ORDERS_JOB}:`) && !wanted.has(existing.key)) await queue.removeJobScheduler(existing.key);
  }
}

export type { PushAvailabilityJobData, PushJobData, InboundJobData };
