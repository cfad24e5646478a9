import { ContractError } from '../core/errors.js';
import { insertDrift, insertOrderIssues } from './drift-store.js';
import { reconcileOrders } from './orders.js';
import { connectorChannel, resolvePolicy } from './policy.js';
import { accuracyOf, beginRun, finishRun, heartbeat, previousCompletedRun, type RunView } from './runs.js';
import { reconcileStock } from './stock.js';
import {
  emptyCounts,
  type DriftInput,
  type OrderIssueInput,
  type ReconcileDeps,
  type ReconcileKind,
  type ReconcileTarget,
  type RunContext,
  type RunCounts,
  type RunProgress,
  type RunTrigger,
} from './types.js';
import { reconcileWarehouse } from './warehouse.js';

export interface RunOptions {
  trigger: RunTrigger;
  /** Compare and report only: no heal, no count applied, nothing stored, no lock taken. */
  dryRun?: boolean;
  onProgress?: (progress: RunProgress) => void;
  /** Drift rows and order issues kept in memory for the caller to show (default 100). */
  sampleSize?: number;
  /** Report every difference, heal none, whatever the connector's policy (onboarding: drift for review). */
  reportOnly?: boolean;
}

/** What a run did. `run` is the stored run (null on a dry run); `sample` the first differences. */
export interface RunResult {
  status: 'completed' | 'already_running';
  kind: ReconcileKind;
  connectorId: string;
  dryRun: boolean;
  run: RunView | null;
  counts: RunCounts;
  /** Null when nothing was checked. */
  accuracy: number | null;
  durationMs: number;
  sample: { drift: DriftInput[]; orders: OrderIssueInput[] };
}

const HEARTBEAT_MS = 30_000;

/** The kinds a connector instance can reconcile: what its capabilities allow and its client can read. */
export function reconcileKinds(target: Pick<ReconcileTarget, 'client' | 'kinds'>): ReconcileKind[] {
  const { client } = target;
  const able: Record<ReconcileKind, boolean> = {
    stock: client.readStockLevels !== undefined,
    warehouse: client.readWarehouseStock !== undefined,
    orders: client.listOrders !== undefined && client.readOrders !== undefined,
  };
  return target.kinds.filter((k) => able[k]);
}

/** What `schedules.reconcileStock` and `--stock` mean for a connector: channel stock, else warehouse on-hand. */
export function stockKindOf(target: Pick<ReconcileTarget, 'client' | 'kinds'>): 'stock' | 'warehouse' | null {
  const kinds = reconcileKinds(target);
  return kinds.includes('stock') ? 'stock' : kinds.includes('warehouse') ? 'warehouse' : null;
}

/**
 * Runs one reconciliation of one connector: takes the (connector, kind) lock, streams and compares,
 * stores the drift page by page, heartbeats, and records the result. When another run holds the
 * lock, returns `already_running` with that run and does nothing. A failure is stored on the run
 * and rethrown (the job's retry policy decides what next).
 */
export async function runReconciliation(deps: ReconcileDeps, target: ReconcileTarget, kind: ReconcileKind, options: RunOptions): Promise<RunResult> {
  const connectorId = target.instance.id;
  if (!reconcileKinds(target).includes(kind)) {
    throw new ContractError(`${connectorId}: connector type ${target.instance.type} cannot run ${kind} reconciliation`, { connectorId, step: 'reconcile' });
  }
  const configured = resolvePolicy(target.instance);
  const policy = options.reportOnly ? { ...configured, stock: { ...configured.stock, policy: 'report' as const } } : configured;
  const dryRun = options.dryRun === true;
  const started = performance.now();
  const begun = dryRun ? null : await beginRun(deps.db, { connectorId, kind, trigger: options.trigger, policy });
  const drift: DriftInput[] = [];
  const orders: OrderIssueInput[] = [];
  const result = (counts: RunCounts, run: RunView | null, status: RunResult['status'] = 'completed'): RunResult => ({
    status,
    kind,
    connectorId,
    dryRun,
    run,
    counts,
    accuracy: accuracyOf(counts),
    durationMs: Math.round(run?.durationMs ?? performance.now() - started),
    sample: { drift, orders },
  });
  if (begun && !begun.started) return result(begun.run.counts, begun.run, 'already_running');
  const runId = begun?.run.id ?? null;
  const previousRunId = runId === null ? null : await previousCompletedRun(deps.db, connectorId, kind, runId);
  const sampleSize = options.sampleSize ?? 100;
  let driftRows = 0;
  let beatAt = 0;
  const ctx: RunContext = {
    runId,
    dryRun,
    connectorId,
    kind,
    policy,
    startedAt: new Date(begun?.run.startedAt ?? Date.now()),
    counts: emptyCounts(),
    total: null,
    async recordDrift(rows) {
      driftRows += rows.length;
      drift.push(...rows.slice(0, Math.max(0, sampleSize - drift.length)));
      if (runId !== null && kind !== 'orders') await insertDrift(deps.db, { id: runId, connectorId, kind, previousRunId }, rows);
    },
    async recordOrderIssues(rows) {
      orders.push(...rows.slice(0, Math.max(0, sampleSize - orders.length)));
      if (runId !== null) await insertOrderIssues(deps.db, { id: runId, connectorId }, rows);
    },
    async progress() {
      options.onProgress?.({ kind, counts: { ...ctx.counts }, total: ctx.total });
      if (runId !== null && Date.now() - beatAt > 1000) {
        beatAt = Date.now();
        await heartbeat(deps.db, runId, ctx.counts);
      }
    },
  };
  // Also beats while the reader waits (a bulk export being prepared), so the lock is not taken over.
  const timer = runId === null ? undefined : setInterval(() => void heartbeat(deps.db, runId, ctx.counts).catch(() => undefined), HEARTBEAT_MS);
  try {
    if (kind === 'stock') await reconcileStock(deps, target, ctx);
    else if (kind === 'warehouse') await reconcileWarehouse(deps, target, ctx);
    else await reconcileOrders(deps, target, ctx);
  } catch (err) {
    clearInterval(timer);
    if (runId !== null) await finishRun(deps.db, runId, ctx.counts, err instanceof Error ? err.message : String(err)).catch(() => undefined);
    throw err;
  }
  clearInterval(timer);
  options.onProgress?.({ kind, counts: { ...ctx.counts }, total: ctx.total });
  if (runId === null) return result(ctx.counts, null);
  const run = await finishRun(deps.db, runId, ctx.counts);
  if (kind === 'warehouse') {
    // A newer count replaces every older variance still waiting for a decision.
    await deps.db.query(
      `UPDATE reconcile_drift SET action = 'superseded', decided_at = now(), decided_by = 'reconcile', decision_note = $3
       WHERE connector_id = $1 AND kind = 'warehouse' AND action = 'awaiting_approval' AND run_id < $2`,
      [connectorId, runId, `superseded by run ${runId}`],
    );
  }
  if (kind === 'stock' && deps.metrics) {
    const channel = connectorChannel(deps.config, target.instance);
    deps.metrics.reconcileDrift.set({ connector: connectorId, channel }, driftRows);
    deps.metrics.reconcileUnmapped.set({ connector: connectorId, channel }, ctx.counts.unmapped);
    // Nothing checked gives no figure: the gauge is left unset rather than reading 100 %.
    if (run.accuracy === null) deps.metrics.stockAccuracy.remove({ channel });
    else deps.metrics.stockAccuracy.set({ channel }, run.accuracy);
  }
  deps.logger.info({ connectorId, kind, runId, ...ctx.counts, accuracy: run.accuracy, durationMs: run.durationMs }, 'reconciliation done');
  return result(ctx.counts, run);
}
