// The dead-letter browser: filters, pages, the full entry with its payload, edit, replay and discard.
import { api, attempt, can, fillTable, flash, fmtTime, h } from './lib.js';

const $ = (id) => document.getElementById(id);
let items = [];
let nextBefore = null;

function query(before) {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($('dl-filters'))) if (String(v).trim()) params.set(k, String(v).trim());
  params.set('limit', '50');
  if (before) params.set('before', String(before));
  return `/dead-letters?${params}`;
}

/** Loads the first page for the current filters, or the next page when `more`. */
export async function showDeadLetters(more = false) {
  const page = await api('GET', query(more ? nextBefore : null));
  items = more ? items.concat(page.items) : page.items;
  nextBefore = page.nextBefore;
  $('dl-count').textContent = `${items.length} of ${page.total} shown`;
  $('dl-more').hidden = !nextBefore;
  fillTable(
    $('dl-table'),
    [
      { label: 'Id', num: true, cell: (d) => d.id },
      { label: 'Stored', cell: (d) => fmtTime(d.createdAt) },
      { label: 'Connector', cell: (d) => d.connectorId ?? '–' },
      { label: 'Step', cell: (d) => d.step },
      { label: 'Error', cell: (d) => [d.errorCode, h('div', { class: 'muted' }, d.errorClass)] },
      { label: 'Event', cell: (d) => d.eventType ?? '–' },
      { label: 'Message', cls: 'message', cell: (d) => d.message },
      { label: 'Status', cell: (d) => d.status },
    ],
    items,
    (d) => ({ class: 'clickable', dataset: { id: d.id }, onclick: () => attempt(() => showDetail(d.id)) }),
  );
}

async function showDetail(id, unmask = false) {
  // Personal data comes masked; an operator may unmask it (the API audits each unmasking).
  const d = await api('GET', `/dead-letters/${id}${unmask ? '?unmask=true' : ''}`);
  for (const row of document.querySelectorAll('#dl-table tr')) row.classList.toggle('selected', row.dataset.id === String(id));
  const payload = h('textarea', { id: 'dl-payload', spellcheck: 'false', 'aria-label': 'payload' });
  payload.value = JSON.stringify(d.payload, null, 2);
  const result = h('p', { id: 'dl-result', class: 'muted' });
  const reason = h('input', { id: 'dl-reason', placeholder: 'reason to discard' });
  const operator = can('operator') && d.status === 'open';
  const run = (label, body) => attempt(async () => {
    const { results } = await api('POST', `/dead-letters/${id}/replay`, body);
    const r = results[0];
    result.textContent = `${label}: ${r.verdict}${r.message ? ` — ${r.message}` : ''}${r.plan ? ` — ${r.plan.map((p) => `${p.eventId}: ${p.status}`).join(', ')}` : ''}`;
    if (r.verdict === 'requeued') await done(`Dead letter ${id} replayed`);
  });
  const edited = () => payload.value;
  const facts = [
    ['Connector', d.connectorId ?? '–'],
    ['Step / queue', `${d.step} / ${d.queue}`],
    ['Error', `${d.errorClass} / ${d.errorCode}: ${d.message}`],
    ['Event', d.eventType ?? '–'],
    ['Orders / SKUs', [...d.orderKeys, ...d.skus].join(', ') || '–'],
    ['First failed', fmtTime(d.firstFailedAt)],
    ['Attempts', d.attempts.map((a) => `#${a.attempt} ${fmtTime(a.at)} ${a.code}: ${a.message}`).join('\n')],
    ...(d.resolvedAt ? [['Resolved', `${fmtTime(d.resolvedAt)} by ${d.resolvedBy}: ${JSON.stringify(d.resolution)}`]] : []),
  ];
  const discard = () => attempt(async () => {
    const { discarded } = await api('POST', `/dead-letters/${id}/discard`, { reason: reason.value });
    if (discarded.length) await done(`Dead letter ${id} discarded`);
    else result.textContent = 'Not discarded: it is no longer open';
  });
  const actions = h(
    'div',
    { class: 'actions' },
    unmask ? null : h('button', { type: 'button', class: 'secondary', id: 'dl-unmask', onclick: () => attempt(() => showDetail(id, true)) }, 'Show personal data (audited)'),
    h('button', { type: 'button', class: 'secondary', id: 'dl-dry-run', onclick: () => run('Dry run', { dryRun: true, payload: edited() }) }, 'Dry run'),
    h('button', { type: 'button', id: 'dl-replay', onclick: () => run('Replay', {}) }, 'Replay'),
    h('button', { type: 'button', id: 'dl-replay-edited', onclick: () => run('Replay with edits', { payload: edited() }) }, 'Replay with edits'),
    reason,
    h('button', { type: 'button', class: 'danger', id: 'dl-discard', onclick: discard }, 'Discard'),
  );
  $('dl-detail').replaceChildren(
    h(
      'div',
      {},
      h('h3', {}, `Dead letter ${d.id} · ${d.status}`),
      h('dl', {}, facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      h('label', { for: 'dl-payload' }, 'Payload (edit it, then "Replay with edits")'),
      payload,
      d.event ? h('details', {}, h('summary', {}, 'Canonical event'), h('pre', {}, JSON.stringify(d.event, null, 2))) : null,
      operator ? actions : null,
      result,
    ),
  );
  $('dl-detail').hidden = false;
}

async function done(message) {
  flash(message);
  $('dl-detail').hidden = true;
  await showDeadLetters();
}

$('dl-filters').addEventListener('submit', (e) => {
  e.preventDefault();
  $('dl-detail').hidden = true;
  void attempt(() => showDeadLetters());
});
$('dl-more').addEventListener('click', () => void attempt(() => showDeadLetters(true)));
