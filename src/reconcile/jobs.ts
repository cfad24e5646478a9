import { randomUUID } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { ConnectorClient, ConnectorDefinition } from '../connectors/types.js';
import type { ConnectorInstance } from '../core/config/load.js';
import { ConfigError } from '../core/errors.js';
import { failJob, type FailureTracked } from '../queues/failures.js';
import { RECONCILE_QUEUE } from '../queues/names.js';
import { retryJobOptions } from '../queues/retry-policy.js';
import { runReconciliation, stockKindOf, type RunResult } from './run.js';
import type { ReconcileDeps, ReconcileTarget } from './types.js';

/** Job names on `hub.reconcile`. Stock means channel stock, or warehouse on-hand for a warehouse connector. */
export const RECONCILE_STOCK_JOB = 'reconcile-stock';
export const RECONCILE_ORDERS_JOB = 'reconcile-orders';
export type ReconcileJobName = typeof RECONCILE_STOCK_JOB | typeof RECONCILE_ORDERS_JOB;

export interface ReconcileJobData extends FailureTracked {
  connectorId: string;
  trigger?: 'schedule' | 'manual';
}

export function isReconcileJob(name: string): name is ReconcileJobName {
  return name === RECONCILE_STOCK_JOB || name === RECONCILE_ORDERS_JOB;
}

type Connectors = ReadonlyMap<string, { instance: ConnectorInstance; definition: ConnectorDefinition }>;

/** A connector's client for reconciliation: a shared one when given (one rate-limit budget), else built once. */
export function createClientSource(connectors: Connectors, logger: ReconcileDeps['logger'], shared: (id: string) => ConnectorClient | undefined = () => undefined) {
  const own = new Map<string, ConnectorClient>();
  return {
    target(connectorId: string): ReconcileTarget | undefined {
      const entry = connectors.get(connectorId);
      if (!entry?.definition.createClient) return undefined;
      let client = shared(connectorId) ?? own.get(connectorId);
      if (!client) {
        client = entry.definition.createClient(entry.instance as never, { logger: logger.child({ connectorId }) });
        own.set(connectorId, client);
      }
      return { ...entry, client };
    },
    async close(): Promise<void> {
      await Promise.all([...own.values()].map((c) => c.close?.()));
    },
  };
}

export interface ReconcileWorkerDeps extends ReconcileDeps {
  connectors: Connectors;
  deadLetters: Queue;
  /** Clients the process already runs (the outbound pushers'), shared so reads and pushes spend one rate-limit budget. */
  sharedClient?: (connectorId: string) => ConnectorClient | undefined;
}

/**
 * The `hub.reconcile` processor for reconciliation jobs. A job whose run finds another run of the
 * same reconciliation in progress completes as `already_running` (no second run). Failures go
 * through the dead-letter bridge with step `reconcile`.
 */
export function createReconcileProcessor(deps: ReconcileWorkerDeps) {
  const clients = createClientSource(deps.connectors, deps.logger, deps.sharedClient);
  return {
    async process(job: Job<ReconcileJobData>): Promise<Pick<RunResult, 'status' | 'kind' | 'counts' | 'accuracy'> & { runId: number | null }> {
      const { connectorId } = job.data;
      try {
        const target = clients.target(connectorId);
        if (!target) throw new ConfigError(`${connectorId}: not an enabled connector with a client`);
        const kind = job.name === RECONCILE_STOCK_JOB ? stockKindOf(target) : 'orders';
        if (!kind) throw new ConfigError(`${connectorId}: connector type ${target.instance.type} cannot reconcile stock`);
        const result = await runReconciliation(deps, target, kind, { trigger: job.data.trigger ?? 'schedule', sampleSize: 0 });
        return { status: result.status, kind: result.kind, counts: result.counts, accuracy: result.accuracy, runId: result.run?.id ?? null };
      } catch (err) {
        return failJob(job, err, { queue: RECONCILE_QUEUE, step: 'reconcile', connectorId }, deps.deadLetters);
      }
    },
    close: () => clients.close(),
  };
}

/**
 * Makes the job schedulers of reconciliation match config: `reconcile-stock:<id>` and
 * `reconcile-orders:<id>` for each connector with `schedules.reconcileStock` / `reconcileOrders`
 * that can do it, and none left over.
 */
export async function syncReconcileSchedulers(queue: Queue, connectors: Connectors): Promise<void> {
  const wanted = new Set<string>();
  for (const [id, { instance, definition }] of connectors) {
    const caps = definition.capabilities;
    const plan = [
      { name: RECONCILE_STOCK_JOB, schedule: instance.schedules.reconcileStock, able: caps.includes('reconcile.inventory') || caps.includes('reconcile.warehouse') },
      { name: RECONCILE_ORDERS_JOB, schedule: instance.schedules.reconcileOrders, able: caps.includes('reconcile.orders') },
    ];
    for (const { name, schedule, able } of plan) {
      if (!schedule || !able) continue;
      const schedulerId = `${name}:${id}`;
      wanted.add(schedulerId);
      await queue.upsertJobScheduler(schedulerId, schedule.every ? { every: schedule.every } : { pattern: schedule.pattern! }, {
        name,
        data: { connectorId: id, trigger: 'schedule' } satisfies ReconcileJobData,
        opts: retryJobOptions(instance.retry),
      });
    }
  }
  for (const existing of await queue.getJobSchedulers()) {
    if (isReconcileJob(existing.key.split(':')[0] ?? '') && !wanted.has(existing.key)) await queue.removeJobScheduler(existing.key);
  }
}

/**
 * Starts a reconciliation by hand through `hub.reconcile` (the ops API's "run now"). While a job
 * of the same reconciliation waits or runs, another start is deduplicated into it.
 */
export async function startReconcileRun(
  queues: { get(name: string): Queue },
  connectors: Connectors,
  connectorId: string,
  what: 'stock' | 'orders',
): Promise<{ jobId: string; deduplicated: boolean }> {
  const entry = connectors.get(connectorId);
  if (!entry) throw new ConfigError(`${connectorId}: not an enabled connector`);
  const name = what === 'stock' ? RECONCILE_STOCK_JOB : RECONCILE_ORDERS_JOB;
  const need = what === 'stock' ? ['reconcile.inventory', 'reconcile.warehouse'] : ['reconcile.orders'];
  if (!entry.definition.capabilities.some((c) => need.includes(c))) throw new ConfigError(`${connectorId}: connector type ${entry.definition.type} cannot reconcile ${what}`);
  const jobId = `${name}-${connectorId}-${randomUUID()}`;
  const job = await queues.get(RECONCILE_QUEUE).add(name, { connectorId, trigger: 'manual' } satisfies ReconcileJobData, {
    ...retryJobOptions(entry.instance.retry),
    jobId,
    deduplication: { id: `${name}:${connectorId}` },
  });
  return { jobId: job.id ?? jobId, deduplicated: job.id !== jobId };
}

