import { randomUUID } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { BoundConnector } from '../queues/bind.js';
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

type Connectors = ReadonlyMap<string, BoundConnector>;

/** What a run reads from: the bound connector's shared client (one rate-limit budget with its pushes). */
export function reconcileTarget(connectors: Connectors, connectorId: string): ReconcileTarget | undefined {
  const bound = connectors.get(connectorId);
  const client = bound?.client();
  if (!bound || !client) return undefined;
  return { instance: bound.instance, definition: bound.definition, client, kinds: bound.reconcileKinds };
}

export interface ReconcileWorkerDeps extends ReconcileDeps {
  connectors: Connectors;
  deadLetters: Queue;
}

/**
 * The `hub.reconcile` processor for reconciliation jobs. A job whose run finds another run of the
 * same reconciliation in progress completes as `already_running` (no second run). Failures go
 * through the dead-letter bridge with step `reconcile`.
 */
export function createReconcileProcessor(deps: ReconcileWorkerDeps) {
  return {
    async process(job: Job<ReconcileJobData>): Promise<Pick<RunResult, 'status' | 'kind' | 'counts' | 'accuracy'> & { runId: number | null }> {
      const { connectorId } = job.data;
      try {
        const target = reconcileTarget(deps.connectors, connectorId);
        if (!target) throw new ConfigError(`${connectorId}: not an enabled connector with a client`);
        const kind = job.name === RECONCILE_STOCK_JOB ? stockKindOf(target) : 'orders';
        if (!kind) throw new ConfigError(`${connectorId}: connector type ${target.instance.type} cannot reconcile stock`);
        const result = await runReconciliation(deps, target, kind, { trigger: job.data.trigger ?? 'schedule', sampleSize: 0 });
        return { status: result.status, kind: result.kind, counts: result.counts, accuracy: result.accuracy, runId: result.run?.id ?? null };
      } catch (err) {
        return failJob(job, err, { queue: RECONCILE_QUEUE, step: 'reconcile', connectorId }, deps.deadLetters);
      }
    },
  };
}

/**
 * Makes the job schedulers of reconciliation match config: `reconcile-stock:<id>` and
 * `reconcile-orders:<id>` for each connector with `schedules.reconcileStock` / `reconcileOrders`
 * that can do it, and none left over.
 */
export async function syncReconcileSchedulers(queue: Queue, connectors: Connectors): Promise<void> {
  const wanted = new Set<string>();
  for (const [id, { instance, reconcileKinds }] of connectors) {
    const plan = [
      {
        name: RECONCILE_STOCK_JOB,
        schedule: instance.schedules.reconcileStock,
        able: reconcileKinds.includes('stock') || reconcileKinds.includes('warehouse'),
      },
      { name: RECONCILE_ORDERS_JOB, schedule: instance.schedules.reconcileOrders, able: reconcileKinds.includes('orders') },
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
  const need: readonly string[] = what === 'stock' ? ['stock', 'warehouse'] : ['orders'];
  if (!entry.reconcileKinds.some((k) => need.includes(k)))
    throw new ConfigError(`${connectorId}: connector type ${entry.definition.type} cannot reconcile ${what}`);
  const jobId = `${name}-${connectorId}-${randomUUID()}`;
  const job = await queues.get(RECONCILE_QUEUE).add(name, { connectorId, trigger: 'manual' } satisfies ReconcileJobData, {
    ...retryJobOptions(entry.instance.retry),
    jobId,
    deduplication: { id: `${name}:${connectorId}` },
  });
  return { jobId: job.id ?? jobId, deduplicated: job.id !== jobId };
}
