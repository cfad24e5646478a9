/**
 * What `promtool check metrics` does, in the test suite: parses the Prometheus text exposition
 * format (0.0.4) into metric families and applies the same naming rules as the Prometheus lint
 * (client_golang `prometheus/testutil/promlint`), plus the hub's own rule that no series carries an
 * empty label value (a placeholder). No dependency: the text format is small and documented at
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

export interface Problem {
  metric: string;
  text: string;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Parses exposition text; throws naming the line on anything malformed (as promtool does). */
export function parseExposition(text: string): MetricFamily[] {
  const families = new Map<string, MetricFamily>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', samples: [] }));
    return f;
  };
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`${where}: invalid metric name "${name}"`);
      const f = family(name);
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new Error(`${where}: second HELP for ${name}`);
        f.help = rest;
      } else {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`${where}: unknown type "${rest}"`);
        if (f.samples.length) throw new Error(`${where}: TYPE for ${name} after its samples`);
        f.type = rest as MetricType;
      }
      return;
    }
    const sample = parseSample(line, where);
    const owner = [...families.values()].find((f) => ownsSample(f, sample.name)) ?? family(sample.name);
    owner.samples.push(sample);
  });
  return [...families.values()];
}

function ownsSample(f: MetricFamily, name: string): boolean {
  if (f.name === name) return true;
  const suffixes = f.type === 'histogram' ? ['_bucket', '_sum', '_count'] : f.type === 'summary' ? ['_sum', '_count'] : [];
  return suffixes.some((s) => name === f.name + s);
}

function parseSample(line: string, where: string): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/.exec(line);
  if (!m) throw new Error(`${where}: malformed sample "${line}"`);
  const labels: Record<string, string> = {};
  const body = m[3] ?? '';
  const re = /\s*([^=\s]+)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  let pos = 0;
  while (pos < body.length) {
    re.lastIndex = pos;
    const l = re.exec(body);
    if (!l) throw new Error(`${where}: malformed labels "${body}"`);
    const [, key, value] = l as unknown as [string, string, string];
    if (!LABEL.test(key)) throw new Error(`${where}: invalid label name "${key}"`);
    if (key in labels) throw new Error(`${where}: duplicate label "${key}"`);
    labels[key] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    pos = re.lastIndex;
  }
  const raw = m[4]!;
  const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
  if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`${where}: invalid value "${raw}"`);
  return { name: m[1]!, labels, value };
}

const camelCase = /[a-z][A-Z]/;
const UNITS: Record<string, string> = {
  amperes: 'amperes',
  bytes: 'bytes',
  celsius: 'celsius',
  grams: 'grams',
  joules: 'joules',
  kelvin: 'kelvin',
  meters: 'meters',
  metres: 'metres',
  seconds: 'seconds',
  volts: 'volts',
  minutes: 'seconds',
  hours: 'seconds',
  days: 'seconds',
  weeks: 'seconds',
  kelvins: 'kelvin',
  fahrenheit: 'celsius',
  rankine: 'celsius',
  inches: 'meters',
  yards: 'meters',
  miles: 'meters',
  bits: 'bytes',
  calories: 'joules',
  pounds: 'grams',
  ounces: 'grams',
};
const PREFIXES = [
  'pico',
  'nano',
  'micro',
  'milli',
  'centi',
  'deci',
  'deca',
  'hecto',
  'kilo',
  'kibi',
  'mega',
  'mibi',
  'giga',
  'gibi',
  'tera',
  'tebi',
  'peta',
  'pebi',
];
const ABBREVIATIONS = ['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd'];

/** The problems promtool would print for these families, plus empty label values; empty when clean. */
export function lintMetrics(families: readonly MetricFamily[]): Problem[] {
  const problems: Problem[] = [];
  for (const f of families) {
    const add = (text: string) => problems.push({ metric: f.name, text });
    const n = f.name.toLowerCase();
    const word = (w: string) => n.includes(`_${w}_`) || n.endsWith(`_${w}`);
    if (f.help === undefined) add('no help text');
    const unit = metricUnit(f.name);
    if (unit && unit.unit !== unit.base) add(`use base unit "${unit.base}" instead of "${unit.unit}"`);
    const total = f.name.endsWith('_total');
    if (f.type === 'counter' && !total) add('counter metrics should have "_total" suffix');
    if (f.type !== 'counter' && f.type !== 'untyped' && total) add('non-counter metrics should not have "_total" suffix');
    if (f.type !== 'untyped') {
      if (f.type !== 'histogram' && f.name.endsWith('_bucket')) add('non-histogram metrics should not have "_bucket" suffix');
      if (f.type !== 'histogram' && f.type !== 'summary' && (f.name.endsWith('_count') || f.name.endsWith('_sum')))
        add('non-histogram and non-summary metrics should not have "_count" or "_sum" suffix');
    }
    for (const t of ['counter', 'gauge', 'histogram', 'summary']) if (word(t)) add(`metric name should not include type '${t}'`);
    if (f.name.includes(':')) add("metric names should not contain ':'");
    if (camelCase.test(f.name)) add("metric names should be written in 'snake_case' not 'camelCase'");
    if (ABBREVIATIONS.some(word)) add('metric names should not contain abbreviated units');
    for (const s of f.samples) {
      for (const [key, value] of Object.entries(s.labels)) {
        if (camelCase.test(key)) add(`label ${key} should be written in 'snake_case' not 'camelCase'`);
        if (key === 'le' && f.type !== 'histogram') add('non-histogram metrics should not have "le" label');
        if (key === 'quantile' && f.type !== 'summary') add('non-summary metrics should not have "quantile" label');
        if (value === '') add(`series ${s.name}${JSON.stringify(s.labels)} has an empty label "${key}" (a placeholder)`);
      }
    }
  }
  return problems;
}

/** The first known unit among the name's words, with an SI or binary prefix or none. */
function metricUnit(name: string): { unit: string; base: string } | undefined {
  for (const part of name.split('_')) {
    if (UNITS[part]) return { unit: part, base: UNITS[part] };
    for (const p of PREFIXES) {
      const base = part.startsWith(p) ? UNITS[part.slice(p.length)] : undefined;
      if (base) return { unit: part, base };
    }
  }
  return undefined;
}
