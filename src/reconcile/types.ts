import type { HubMetrics } from '../core/metrics.js';
import type { ConnectorClient, ConnectorDefinition } from '../connectors/types.js';
import type { ConnectorInstance, HubConfig } from '../core/config/load.js';
import type { ReconcilePolicy } from '../core/config/schema.js';
import type { ErpContext } from '../core/erp/index.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../core/store/index.js';
import type { InboundJobData } from '../queues/inbound.js';

/** What a run compares: channel stock, warehouse on-hand, or orders. */
export const RECONCILE_KINDS = ['stock', 'warehouse', 'orders'] as const;
export type ReconcileKind = (typeof RECONCILE_KINDS)[number];

/** Who started a run: a job scheduler, an operator through the API, or `hub reconcile`. */
export type RunTrigger = 'schedule' | 'manual' | 'cli';

/** What the stock and warehouse reconcilers decided about one difference. */
export type DriftAction = 'healed' | 'flagged' | 'reported' | 'awaiting_approval';

/** Running totals of a run, stored on its row after every page. */
export interface RunCounts {
  /** SKUs (stock, warehouse) or orders compared. */
  checked: number;
  /** Levels compared (stock, warehouse); orders for order runs. */
  compared: number;
  /** SKUs or orders with at least one difference. */
  drifted: number;
  /** Drift rows healed: a push requested, a count applied, an order backfilled. */
  healed: number;
  /** Drift rows left for a human (above the threshold, awaiting approval, not healable). */
  flagged: number;
  /** Channel items no hub SKU maps to. */
  unmapped: number;
  /** Differences explained by a push still on its way (not counted as drift). */
  inFlight: number;
}

export const emptyCounts = (): RunCounts => ({ checked: 0, compared: 0, drifted: 0, healed: 0, flagged: 0, unmapped: 0, inFlight: 0 });

/** One stock or warehouse difference, before it is stored. */
export interface DriftInput {
  sku: string;
  /** Hub location id, or the connector's own id when unmapped. */
  location: string;
  externalLocation: string;
  channelValue: number;
  expected: number;
  action: DriftAction;
  countedAt?: string;
}

/** One order difference, before it is stored. */
export interface OrderIssueInput {
  channel: string;
  externalOrderId: string;
  orderNumber: string | null;
  issue: 'missing' | 'outdated' | 'cancelled_in_channel' | 'cancelled_in_hub';
  channelVersion: string | null;
  hubVersion: string | null;
  hubStatus: string | null;
  action: 'backfilled' | 'flagged' | 'reported';
  inboxId: number | null;
}

/** What every reconciler needs; queues only for order backfill, metrics only in worker processes. */
export interface ReconcileDeps {
  db: Db;
  config: HubConfig;
  erp: ErpContext;
  logger: Logger;
  queues?: { enqueueInbound(data: InboundJobData): Promise<void> };
  metrics?: Pick<HubMetrics, 'reconcileDrift' | 'stockAccuracy' | 'reconcileUnmapped'>;
}

/** The connector instance a run reads from. */
export interface ReconcileTarget {
  instance: ConnectorInstance;
  definition: ConnectorDefinition;
  client: ConnectorClient;
  /** What the instance's capabilities allow (the bound connector's answer). */
  kinds: readonly ReconcileKind[];
}

/** Progress as a run goes: for a progress bar, and stored on the run row. */
export interface RunProgress {
  kind: ReconcileKind;
  counts: RunCounts;
  /** Expected number of SKUs or orders when known (for a progress bar), else null. */
  total: number | null;
}

/**
 * Handed to a reconciler by the run orchestrator: the policy, the counts to keep, and where drift
 * goes (the database, or a sample in memory on a dry run).
 */
export interface RunContext {
  runId: number | null;
  dryRun: boolean;
  connectorId: string;
  kind: ReconcileKind;
  policy: ReconcilePolicy;
  startedAt: Date;
  counts: RunCounts;
  /** Set by the reconciler when it can tell the size of the job up front. */
  total: number | null;
  recordDrift(rows: DriftInput[]): Promise<void>;
  recordOrderIssues(rows: OrderIssueInput[]): Promise<void>;
  /** Heartbeat and progress report; call after every page. */
  progress(): Promise<void>;
}
