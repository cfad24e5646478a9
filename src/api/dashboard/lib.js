// Helpers of the operations dashboard: the API client, DOM building and small SVG charts.
// Every value from the API goes into the page as text (never as HTML): payloads come from outside.

const TOKEN_KEY = 'hub.token';
const WHO_KEY = 'hub.who';

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  get who() { return JSON.parse(sessionStorage.getItem(WHO_KEY) ?? 'null'); },
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
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.num ? 'num' : undefined }, c.label)))),
    h('tbody', {}, rows.map((r) => h('tr', rowAttrs(r), columns.map((c) => h('td', { class: c.num ? 'num' : c.cls }, c.cell(r)))))),
  );
}

export const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString() : '–');
export const fmtAge = (seconds) => {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
};
export const fmtPct = (ratio) => (ratio === null || ratio === undefined ? '–' : `${(ratio * 100).toFixed(1)} %`);

const SVG = 'http://www.w3.org/2000/svg';

/** Slots drawn per chart: the newest sample sits at the right edge, a short history leaves room on the left. */
const SLOTS = 60;

/** Latency as a line with a dot per sample, scaled into a 300×60 box; samples without completions are skipped. */
function line(values, cls, max, slots) {
  const g = document.createElementNS(SVG, 'g');
  const w = 300 / slots;
  const offset = slots - values.length;
  const points = values.map((v, i) => (v === null ? null : [(offset + i + 0.5) * w, 58 - (v / max) * 54]));
  const poly = document.createElementNS(SVG, 'polyline');
  poly.setAttribute('points', points.filter(Boolean).map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' '));
  poly.setAttribute('class', cls);
  g.append(poly);
  for (const p of points.filter(Boolean)) {
    const dot = document.createElementNS(SVG, 'circle');
    dot.setAttribute('cx', p[0].toFixed(1));
    dot.setAttribute('cy', p[1].toFixed(1));
    dot.setAttribute('r', '1.8');
    dot.setAttribute('class', `${cls}-dot`);
    g.append(dot);
  }
  return g;
}

/** Completions as one bar per sample, scaled into a 300×60 box. */
function bars(values, cls, max, slots) {
  const g = document.createElementNS(SVG, 'g');
  const w = 300 / slots;
  const offset = slots - values.length;
  values.forEach((v, i) => {
    const height = (v / max) * 54;
    const rect = document.createElementNS(SVG, 'rect');
    for (const [k, val] of Object.entries({ x: (offset + i) * w + w * 0.15, width: Math.max(w * 0.7, 0.5), y: 58 - height, height })) rect.setAttribute(k, val.toFixed(2));
    rect.setAttribute('class', cls);
    g.append(rect);
  });
  return g;
}

/** One queue's chart: jobs completed per sample (bars) and average latency (line), each on its own scale. */
export function queueChart(name, points, intervalMs) {
  const throughput = points.map((p) => p.completed);
  const latency = points.map((p) => p.avgLatencyMs);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 300 60');
  svg.setAttribute('preserveAspectRatio', 'none');
  const slots = Math.max(SLOTS, points.length);
  svg.append(bars(throughput, 'throughput', Math.max(1, ...throughput), slots), line(latency, 'latency', Math.max(1, ...latency.map((v) => v ?? 0)), slots));
  const total = throughput.reduce((a, b) => a + b, 0);
  const lat = latency.filter((v) => v !== null);
  const avg = lat.length ? Math.round(lat.reduce((a, b) => a + b, 0) / lat.length) : null;
  return h(
    'div',
    { class: 'chart', dataset: { queue: name } },
    h('h3', {}, name),
    svg,
    h(
      'div',
      { class: 'legend' },
      h('span', { class: 'swatch-t' }, `■ ${total} completed (per ${intervalMs / 1000} s)`),
      h('span', { class: 'swatch-l' }, `■ latency avg ${avg === null ? '–' : `${avg} ms`}`),
    ),
  );
}
