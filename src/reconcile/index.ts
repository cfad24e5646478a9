/**
 * Reconciliation: reads channel (and warehouse) truth, compares it with the ERP core, stores runs
 * and drift, and heals by policy. What the ops API, the CLI and the workers call.
 *
 * - Runs: {@link runReconciliation} (in process), {@link startReconcileRun} (through `hub.reconcile`),
 *   {@link listRuns}, {@link getRun}, {@link latestStockAccuracy}.
 * - Drift: {@link listDrift} and {@link getDrift} (stock and warehouse rows), {@link listOrderIssues}.
 * - Warehouse variances: {@link listVariances}, {@link approveVariance}, {@link rejectVariance}
 *   (errors: {@link ReconcileRequestError} with `reason` not_found → 404, conflict → 409, invalid → 400).
 * - Targeted re-sync: {@link resyncOrders}, {@link resyncSkus}.
 */
export { approveVariance, listVariances, rejectVariance, ReconcileRequestError, type ApprovalDeps } from './approvals.js';
export { getDrift, listDrift, listOrderIssues, type DriftFilter, type DriftView, type OrderIssueView } from './drift-store.js';
export {
  reconcileTarget,
  createReconcileProcessor,
  isReconcileJob,
  startReconcileRun,
  syncReconcileSchedulers,
  RECONCILE_ORDERS_JOB,
  RECONCILE_STOCK_JOB,
  type ReconcileJobData,
} from './jobs.js';
export { resolvePolicy } from './policy.js';
export { healChannelReports, requestAvailabilityPush } from './heal.js';
export { resyncOrders, resyncSkus, type OrderResync, type SkuResync } from './resync.js';
export { reconcileKinds, runReconciliation, stockKindOf, type RunOptions, type RunResult } from './run.js';
export { getRun, latestStockAccuracy, listRuns, type RunFilter, type RunView } from './runs.js';
export { RECONCILE_KINDS, type ReconcileDeps, type ReconcileKind, type ReconcileTarget, type RunCounts, type RunProgress, type RunTrigger } from './types.js';
