import { readFileSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process; /metrics serves it. Names follow https://prometheus.io/docs/practices/naming/ */
export interface HubMetrics {
  registry: Registry;
  webhookAcks: Counter<'connector' | 'outcome'>;
  webhookRejections: Counter<'connector' | 'reason'>;
  /** Requests that broke off or could not be decoded (client errors, logged at debug only). */
  webhookClientErrors: Counter<'reason'>;
  /** Jobs completed, per delivery for batch jobs; `connector` is `none` for jobs that belong to none (the outbox relay). */
  jobsProcessed: Counter<'queue' | 'connector'>;
  /** Failed attempts by the taxonomy's code (`unexpected` only for errors outside it). */
  jobsFailed: Counter<'queue' | 'connector' | 'error_code'>;
  processingSeconds: Histogram<'queue' | 'connector'>;
  /**
   * HTTP calls made to external APIs by pushers. `status` is the HTTP status when one came back
   * (`2xx` for accepted batches, `none` for network failures); `outcome` is `ok`, `partial` (some
   * items rejected), `rejected` (permanent), `retry` (retryable failure) or `throttled`.
   */
  outboundCalls: Counter<'connector' | 'status' | 'outcome'>;
  /** Pushes that waited for a connector's rate limit (incremented by the outbound workers). */
  outboundThrottleWaits: Counter<'connector'>;
  /** Jobs per queue and state, read from Redis at scrape time. */
  queueJobs: Gauge<'queue' | 'state'>;
  queueOldestWaitingSeconds: Gauge<'queue'>;
  /** Open dead letters per connector, read from the database at scrape time. */
  deadLettersOpen: Gauge<'connector'>;
  /** Drift rows of the last stock reconciliation run per connector and channel (set by reconciliation; the API process reads them from the database at scrape time). */
  reconcileDrift: Gauge<'connector' | 'channel'>;
  /**
   * Share of SKUs whose channel stock matched the ledger at the last reconciliation (0..1); read
   * like reconcileDrift. Unset for a channel whose last run checked nothing: no figure is not 100 %.
   */
  stockAccuracy: Gauge<'channel'>;
  /** Budget left per connector and declared budget (per-SKU budgets: the most spent listing's), read from Redis at scrape time. */
  budgetRemaining: Gauge<'connector' | 'budget'>;
  /** Availability changes waiting for a connector's budget, read from the database at scrape time. */
  budgetHeldItems: Gauge<'connector'>;
  /** Sum of the `available` figures below zero a channel last reported per SKU and location (oversold units, negative); read like reconcileDrift. */
  channelOversold: Gauge<'connector' | 'channel'>;
  /** Channel items the last stock reconciliation could not map to a hub SKU, per connector and channel. */
  reconcileUnmapped: Gauge<'connector' | 'channel'>;
  /** Constant 1, labelled with the hub's version and the Node.js version it runs on. */
  buildInfo: Gauge<'version' | 'node_version'>;
  /** Registers work that refreshes scrape-time gauges; all of it runs once per scrape. */
  onScrape(refresh: () => Promise<void>): void;
}

/**
 * prom-client's gauges of this name end in `_total`, which the Prometheus naming rules keep for
 * counters (`promtool check metrics` refuses them). Each is the sum of its per-type sibling
 * (`sum(nodejs_active_handles)`), so nothing is lost by dropping them.
 */
const NON_COUNTER_TOTALS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** The hub's version from package.json (two levels up from src/core and from dist/core alike). */
export function hubVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function createMetrics(): HubMetrics {
  const registry = new Registry();
  // Standard names (process_*, nodejs_*), so the common Node.js dashboards work unchanged.
  collectDefaultMetrics({ register: registry });
  for (const name of NON_COUNTER_TOTALS) registry.removeSingleMetric(name);
  const hooks: (() => Promise<void>)[] = [];
  let refreshing: Promise<void> | undefined;
  // prom-client calls every collect() of a scrape at once: they share one refresh.
  const collect = () =>
    (refreshing ??= Promise.all(hooks.map((h) => h().catch(() => undefined)))
      .then(() => undefined)
      .finally(() => {
        refreshing = undefined;
      }));
  const registers = [registry];
  const buildInfo = new Gauge({
    name: 'hub_build_info',
    help: 'Always 1; labels carry the hub version and the Node.js version',
    labelNames: ['version', 'node_version'],
    registers,
  });
  buildInfo.set({ version: hubVersion(), node_version: process.versions.node }, 1);
  return {
    registry,
    buildInfo,
    onScrape: (refresh) => void hooks.push(refresh),
    webhookAcks: new Counter({
      name: 'hub_webhook_acks_total',
      help: 'Webhook deliveries acknowledged, by outcome (accepted, duplicate, ignored)',
      labelNames: ['connector', 'outcome'],
      registers,
    }),
    webhookRejections: new Counter({
      name: 'hub_webhook_rejections_total',
      help: 'Webhook deliveries refused, by reason (invalid_signature, malformed_json, too_large, unknown_connector, ...)',
      labelNames: ['connector', 'reason'],
      registers,
    }),
    webhookClientErrors: new Counter({
      name: 'hub_webhook_client_errors_total',
      help: 'Webhook requests aborted by the client or not decodable (aborted, bad_encoding, bad_request)',
      labelNames: ['reason'],
      registers,
    }),
    jobsProcessed: new Counter({ name: 'hub_jobs_processed_total', help: 'Jobs completed', labelNames: ['queue', 'connector'], registers }),
    jobsFailed: new Counter({
      name: 'hub_jobs_failed_total',
      help: 'Job attempts that failed, by error code',
      labelNames: ['queue', 'connector', 'error_code'],
      registers,
    }),
    processingSeconds: new Histogram({
      name: 'hub_job_processing_seconds',
      help: 'Time to process one job, per queue and connector',
      labelNames: ['queue', 'connector'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    outboundCalls: new Counter({
      name: 'hub_outbound_calls_total',
      help: 'HTTP calls made to external APIs by pushers, by HTTP status and outcome (ok, partial, rejected, retry, throttled)',
      labelNames: ['connector', 'status', 'outcome'],
      registers,
    }),
    outboundThrottleWaits: new Counter({
      name: 'hub_outbound_throttle_waits_total',
      help: 'Pushes delayed by a connector rate limit or a throttled response',
      labelNames: ['connector'],
      registers,
    }),
    queueJobs: new Gauge({
      name: 'hub_queue_jobs',
      help: 'Jobs per queue and state (waiting, active, delayed, failed), read at scrape time',
      labelNames: ['queue', 'state'],
      registers,
      collect,
    }),
    queueOldestWaitingSeconds: new Gauge({
      name: 'hub_queue_oldest_waiting_seconds',
      help: 'Age of the oldest waiting job per queue (0 when none waits)',
      labelNames: ['queue'],
      registers,
      collect,
    }),
    deadLettersOpen: new Gauge({ name: 'hub_dead_letters_open', help: 'Open dead letters per connector', labelNames: ['connector'], registers, collect }),
    reconcileDrift: new Gauge({
      name: 'hub_reconcile_drift_rows',
      help: 'Drift rows found by the last reconciliation run, per connector and channel',
      labelNames: ['connector', 'channel'],
      registers,
      collect,
    }),
    budgetRemaining: new Gauge({
      name: 'hub_connector_budget_remaining',
      help: 'Spends left of a connector budget in its rolling window (per hour, per day); for a per-SKU budget, what the most spent listing has left',
      labelNames: ['connector', 'budget'],
      registers,
      collect,
    }),
    budgetHeldItems: new Gauge({
      name: 'hub_connector_budget_held_items',
      help: 'Availability changes waiting for their slot in a connector budget (the latest value per SKU)',
      labelNames: ['connector'],
      registers,
      collect,
    }),
    stockAccuracy: new Gauge({
      name: 'hub_stock_accuracy_ratio',
      help: 'Share of checked SKUs whose channel stock matched the ledger at the last reconciliation (0..1); absent when the run checked none',
      labelNames: ['channel'],
      registers,
      collect,
    }),
    reconcileUnmapped: new Gauge({
      name: 'hub_reconcile_unmapped_items',
      help: 'Channel items the last stock reconciliation could not map to a hub SKU, per connector and channel',
      labelNames: ['connector', 'channel'],
      registers,
      collect,
    }),
    channelOversold: new Gauge({
      name: 'hub_channel_oversold_available',
      help: "Sum of the available figures below zero that a channel last reported (e.g. Shopify's available when oversold): negative, 0 when none",
      labelNames: ['connector', 'channel'],
      registers,
      collect,
    }),
  };
}
