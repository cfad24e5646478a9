// The operations dashboard: login, queue health, dead letters, connectors, reconciliation, SKU and order lookup, audit.
import { api, attempt, can, fillTable, flash, fmtAge, fmtPct, fmtTime, h, hooks, queueCharts, session } from './lib.js';
import { showDeadLetters } from './dead-letters.js';
import { showReconciliation } from './reconcile.js';

const $ = (id) => document.getElementById(id);
const VIEWS = ['overview', 'dead-letters', 'connectors', 'reconcile', 'inventory', 'orders', 'audit'];
let refreshTimer;

async function login(event) {
  event.preventDefault();
  const token = $('login-token').value.trim();
  try {
    const who = await api('POST', '/session', undefined, token);
    session.save(token, who);
    $('login-token').value = '';
    $('login-error').textContent = '';
    start();
  } catch (err) {
    $('login-error').textContent = err.status === 401 ? 'That token is not valid.' : err.message;
  }
}

async function logout() {
  if (session.token) await api('DELETE', '/session').catch(() => undefined);
  session.clear();
  clearInterval(refreshTimer);
  $('app').hidden = true;
  $('login').hidden = false;
}

function start() {
  $('login').hidden = true;
  $('app').hidden = false;
  $('whoami').textContent = `${session.who.name} (${session.who.role})`;
  $('bull-board-link').hidden = !can('operator');
  clearInterval(refreshTimer);
  refreshTimer = setInterval(() => void render(true), 10_000);
  void render();
}

function currentView() {
  const v = location.hash.slice(1);
  return VIEWS.includes(v) ? v : 'overview';
}

/** Shows the current view; the periodic refresh leaves views the user works in (lists, lookups) alone. */
async function render(periodic = false) {
  const view = currentView();
  for (const v of VIEWS) $(`view-${v}`).hidden = v !== view;
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.view === view);
  await attempt(renderAlerts);
  if (view === 'overview') await attempt(renderOverview);
  if (view === 'connectors') await attempt(renderConnectors);
  if (view === 'reconcile') await attempt(showReconciliation);
  if (periodic) return;
  if (view === 'dead-letters') await attempt(() => showDeadLetters());
  if (view === 'audit') await attempt(renderAudit);
}

async function renderAlerts() {
  const { active } = await api('GET', '/alerts');
  const box = $('alerts');
  box.hidden = active.length === 0;
  box.replaceChildren(...active.map((a) => h('div', {}, h('strong', {}, `${a.rule} · ${a.subject}`), ` — ${a.message} (since ${fmtTime(a.since)})`)));
}

async function renderOverview() {
  const [{ queues }, history] = await Promise.all([api('GET', '/queues'), api('GET', '/queues/history')]);
  fillTable(
    $('queues-table'),
    [
      { label: 'Queue', cell: (q) => [q.name, q.paused ? h('span', { class: 'badge paused' }, ' paused') : null] },
      { label: 'Waiting', num: true, cell: (q) => q.waiting },
      { label: 'Active', num: true, cell: (q) => q.active },
      { label: 'Delayed', num: true, cell: (q) => q.delayed },
      { label: 'Failed', num: true, cell: (q) => q.failed },
      { label: 'Done / min', num: true, cell: (q) => q.completedPerMinute },
      { label: 'Oldest waiting', num: true, cell: (q) => fmtAge(q.oldestWaitingAgeSeconds) },
      { label: 'Last completed', cell: (q) => fmtTime(q.lastCompletedAt) },
    ],
    queues,
    (q) => ({ dataset: { queue: q.name } }),
  );
  $('history-note').textContent = `sampled every ${history.intervalMs / 1000} s by this API process; Prometheus keeps the long history`;
  $('charts').replaceChildren(...history.queues.map((q) => queueCharts(q.name, q.points, history.intervalMs)));
}

async function renderConnectors() {
  const { connectors } = await api('GET', '/connectors');
  const toggle = (c) =>
    c.paused === null || !can('operator')
      ? null
      : h(
          'button',
          {
            class: 'secondary',
            type: 'button',
            onclick: () =>
              attempt(async () => {
                await api('POST', `/connectors/${encodeURIComponent(c.id)}/${c.paused ? 'resume' : 'pause'}`);
                flash(`${c.id} ${c.paused ? 'resumed' : 'paused'}`);
                await renderConnectors();
              }),
          },
          c.paused ? 'Resume' : 'Pause',
        );
  fillTable(
    $('connectors-table'),
    [
      { label: 'Connector', cell: (c) => [h('strong', {}, c.id), h('div', { class: 'muted' }, `${c.type} · ${c.category}`)] },
      {
        label: 'Status',
        cell: (c) => [h('span', { class: `badge ${c.status}` }, c.status), c.statusReason ? h('div', { class: 'muted' }, c.statusReason) : null],
      },
      { label: 'Last success', cell: (c) => fmtTime(c.lastSuccessAt) },
      { label: `Error rate (${connectors[0]?.windowMinutes ?? 60} min)`, num: true, cell: (c) => fmtPct(c.errorRate) },
      { label: 'Open dead letters', num: true, cell: (c) => c.openDeadLetters },
      { label: 'Budgets left', cell: budgetCell },
      { label: '', cell: (c) => h('div', { class: 'actions' }, toggle(c), onboarding(c)) },
    ],
    connectors,
    (c) => ({ dataset: { connector: c.id } }),
  );
}

// Per-hour and per-day limits of the connector's API: what is left in the rolling window, and
// changes waiting for their slot. A per-SKU budget shows its most spent listing.
function budgetCell(c) {
  if (!c.budgets?.length) return h('span', { class: 'muted' }, '—');
  const window = (ms) => (ms % 86_400_000 === 0 ? `${ms / 86_400_000} d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`);
  const rows = c.budgets.map((b) =>
    h(
      'div',
      { class: b.tracked && b.remaining === 0 ? 'budget spent' : 'budget', title: `${b.operation} · ${b.doc}` },
      h('strong', {}, b.name),
      ' ',
      b.tracked ? `${b.remaining} of ${b.max} left / ${window(b.windowMs)}` : `${b.max} / ${window(b.windowMs)} (not counted)`,
      b.per === 'sku' && b.sku ? h('span', { class: 'muted' }, ` (most spent: ${b.sku})`) : null,
    ),
  );
  if (c.heldChanges > 0) rows.push(h('div', { class: 'muted' }, `${c.heldChanges} change(s) waiting for budget`));
  return rows;
}

/** "Check" (operators) probes the connector; "Set up" (admins) onboards its store. Both report in the card below the table. */
function onboarding(c) {
  if (c.status === 'disabled' || !can('operator')) return null;
  const out = $('connector-result');
  const show = (title, lines) => {
    out.replaceChildren(h('h3', {}, title), ...lines.map((l) => h('p', { class: l.bad ? 'error' : undefined }, l.text)));
    out.hidden = false;
  };
  const check = () =>
    attempt(async () => {
      const r = await api('POST', `/connectors/${encodeURIComponent(c.id)}/check`);
      show(`${c.id}: check`, [{ text: `${r.ok ? 'ok' : 'failed'}: ${r.message}`, bad: !r.ok }]);
    });
  const setup = () =>
    attempt(async () => {
      show(`${c.id}: setting up…`, [{ text: 'Reading the catalogue through the bulk export, then the levels; this can take a while for a large shop.' }]);
      const r = await api('POST', `/connectors/${encodeURIComponent(c.id)}/setup`);
      const lines = [];
      if (r.check) lines.push({ text: `check: ${r.check.ok ? 'ok' : 'failed'}: ${r.check.message}`, bad: !r.check.ok });
      if (r.catalogue)
        lines.push({
          text: `catalogue: ${r.catalogue.deliveries} product(s) read, ${r.catalogue.recorded} recorded, ${r.catalogue.unchanged} unchanged; ${r.catalogue.applied ? 'applied' : 'still waiting for the workers'}`,
          bad: !r.catalogue.applied,
        });
      if (r.levels)
        lines.push({
          text: `levels: ${r.levels.checked} SKU(s) compared, ${r.levels.drifted} differ, ${r.levels.unmapped} unmapped — review run #${r.levels.runId} under Reconciliation (nothing was healed)`,
        });
      if (r.webhooks)
        lines.push({
          text: `webhooks at ${r.webhooks.url}: ${r.webhooks.registrations.map((w) => `${w.topic} ${w.status}${w.message ? ` (${w.message})` : ''}`).join(', ')}`,
          bad: r.webhooks.registrations.some((w) => w.status === 'failed'),
        });
      if (r.outboundPaused)
        lines.push({ text: 'outbound pushes are PAUSED until you have reviewed the levels: bring the ledger in line, then press Resume', bad: true });
      for (const n of r.notes) lines.push({ text: `note: ${n}` });
      show(`${c.id}: setup done`, lines);
      await renderConnectors();
    });
  return [
    h('button', { type: 'button', class: 'secondary', dataset: { action: 'check' }, onclick: check }, 'Check'),
    can('admin') ? h('button', { type: 'button', class: 'secondary', dataset: { action: 'setup' }, onclick: setup }, 'Set up') : null,
  ];
}

async function lookupSku(event) {
  event.preventDefault();
  const sku = new FormData(event.target).get('sku').trim();
  await attempt(async () => {
    const inv = await api('GET', `/inventory/${encodeURIComponent(sku)}`);
    const balances = h('table', { class: 'grid' });
    fillTable(
      balances,
      ['location', 'onHand', 'allocated', 'inTransit', 'quarantined', 'returned', 'available'].map((k, i) => ({ label: k, num: i > 0, cell: (b) => b[k] })),
      inv.locations,
    );
    const ats = h('table', { class: 'grid' });
    // The channel's own last count (a Shopify `available` can be below zero: oversold), beside the ledger's figure.
    const reported = (a) =>
      (a.reported ?? []).map((r) =>
        h('div', {}, `${r.quantity} ${r.figure} `, h('span', { class: 'muted' }, `${r.connector} @ ${r.location}, ${fmtTime(r.reportedAt)}`)),
      );
    fillTable(
      ats,
      [
        { label: 'Channel', cell: (a) => a.channel },
        { label: 'availableToSell', num: true, cell: (a) => a.available },
        { label: 'Channel reported', cell: (a) => (a.reported?.length ? reported(a) : '–') },
      ],
      inv.availableToSell,
    );
    $('sku-result').replaceChildren(
      h('p', {}, h('strong', {}, inv.sku), inv.known ? ` ${inv.title}` : ' — the ledger has never seen this SKU'),
      h('h2', {}, 'Balances per location'),
      balances,
      h('h2', {}, 'Available to sell per channel'),
      ats,
    );
  });
}

async function lookupOrder(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const channel = form.get('channel').trim();
  await attempt(async () => {
    const {
      order,
      history,
      hops = [],
    } = await api('GET', `/orders/${encodeURIComponent(form.get('ref').trim())}${channel ? `?channel=${encodeURIComponent(channel)}` : ''}`);
    const lines = h('table', { class: 'grid' });
    fillTable(
      lines,
      [
        { label: 'Line', cell: (l) => l.externalLineId },
        { label: 'SKU', cell: (l) => l.sku ?? `unmapped: ${l.unmappedReason}` },
        { label: 'Qty', num: true, cell: (l) => l.quantity },
        {
          label: 'Allocated / shipped / backordered',
          cell: (l) =>
            l.items
              .map((i) => `${i.sku}: ${i.allocations.map((a) => `${a.quantity}@${a.location}`).join(', ') || '0'} / ${i.shipped} / ${i.backordered}`)
              .join('; '),
        },
      ],
      order.lines,
    );
    // The order-to-cash hops: when, through which connector, under which external id.
    const flow = h('table', { class: 'grid' });
    fillTable(
      flow,
      [
        { label: 'When', cell: (x) => fmtTime(x.at) },
        { label: 'Hop', cell: (x) => x.hop },
        { label: 'About', cell: (x) => x.ref },
        { label: 'Connector', cell: (x) => x.connector ?? '' },
        { label: 'External id', cell: (x) => x.externalId ?? '' },
        { label: 'Detail', cls: 'message', cell: (x) => x.detail ?? '' },
      ],
      hops,
    );
    const events = h('table', { class: 'grid' });
    fillTable(
      events,
      [
        { label: 'When', cell: (e) => fmtTime(e.at) },
        { label: 'Kind', cell: (e) => e.kind },
        { label: 'Event', cell: (e) => [e.eventType ?? '', e.connector ? h('div', { class: 'muted' }, e.connector) : null] },
        { label: 'What', cls: 'message', cell: (e) => e.summary },
      ],
      history,
    );
    $('order-result').replaceChildren(
      h('p', {}, h('strong', {}, `${order.channel} / ${order.externalOrderId} (${order.orderNumber})`), ` ${order.status}, placed ${fmtTime(order.placedAt)}`),
      lines,
      h('h2', {}, 'Order to cash'),
      hops.length ? flow : h('p', { class: 'muted' }, 'no hops recorded'),
      h('h2', {}, 'History'),
      events,
    );
  });
}

async function renderAudit() {
  const { items } = await api('GET', '/audit?limit=100');
  fillTable(
    $('audit-table'),
    [
      { label: 'When', cell: (a) => fmtTime(a.at) },
      { label: 'Who', cell: (a) => a.actor },
      { label: 'Action', cell: (a) => a.action },
      { label: 'Target', cell: (a) => a.target ?? '' },
      {
        label: 'Outcome',
        cell: (a) =>
          h(
            'span',
            { class: `badge ${a.outcome === 'ok' ? 'ok' : a.outcome === 'refused' ? 'degraded' : a.outcome === 'failed' ? 'unhealthy' : ''}` },
            a.outcome,
          ),
      },
      { label: 'Details', cls: 'message', cell: (a) => JSON.stringify(a.details) },
    ],
    items,
  );
}

hooks.unauthorized = logout;
$('login-form').addEventListener('submit', (e) => void login(e));
$('logout').addEventListener('click', () => void logout());
$('sku-form').addEventListener('submit', (e) => void lookupSku(e));
$('order-form').addEventListener('submit', (e) => void lookupOrder(e));
window.addEventListener('hashchange', () => void render());
if (session.token) start();
else $('login').hidden = false;
