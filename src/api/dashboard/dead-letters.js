// The dead-letter workbench: causes grouped with counts, free-text search, the same order's
// repeated failure collapsed, selection (some or all matching) with a bulk dry run before the bulk
// replay, bulk discard, and one entry in full with its payload, notes, replay and discard.
import { api, attempt, can, fillTable, flash, fmtTime, h } from './lib.js';

const $ = (id) => document.getElementById(id);
let items = [];
let nextBefore = null;
let total = 0;
/** Ids ticked, or `all` for every open entry matching the filters. */
let selection = new Set();
let allMatching = false;
/** What the last dry run covered; replay is offered for exactly that selection. */
let dryRunOf = null;

function filters() {
  const out = {};
  for (const [k, v] of new FormData($('dl-filters'))) if (typeof v === 'string' && v.trim()) out[k] = v.trim();
  return out;
}

function query(before) {
  const params = new URLSearchParams(filters());
  params.set('limit', '50');
  if (before) params.set('before', String(before));
  return `/dead-letters?${params}`;
}

const selectionKey = () => (allMatching ? `all:${JSON.stringify(filters())}` : [...selection].sort((a, b) => a - b).join(','));

/** Loads the groups and the first page for the current filters, or the next page when `more`. */
export async function showDeadLetters(more = false) {
  const { status: _s, ...groupFilter } = filters();
  const [page, { groups }] = await Promise.all([
    api('GET', query(more ? nextBefore : null)),
    more ? { groups: null } : api('GET', `/dead-letter-groups?${new URLSearchParams(groupFilter)}`),
  ]);
  items = more ? items.concat(page.items) : page.items;
  nextBefore = page.nextBefore;
  total = page.total;
  if (!more) {
    selection = new Set();
    allMatching = false;
    dryRunOf = null;
    renderGroups(groups);
  }
  $('dl-count').textContent = `${items.length} of ${total} shown`;
  $('dl-more').hidden = !nextBefore;
  renderTable();
  renderBulk();
}

function renderGroups(groups) {
  const pick = (g) =>
    attempt(async () => {
      const form = $('dl-filters');
      form.elements.namedItem('error').value = g.errorCode;
      form.elements.namedItem('connector').value = g.connectorId ?? '';
      form.elements.namedItem('step').value = g.step;
      await showDeadLetters();
    });
  fillTable(
    $('dl-groups'),
    [
      { label: 'Cause', cell: (g) => [h('strong', {}, g.errorCode), h('div', { class: 'muted' }, `${g.connectorId ?? 'no connector'} · ${g.step}`)] },
      { label: 'Open', num: true, cell: (g) => g.count },
      { label: 'Orders', num: true, cell: (g) => g.orders },
      { label: 'Latest', cell: (g) => fmtTime(g.latestAt) },
      { label: 'Example', cls: 'message', cell: (g) => g.example },
      { label: '', cell: (g) => h('button', { type: 'button', class: 'secondary', onclick: () => pick(g) }, 'Show these') },
    ],
    groups,
    (g) => ({ dataset: { group: `${g.errorCode}|${g.connectorId ?? ''}|${g.step}` } }),
  );
  $('dl-no-groups').hidden = groups.length > 0;
}

/** The page's entries, the same order's repeated failure (same order, code and connector) folded into one row. */
function collapsed() {
  const rows = [];
  const byKey = new Map();
  for (const d of items) {
    const order = d.orderKeys[0];
    const key = order ? `${order}|${d.errorCode}|${d.connectorId ?? ''}` : null;
    const row = key ? byKey.get(key) : undefined;
    if (row) row.repeats.push(d);
    else {
      const fresh = { ...d, repeats: [] };
      rows.push(fresh);
      if (key) byKey.set(key, fresh);
    }
  }
  return rows;
}

function renderTable() {
  const operator = can('operator');
  const tick = (d) => {
    const ids = [d.id, ...d.repeats.map((r) => r.id)];
    return h('input', {
      type: 'checkbox',
      'aria-label': `select dead letter ${d.id}`,
      checked: allMatching || ids.every((id) => selection.has(id)),
      disabled: allMatching || d.status !== 'open',
      onchange: (e) => {
        for (const id of ids) {
          if (e.target.checked) selection.add(id);
          else selection.delete(id);
        }
        renderBulk();
      },
    });
  };
  fillTable(
    $('dl-table'),
    [
      ...(operator ? [{ label: '', cell: tick }] : []),
      { label: 'Id', num: true, cell: (d) => d.id },
      { label: 'Stored', cell: (d) => fmtTime(d.createdAt) },
      { label: 'Connector', cell: (d) => d.connectorId ?? '–' },
      { label: 'Step', cell: (d) => d.step },
      { label: 'Error', cell: (d) => [d.errorCode, h('div', { class: 'muted' }, d.errorClass)] },
      {
        label: 'Order / SKU',
        cell: (d) => [
          d.orderKeys[0] ?? d.skus[0] ?? '–',
          d.repeats.length ? h('span', { class: 'badge degraded', title: 'the same order failed the same way again' }, ` ×${d.repeats.length + 1}`) : null,
        ],
      },
      { label: 'Message', cls: 'message', cell: (d) => [d.message, d.notes ? h('div', { class: 'muted' }, `${d.notes} note(s)`) : null] },
      { label: 'Status', cell: (d) => d.status },
    ],
    collapsed(),
    (d) => ({ class: 'clickable', dataset: { id: d.id }, onclick: (e) => e.target.tagName !== 'INPUT' && attempt(() => showDetail(d.id)) }),
  );
}

function target() {
  if (allMatching) {
    const { status: _s, ...filter } = filters();
    return { filter };
  }
  return { ids: [...selection] };
}

/** The bulk bar: select all matching, dry run, replay (only after a dry run of this very selection), discard. */
function renderBulk() {
  const bar = $('dl-bulk');
  if (!can('operator')) return void (bar.hidden = true);
  const { status: _s, ...filter } = filters();
  const filtered = Object.keys(filter).length > 0;
  const count = allMatching ? total : selection.size;
  const dryRan = dryRunOf === selectionKey() && count > 0;
  const reason = h('input', { id: 'dl-bulk-reason', placeholder: 'reason to discard', 'aria-label': 'reason to discard the selection' });
  bar.replaceChildren(
    h(
      'label',
      {},
      h('input', {
        type: 'checkbox',
        id: 'dl-all-matching',
        checked: allMatching,
        disabled: !filtered,
        title: filtered ? '' : 'filter first: "all matching" needs at least one filter',
        onchange: (e) => {
          allMatching = e.target.checked;
          dryRunOf = null;
          renderTable();
          renderBulk();
        },
      }),
      ` all ${total} matching`,
    ),
    h('span', { class: 'muted', id: 'dl-selected' }, `${count} selected`),
    h('button', { type: 'button', class: 'secondary', id: 'dl-bulk-dry-run', disabled: count === 0, onclick: () => bulkReplay(true) }, 'Dry run'),
    h(
      'button',
      {
        type: 'button',
        id: 'dl-bulk-replay',
        disabled: !dryRan,
        title: dryRan ? '' : 'run a dry run of this selection first',
        onclick: () => bulkReplay(false),
      },
      'Replay',
    ),
    reason,
    h('button', { type: 'button', class: 'danger', id: 'dl-bulk-discard', disabled: count === 0, onclick: () => bulkDiscard(reason.value) }, 'Discard'),
  );
  bar.hidden = false;
}

/** A dry run lists what each entry would do, with the ledger movements and order changes of its events. */
function planLines(results) {
  return results.flatMap((r) => [
    h(
      'li',
      { dataset: { id: r.id } },
      h('strong', {}, `${r.id}: ${r.verdict}`),
      r.message ? ` — ${r.message}` : '',
      ...(r.plan ?? []).map((p) =>
        h(
          'ul',
          {},
          h('li', {}, `event ${p.eventId}: ${p.status}${p.message ? ` (${p.message})` : ''}`),
          ...p.movements.map((m) => h('li', { class: 'movement' }, `${m.delta > 0 ? '+' : ''}${m.delta} ${m.sku} ${m.state} at ${m.location} (${m.reason})`)),
          ...p.orderChanges.map((c) => h('li', {}, `order ${c.channel}/${c.externalOrderId}: ${c.from ?? 'new'} → ${c.to}`)),
        ),
      ),
    ),
  ]);
}

async function bulkReplay(dryRun) {
  await attempt(async () => {
    const key = selectionKey();
    const { results } = await api('POST', '/dead-letters/replay', { ...target(), dryRun });
    const out = $('dl-bulk-result');
    const tally = Object.entries(results.reduce((a, r) => ({ ...a, [r.verdict]: (a[r.verdict] ?? 0) + 1 }), {}))
      .map(([v, n]) => `${n} ${v}`)
      .join(', ');
    out.replaceChildren(h('h3', {}, `${dryRun ? 'Dry run' : 'Replay'}: ${tally || 'nothing to do'}`), h('ul', { class: 'plan' }, planLines(results)));
    out.hidden = false;
    if (dryRun) {
      dryRunOf = key;
      renderBulk();
    } else {
      flash(`Replayed: ${tally}`);
      await showDeadLetters();
      $('dl-bulk-result').hidden = false;
    }
  });
}

async function bulkDiscard(reason) {
  await attempt(async () => {
    const { discarded, refused } = await api('POST', '/dead-letters/discard', { ...target(), reason });
    flash(`${discarded.length} discarded${refused.length ? `, ${refused.length} no longer open` : ''}`);
    await showDeadLetters();
  });
}

async function showDetail(id, unmask = false) {
  // Personal data comes masked; an operator may unmask it (the API audits each unmasking).
  const d = await api('GET', `/dead-letters/${id}${unmask ? '?unmask=true' : ''}`);
  for (const row of document.querySelectorAll('#dl-table tr')) row.classList.toggle('selected', row.dataset.id === String(id));
  const operator = can('operator') && d.status === 'open';
  const original = JSON.stringify(d.payload, null, 2);
  // Viewers read the payload; only those who may replay get an editable one.
  const payload = h('textarea', { id: 'dl-payload', spellcheck: 'false', 'aria-label': 'payload', readonly: !operator });
  payload.value = original;
  const result = h('p', { id: 'dl-result', class: 'muted' });
  const reason = h('input', { id: 'dl-reason', placeholder: 'reason to discard' });
  // Only a real change is sent as an edit (and recorded as one).
  const edited = () => (payload.value === original ? {} : { payload: payload.value });
  const run = (label, body) =>
    attempt(async () => {
      const { results } = await api('POST', `/dead-letters/${id}/replay`, body);
      const r = results[0];
      result.replaceChildren(`${label}: ${r.verdict}${r.message ? ` — ${r.message}` : ''}`, h('ul', { class: 'plan' }, planLines(results)));
      if (r.verdict === 'requeued') await done(`Dead letter ${id} replayed`);
    });
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
  const discard = () =>
    attempt(async () => {
      const { discarded } = await api('POST', `/dead-letters/${id}/discard`, { reason: reason.value });
      if (discarded.length) await done(`Dead letter ${id} discarded`);
      else result.textContent = 'Not discarded: it is no longer open';
    });
  const note = h('input', { id: 'dl-note', placeholder: 'add a note (who is on it, what was tried)', 'aria-label': 'note' });
  const addNote = () =>
    attempt(async () => {
      await api('POST', `/dead-letters/${id}/notes`, { text: note.value });
      await showDetail(id);
    });
  const actions = h(
    'div',
    { class: 'actions' },
    unmask
      ? null
      : h(
          'button',
          { type: 'button', class: 'secondary', id: 'dl-unmask', onclick: () => attempt(() => showDetail(id, true)) },
          'Show personal data (audited)',
        ),
    h('button', { type: 'button', class: 'secondary', id: 'dl-dry-run', onclick: () => run('Dry run', { dryRun: true, ...edited() }) }, 'Dry run'),
    h('button', { type: 'button', id: 'dl-replay', onclick: () => run('Replay', {}) }, 'Replay'),
    h('button', { type: 'button', id: 'dl-replay-edited', onclick: () => run('Replay with edits', edited()) }, 'Replay with edits'),
    reason,
    h('button', { type: 'button', class: 'danger', id: 'dl-discard', onclick: discard }, 'Discard'),
  );
  $('dl-detail').replaceChildren(
    h(
      'div',
      {},
      h('h3', {}, `Dead letter ${d.id} · ${d.status}`),
      h(
        'dl',
        {},
        facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
      ),
      h('label', { for: 'dl-payload' }, operator ? 'Payload (edit it, then "Replay with edits")' : 'Payload'),
      payload,
      d.event ? h('details', {}, h('summary', {}, 'Canonical event'), h('pre', {}, JSON.stringify(d.event, null, 2))) : null,
      operator ? actions : null,
      result,
      h('h4', {}, 'Notes'),
      d.notes.length
        ? h(
            'ul',
            { id: 'dl-notes' },
            d.notes.map((n) => h('li', {}, h('span', { class: 'muted' }, `${fmtTime(n.at)} ${n.by}: `), n.text)),
          )
        : h('p', { class: 'muted' }, 'No notes yet.'),
      can('operator')
        ? h('div', { class: 'actions' }, note, h('button', { type: 'button', class: 'secondary', id: 'dl-add-note', onclick: addNote }, 'Add note'))
        : null,
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
  $('dl-bulk-result').hidden = true;
  void attempt(() => showDeadLetters());
});
$('dl-more').addEventListener('click', () => void attempt(() => showDeadLetters(true)));
