import cliProgress from 'cli-progress';
import Table from 'cli-table3';
import type { DriftView, OrderResync, RunProgress, RunResult, SkuResync } from '../reconcile/index.js';
import { tableStyle as style } from './style.js';

// Floored, so that one drifted SKU in 100,000 never shows as 100.00%.
// Nothing checked gives no figure ("n/a"), never 100 %.
const pct = (x: number | null) => (x === null ? 'n/a' : `${(Math.floor(x * 10_000 + 1e-6) / 100).toFixed(2)}%`);
const secs = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`);

/** A progress bar on a terminal (SKUs against the expected count), nothing otherwise. */
export function progressReporter(enabled: boolean): { update(p: RunProgress): void; stop(): void } {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  let bar: cliProgress.SingleBar | undefined;
  let kind = '';
  return {
    update(p) {
      if (p.kind !== kind) {
        bar?.stop();
        kind = p.kind;
        const unit = p.kind === 'orders' ? 'orders' : 'SKUs';
        const format = p.total
          ? `${p.kind.padEnd(9)} |{bar}| {value}/{total} ${unit} | drifted {drifted}`
          : `${p.kind.padEnd(9)} {value} ${unit} | drifted {drifted}`;
        bar = new cliProgress.SingleBar({ format, hideCursor: true, clearOnComplete: false, stream: process.stderr }, cliProgress.Presets.shades_classic);
        bar.start(p.total ?? 0, 0, { drifted: 0 });
      }
      if (p.total && p.counts.checked > p.total) bar?.setTotal(p.counts.checked);
      bar?.update(p.counts.checked, { drifted: p.counts.drifted });
    },
    stop: () => bar?.stop(),
  };
}

/** The summary table: one row per reconciliation run. */
export function summaryTable(results: readonly RunResult[]): string {
  const table = new Table({ head: ['run', 'kind', 'checked', 'drifted', 'healed', 'flagged', 'in flight', 'unmapped', 'accuracy', 'duration'], ...style() });
  for (const r of results) {
    const unit = r.kind === 'orders' ? 'orders' : 'SKUs';
    table.push([
      r.dryRun ? 'dry run' : `#${r.run?.id ?? '?'}${r.status === 'already_running' ? ' (running)' : ''}`,
      r.kind,
      `${r.counts.checked} ${unit}`,
      r.counts.drifted,
      r.counts.healed,
      r.counts.flagged,
      r.counts.inFlight,
      r.counts.unmapped,
      pct(r.accuracy),
      secs(r.durationMs),
    ]);
  }
  return table.toString();
}

/** A warning line per run that left channel items unmapped (they are invisible to the accuracy figure); null when none. */
export function unmappedNote(results: readonly RunResult[]): string | null {
  const lines = results
    .filter((r) => r.counts.unmapped > 0)
    .map(
      (r) =>
        `warning: ${r.connectorId} ${r.kind}: ${r.counts.unmapped} channel item(s) map to no hub SKU and were not compared${r.counts.checked === 0 ? ' (nothing was checked: accuracy n/a)' : ''}; map their SKUs or run \`hub connectors setup ${r.connectorId}\``,
    );
  return lines.length ? lines.join('\n') : null;
}

/** The first differences a run found (its sample). */
export function driftTable(results: readonly RunResult[], limit = 20): string | null {
  const stock = results.flatMap((r) => r.sample.drift.map((d) => ({ kind: r.kind, ...d })));
  const orders = results.flatMap((r) => r.sample.orders);
  const parts: string[] = [];
  if (stock.length > 0) {
    const table = new Table({ head: ['kind', 'sku', 'location', 'channel', 'expected', 'delta', 'action'], ...style() });
    for (const d of stock.slice(0, limit)) table.push([d.kind, d.sku, d.location, d.channelValue, d.expected, d.channelValue - d.expected, d.action]);
    parts.push(table.toString());
  }
  if (orders.length > 0) {
    const table = new Table({ head: ['order', 'number', 'issue', 'hub status', 'action', 'inbox'], ...style() });
    for (const o of orders.slice(0, limit)) table.push([o.externalOrderId, o.orderNumber ?? '', o.issue, o.hubStatus ?? '-', o.action, o.inboxId ?? '']);
    parts.push(table.toString());
  }
  if (parts.length === 0) return null;
  const total = stock.length + orders.length;
  return `${parts.join('\n')}${total > limit ? `\n(first ${limit} shown; see the run's drift rows for all)` : ''}`;
}

export function orderResyncTable(rows: readonly OrderResync[]): string {
  const table = new Table({ head: ['order', 'result', 'inbox'], ...style() });
  for (const r of rows)
    table.push([
      r.externalOrderId,
      r.found ? (r.duplicate ? `already recorded (${r.status})` : 'backfilled') : 'not found in the channel',
      r.found ? r.inboxId : '',
    ]);
  return table.toString();
}

export function skuResyncTable(rows: readonly SkuResync[]): string {
  const table = new Table({ head: ['sku', 'location', 'channel', 'expected', 'result'], ...style() });
  for (const r of rows) {
    const result =
      r.outcome === 'pushed'
        ? `push queued (version ${r.version})`
        : r.outcome === 'other_location'
          ? 'not pushed here: move or remove by hand'
          : r.outcome === 'unknown'
            ? 'no ids of this connector (product not learned)'
            : `not in the channel${r.version ? `; push queued (version ${r.version})` : ''}`;
    table.push([r.sku, r.location ?? '-', r.channelValue ?? '-', r.expected, result]);
  }
  return table.toString();
}

export function varianceTable(rows: readonly DriftView[]): string {
  const table = new Table({ head: ['id', 'connector', 'sku', 'location', 'ledger', 'counted', 'delta', 'first seen', 'run', 'status'], ...style() });
  for (const v of rows) table.push([v.id, v.connectorId, v.sku, v.location, v.expected, v.channelValue, v.delta, v.firstSeen, v.runId, v.action]);
  return table.toString();
}
