// The reconciliation panel: connectors with "run now", recent runs, the drift of a selected run,
// and warehouse variances waiting for approval.
import { api, attempt, can, fillTable, flash, fmtPct, fmtTime, h, timeChart } from './lib.js';

const $ = (id) => document.getElementById(id);
let selectedRun = null;
let polling = false;

const fmtMs = (ms) => (ms === null || ms === undefined ? '–' : ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);
const stockKind = (c) => c.kinds.find((k) => k === 'stock' || k === 'warehouse');

/** Loads the whole panel; the drift of the selected run stays open. */
export async function showReconciliation() {
  const [{ connectors }, { items: runs }, { items: variances }, { items: stockRuns }] = await Promise.all([
    api('GET', '/reconcile/connectors'),
    api('GET', '/reconcile/runs?limit=25'),
    api('GET', '/variances'),
    api('GET', '/reconcile/runs?kind=stock&status=completed&limit=200'),
  ]);
  renderConnectors(connectors, runs);
  renderTrends(connectors, stockRuns);
  renderRuns(runs);
  renderVariances(variances);
  if (selectedRun !== null) await showRun(selectedRun);
}

function renderConnectors(connectors, runs) {
  const latest = (id, kind) => runs.find((r) => r.connectorId === id && r.kind === kind && r.status === 'completed');
  const start = (c) =>
    attempt(async () => {
      const kind = stockKind(c);
      const top = runs[0]?.id ?? 0;
      const started = await api('POST', `/reconcile/connectors/${encodeURIComponent(c.id)}/runs`, { kind });
      flash(`${c.id}: ${kind} reconciliation ${started.deduplicated ? 'already queued' : 'queued'} (job ${started.jobId})`);
      await follow(c.id, top);
    });
  fillTable(
    $('rc-connectors'),
    [
      { label: 'Connector', cell: (c) => [h('strong', {}, c.id), h('div', { class: 'muted' }, c.type)] },
      { label: 'Can reconcile', cell: (c) => c.kinds.join(', ') },
      { label: 'Last stock accuracy', num: true, cell: (c) => fmtPct(latest(c.id, stockKind(c))?.accuracy) },
      {
        label: 'Unmapped',
        num: true,
        // Unmapped items are never compared: accuracy cannot see them, so they are shown loud.
        cell: (c) => {
          const n = latest(c.id, stockKind(c))?.counts.unmapped ?? 0;
          return n > 0 ? h('span', { class: 'badge unhealthy', title: 'channel items no hub SKU maps to: not compared' }, `${n} unmapped`) : '0';
        },
      },
      {
        label: '',
        cell: (c) =>
          stockKind(c) && can('operator') ? h('button', { type: 'button', class: 'secondary', onclick: () => start(c) }, 'Run stock reconciliation') : null,
      },
    ],
    connectors,
    (c) => ({ dataset: { connector: c.id } }),
  );
  $('rc-no-connectors').hidden = connectors.length > 0;
}

/** Accuracy and drift of completed stock runs over time, one pair of charts per connector (its channel). */
function renderTrends(connectors, stockRuns) {
  const charts = [];
  for (const c of connectors.filter((x) => x.kinds.includes('stock'))) {
    const runs = stockRuns.filter((r) => r.connectorId === c.id).reverse();
    if (runs.length === 0) continue;
    const times = runs.map((r) => Date.parse(r.finishedAt ?? r.startedAt));
    const label = `${c.channel ?? c.id} (${c.id})`;
    charts.push(
      h(
        'section',
        { class: 'queue-charts', dataset: { trend: c.id } },
        h('h3', {}, `Channel ${label}`),
        timeChart({
          title: 'Stock accuracy per run',
          unit: '%',
          times,
          max: 100,
          format: (v) => `${Math.round(v)}`,
          series: [
            {
              label: 'checked SKUs matching the ledger (gap: nothing checked)',
              cls: 'series-a',
              dots: true,
              values: runs.map((r) => (r.accuracy === null ? null : r.accuracy * 100)),
            },
          ],
        }),
        timeChart({
          title: 'Drift and unmapped per run',
          unit: 'SKUs',
          times,
          series: [
            { label: 'drifted', cls: 'series-c', dots: true, values: runs.map((r) => r.counts.drifted) },
            { label: 'unmapped', cls: 'series-b', dots: true, values: runs.map((r) => r.counts.unmapped) },
          ],
        }),
      ),
    );
  }
  $('rc-trends').replaceChildren(...charts);
  $('rc-no-trends').hidden = charts.length > 0;
}

/** Re-reads the panel every half second until the connector has a run newer than `after` that has finished (at most a minute). */
async function follow(connectorId, after) {
  if (polling) return;
  polling = true;
  try {
    for (let i = 0; i < 120 && !$('view-reconcile').hidden; i++) {
      await showReconciliation();
      const { items } = await api('GET', `/reconcile/runs?connector=${encodeURIComponent(connectorId)}&limit=1`);
      if (items[0] && items[0].id > after && items[0].status !== 'running') return;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    polling = false;
  }
}

function renderRuns(runs) {
  fillTable(
    $('rc-runs'),
    [
      { label: 'Run', num: true, cell: (r) => r.id },
      { label: 'Connector', cell: (r) => r.connectorId },
      { label: 'Kind', cell: (r) => r.kind },
      { label: 'Trigger', cell: (r) => r.trigger },
      {
        label: 'Status',
        cell: (r) => [
          h('span', { class: `badge ${r.status === 'completed' ? 'ok' : r.status === 'failed' ? 'unhealthy' : 'degraded'}` }, r.status),
          r.error ? h('div', { class: 'muted' }, r.error) : null,
        ],
      },
      { label: 'Started', cell: (r) => fmtTime(r.startedAt) },
      { label: 'Accuracy', num: true, cell: (r) => (r.status === 'completed' ? fmtPct(r.accuracy) : '–') },
      { label: 'Checked', num: true, cell: (r) => r.counts.checked },
      { label: 'Unmapped', num: true, cell: (r) => (r.counts.unmapped > 0 ? h('strong', { class: 'warn' }, r.counts.unmapped) : 0) },
      { label: 'Drifted', num: true, cell: (r) => r.counts.drifted },
      { label: 'Healed', num: true, cell: (r) => r.counts.healed },
      { label: 'Flagged', num: true, cell: (r) => r.counts.flagged },
      { label: 'Duration', num: true, cell: (r) => fmtMs(r.durationMs) },
    ],
    runs,
    (r) => ({ class: `clickable${r.id === selectedRun ? ' selected' : ''}`, dataset: { run: r.id }, onclick: () => attempt(() => showRun(r.id)) }),
  );
}

/** The drift rows (stock, warehouse) or order issues of one run. */
async function showRun(id) {
  selectedRun = id;
  for (const row of document.querySelectorAll('#rc-runs tr')) row.classList.toggle('selected', row.dataset.run === String(id));
  const run = await api('GET', `/reconcile/runs/${id}`);
  const table = h('table', { class: 'grid', id: 'rc-drift' });
  let shown;
  if (run.kind === 'orders') {
    const { items } = await api('GET', `/reconcile/runs/${id}/order-issues`);
    shown = items.length;
    fillTable(
      table,
      [
        { label: 'Order', cell: (o) => `${o.channel} / ${o.externalOrderId}${o.orderNumber ? ` (${o.orderNumber})` : ''}` },
        { label: 'Issue', cell: (o) => o.issue },
        { label: 'Channel version', cell: (o) => o.channelVersion ?? '–' },
        { label: 'Hub version / status', cell: (o) => `${o.hubVersion ?? '–'} / ${o.hubStatus ?? '–'}` },
        { label: 'Action', cell: (o) => o.action },
      ],
      items,
    );
  } else {
    const { items } = await api('GET', `/reconcile/runs/${id}/drift?limit=500`);
    shown = items.length;
    fillTable(
      table,
      [
        { label: 'SKU', cell: (d) => d.sku },
        { label: 'Location', cell: (d) => [d.location, d.externalLocation !== d.location ? h('div', { class: 'muted' }, d.externalLocation) : null] },
        { label: run.kind === 'warehouse' ? 'Counted onHand' : 'Channel available', num: true, cell: (d) => d.channelValue },
        { label: 'Ledger', num: true, cell: (d) => d.expected },
        { label: 'Delta', num: true, cell: (d) => (d.delta > 0 ? `+${d.delta}` : d.delta) },
        { label: 'Action', cell: (d) => d.action },
        { label: 'First seen', cell: (d) => fmtTime(d.firstSeen) },
      ],
      items,
      (d) => ({ dataset: { sku: d.sku } }),
    );
  }
  const what = run.kind === 'orders' ? 'order issues' : 'drift rows';
  $('rc-detail').replaceChildren(
    h('h3', {}, `Run ${run.id} · ${run.connectorId} · ${run.kind} · ${shown === 0 ? `no ${what}` : `${shown}${shown === 500 ? '+' : ''} ${what}`}`),
    shown ? table : null,
  );
  $('rc-detail').hidden = false;
}

function renderVariances(variances) {
  const operator = can('operator');
  const decide = (v, verb, reasonInput) =>
    attempt(async () => {
      const body = verb === 'reject' ? { reason: reasonInput.value } : {};
      const decided = await api('POST', `/variances/${v.id}/${verb}`, body);
      flash(`Variance ${v.id} (${v.sku}): ${decided.action}`);
      await showReconciliation();
    });
  const actions = (v) => {
    if (!operator) return null;
    const reason = h('input', { placeholder: 'reason to reject', 'aria-label': `reason to reject variance ${v.id}` });
    return h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: () => decide(v, 'approve') }, 'Approve'),
      reason,
      h('button', { type: 'button', class: 'danger', onclick: () => decide(v, 'reject', reason) }, 'Reject'),
    );
  };
  fillTable(
    $('rc-variances'),
    [
      { label: 'Id', num: true, cell: (v) => v.id },
      { label: 'Connector', cell: (v) => v.connectorId },
      { label: 'SKU', cell: (v) => v.sku },
      { label: 'Location', cell: (v) => v.location },
      { label: 'Ledger', num: true, cell: (v) => v.expected },
      { label: 'Counted', num: true, cell: (v) => v.channelValue },
      { label: 'Delta', num: true, cell: (v) => (v.delta > 0 ? `+${v.delta}` : v.delta) },
      { label: 'Counted at', cell: (v) => fmtTime(v.countedAt ?? v.firstSeen) },
      { label: '', cell: actions },
    ],
    variances,
    (v) => ({ dataset: { variance: v.id } }),
  );
  $('rc-no-variances').hidden = variances.length > 0;
}
