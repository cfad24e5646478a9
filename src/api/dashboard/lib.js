// Helpers of the operations dashboard: the API client, DOM building and small SVG charts.
// Every value from the API goes into the page as text (never as HTML): payloads come from outside.

const TOKEN_KEY = 'hub.token';
const WHO_KEY = 'hub.who';

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  get who() {
    return JSON.parse(sessionStorage.getItem(WHO_KEY) ?? 'null');
  },
  save(token, who) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(WHO_KEY, JSON.stringify(who));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(WHO_KEY);
  },
};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls the ops API with the session's Bearer token; throws ApiError with the API's message. */
export async function api(method, path, body, token = session.token) {
  const res = await fetch(`/api${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, json.error?.code ?? 'error', json.error?.message ?? `HTTP ${res.status}`);
  return json;
}

const ROLES = ['viewer', 'operator', 'admin'];
/** Whether the logged-in token has at least `role` (the API checks again; this only hides buttons). */
export const can = (role) => ROLES.indexOf(session.who?.role) >= ROLES.indexOf(role);

/** A short message under the header; `bad` for failures. */
export function flash(message, bad = false) {
  const el = document.getElementById('flash');
  el.textContent = message;
  el.classList.toggle('bad', bad);
  el.hidden = false;
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => (el.hidden = true), 8000);
}

/** What to do when the API says the session's token is no longer valid (set by the app). */
export const hooks = { unauthorized: () => undefined };

/** Runs an action and shows an API error instead of throwing; a 401 ends the session. */
export async function attempt(work) {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return hooks.unauthorized();
    flash(err.message, true);
  }
}

/** `h('td', { class: 'num' }, 'text', node)`: an element with attributes and text or element children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces a table's content: a header row and one row per item. */
export function fillTable(table, columns, rows, rowAttrs = () => ({})) {
  table.replaceChildren(
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', { class: c.num ? 'num' : undefined }, c.label)),
      ),
    ),
    // data-label lets a narrow screen show each row as a card of label: value lines.
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          rowAttrs(r),
          columns.map((c) => h('td', { class: c.num ? 'num' : c.cls, 'data-label': c.label || undefined }, c.cell(r))),
        ),
      ),
    ),
  );
}

export const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString() : '–');
export const fmtAge = (seconds) => {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
};
/** A share as a percentage; `n/a` when there is no figure (a run that checked nothing is not 100 %). */
export const fmtPct = (ratio) => (ratio === null || ratio === undefined ? 'n/a' : `${(ratio * 100).toFixed(1)} %`);

const SVG = 'http://www.w3.org/2000/svg';
const W = 320;
const H = 110;
/** Plot area inside the SVG: room on the left for the y labels, below for the time labels. */
const PLOT = { left: 42, right: 6, top: 8, bottom: 22 };

function svgEl(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A round upper bound for an axis (1, 2, 5 × 10^n). */
function niceMax(value) {
  if (!(value > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= value);
}

/** A time label; with seconds when the window is short enough for minutes to repeat. */
const clock = (ms, span) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', ...(span < 600_000 ? { second: '2-digit' } : {}) });

/**
 * A time chart with axes: `series` are lines (or `bars: true`) over `times` (epoch ms), all on one
 * y scale in `unit`. The y axis shows 0, half and the maximum with the unit; the x axis the first
 * and last sample times. Null values leave a gap.
 */
export function timeChart({ title, unit, times, series, format = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1)), max: fixedMax, note }) {
  const values = series.flatMap((s) => s.values.filter((v) => v !== null && v !== undefined));
  const max = fixedMax ?? niceMax(Math.max(0, ...values));
  const pw = W - PLOT.left - PLOT.right;
  const ph = H - PLOT.top - PLOT.bottom;
  const t0 = times[0] ?? Date.now();
  const t1 = times.at(-1) ?? t0;
  const span = Math.max(1, t1 - t0);
  const x = (t) => PLOT.left + (times.length < 2 ? pw : ((t - t0) / span) * pw);
  const y = (v) => PLOT.top + ph - (Math.min(v, max) / max) * ph;
  const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${title}, ${unit}` });
  for (const f of [0, 0.5, 1]) {
    svg.append(svgEl('line', { x1: PLOT.left, x2: W - PLOT.right, y1: y(max * f), y2: y(max * f), class: 'gridline' }));
    svg.append(svgEl('text', { x: PLOT.left - 4, y: y(max * f) + 3, class: 'axis', 'text-anchor': 'end' }, format(max * f)));
  }
  svg.append(svgEl('text', { x: PLOT.left, y: H - 6, class: 'axis' }, times.length ? clock(t0, span) : ''));
  svg.append(svgEl('text', { x: W - PLOT.right, y: H - 6, class: 'axis', 'text-anchor': 'end' }, times.length ? clock(t1, span) : 'no samples yet'));
  // Bars as wide as a sample slot of a full window, at most; always inside the plot.
  const barWidth = Math.max(1, Math.min(pw / Math.max(times.length, 60), 8) * 0.8);
  const barX = (t) => Math.min(Math.max(x(t) - barWidth / 2, PLOT.left), W - PLOT.right - barWidth);
  for (const s of series) {
    if (s.bars) {
      s.values.forEach((v, i) => {
        if (v === null || v === undefined) return;
        svg.append(svgEl('rect', { x: barX(times[i]), width: barWidth, y: y(v), height: PLOT.top + ph - y(v), class: s.cls }));
      });
      continue;
    }
    let run = [];
    const flush = () => {
      if (run.length) svg.append(svgEl('polyline', { points: run.join(' '), class: s.cls }));
      run = [];
    };
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) return flush();
      run.push(`${x(times[i]).toFixed(1)},${y(v).toFixed(1)}`);
      if (s.dots) svg.append(svgEl('circle', { cx: x(times[i]).toFixed(1), cy: y(v).toFixed(1), r: 2, class: `${s.cls}-dot` }));
    });
    flush();
  }
  return h(
    'figure',
    { class: 'chart' },
    h('figcaption', {}, h('strong', {}, title), ` (${unit})`),
    svg,
    h(
      'div',
      { class: 'legend' },
      series.map((s) => h('span', { class: `key ${s.cls}` }, s.label)),
      note ? h('span', { class: 'muted' }, note) : null,
    ),
  );
}

/** One queue over the sampled window: depth, age of the oldest waiting job, and completions per sample. */
export function queueCharts(name, points, intervalMs) {
  const times = points.map((p) => Date.parse(p.at));
  const seconds = intervalMs / 1000;
  const total = points.reduce((a, p) => a + p.completed, 0);
  const minutes = Math.max(1, Math.round((points.length * intervalMs) / 60_000));
  return h(
    'section',
    { class: 'queue-charts', dataset: { queue: name } },
    h('h3', {}, name),
    timeChart({
      title: 'Queue depth',
      unit: 'jobs',
      times,
      series: [
        { label: 'waiting', cls: 'series-a', values: points.map((p) => p.waiting) },
        { label: 'active', cls: 'series-b', values: points.map((p) => p.active) },
      ],
    }),
    timeChart({
      title: 'Oldest waiting job',
      unit: 'seconds',
      times,
      series: [{ label: 'age when sampled', cls: 'series-c', dots: true, values: points.map((p) => p.oldestWaitingAgeSeconds ?? 0) }],
      format: (v) => (v >= 120 ? `${Math.round(v / 60)} min` : v >= 10 || v === 0 ? `${Math.round(v)} s` : `${v.toFixed(1)} s`),
    }),
    timeChart({
      title: `Completed per ${seconds} s sample`,
      unit: 'jobs',
      times,
      series: [{ label: `${total} completed in the last ${minutes} min`, cls: 'series-bars', bars: true, values: points.map((p) => p.completed) }],
    }),
  );
}
