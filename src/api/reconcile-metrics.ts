import type { HubConfig } from '../core/config/load.js';
import type { Queryable } from '../core/store/index.js';
import { connectorChannel } from '../reconcile/policy.js';
import { latestStockAccuracy } from '../reconcile/runs.js';
import type { HubMetrics } from '../core/metrics.js';

/**
 * Sets `hub_stock_accuracy_ratio` (per channel), `hub_reconcile_drift_rows` and
 * `hub_reconcile_unmapped_items` (per connector and channel) from the latest completed stock run
 * of each connector in the database, so that an API process shows them even when the runs happen
 * in separate worker processes. A channel sold through several connectors gets the lowest accuracy
 * of them; a run that checked nothing gives no accuracy (the channel's gauge stays unset).
 * Connectors no longer configured, or without one channel, are left out. `hub_channel_oversold_available`
 * sums, per connector, the channel `available` figures below zero it last reported (kept signed, as the channel said them).
 */
export async function refreshReconcileGauges(deps: {
  config: HubConfig;
  db: Queryable;
  metrics: Pick<HubMetrics, 'stockAccuracy' | 'reconcileDrift' | 'reconcileUnmapped'> & Partial<Pick<HubMetrics, 'channelOversold'>>;
}): Promise<void> {
  const latest = await latestStockAccuracy(deps.db);
  const { rows } = latest.length
    ? await deps.db.query<{ run_id: string | number; n: string | number }>(
        `SELECT run_id, count(*) AS n FROM reconcile_drift WHERE run_id = ANY($1::bigint[]) GROUP BY run_id`,
        [latest.map((l) => l.runId)],
      )
    : { rows: [] };
  const driftRows = new Map(rows.map((r) => [Number(r.run_id), Number(r.n)]));
  const { rows: oversold } = await deps.db.query<{ connector: string; below: string | number }>(
    `SELECT connector, sum(LEAST(quantity, 0)) AS below FROM inventory_report WHERE figure = 'available' GROUP BY connector`,
  );
  const accuracy = new Map<string, number>();
  const perConnector: { connector: string; channel: string; drift: number; unmapped: number }[] = [];
  for (const l of latest) {
    const instance = deps.config.connectors.find((c) => c.id === l.connectorId);
    if (!instance) continue;
    let channel: string;
    try {
      channel = connectorChannel(deps.config, instance);
    } catch {
      continue;
    }
    if (l.accuracy !== null) accuracy.set(channel, Math.min(accuracy.get(channel) ?? 1, l.accuracy));
    perConnector.push({ connector: l.connectorId, channel, drift: driftRows.get(l.runId) ?? 0, unmapped: l.unmapped });
  }
  // No await from here on: a scrape never sees the gauges half set.
  deps.metrics.stockAccuracy.reset();
  for (const [channel, value] of accuracy) deps.metrics.stockAccuracy.set({ channel }, value);
  deps.metrics.reconcileDrift.reset();
  deps.metrics.reconcileUnmapped.reset();
  for (const d of perConnector) {
    deps.metrics.reconcileDrift.set({ connector: d.connector, channel: d.channel }, d.drift);
    deps.metrics.reconcileUnmapped.set({ connector: d.connector, channel: d.channel }, d.unmapped);
  }
  const below = new Map(oversold.map((r) => [r.connector, Number(r.below)]));
  deps.metrics.channelOversold?.reset();
  // Every configured connector that reports levels gets a series (0 when nothing is oversold); others stay out.
  for (const instance of deps.config.connectors) {
    if (!below.has(instance.id)) continue;
    let channel: string;
    try {
      channel = connectorChannel(deps.config, instance);
    } catch {
      continue;
    }
    deps.metrics.channelOversold?.set({ connector: instance.id, channel }, below.get(instance.id)!);
  }
}
