import type { MappingLookup } from './lookup.js';
import { MappingError, type MappingIssue } from '../core/errors.js';
import type { CanonicalEvent } from '../core/model/index.js';
import { evaluate, type ExpressionBindings } from './expressions.js';
import type { EventMapping, FieldRule, LeafRule, MappingSettings } from './schema.js';
import { ownValue } from './own.js';
import { loadSkuTable, resolveSkuMapPath, type SkuMapRow, type SkuTable } from './sku-map.js';

/** A connector's mapping settings with their SKU table built (CSV read once). */
export interface CompiledMappings {
  settings: MappingSettings;
  skus: SkuTable | null;
}

const compiledBySettings = new WeakMap<object, CompiledMappings>();

/**
 * Builds a connector's mapping tables once per settings object (a reloaded config is a new object,
 * so it is built afresh). `skuMap.csv` is resolved against `baseDir`, the config file's directory,
 * confined to it (or HUB_MAPPING_DIRS) and rewritten absolute so later readers agree. Throws
 * SkuMapFileError on a bad or out-of-bounds CSV.
 */
export function prepareMappings(settings: MappingSettings, baseDir: string, allowedDirs?: readonly string[]): CompiledMappings {
  const cached = compiledBySettings.get(settings);
  if (cached) return cached;
  const skuMap = settings.skuMap;
  if (skuMap?.csv) skuMap.csv = resolveSkuMapPath(skuMap.csv, baseDir, allowedDirs);
  const compiled: CompiledMappings = { settings, skus: skuMap ? loadSkuTable(skuMap, skuMap.csv) : null };
  compiledBySettings.set(settings, compiled);
  return compiled;
}

/** The compiled mappings of these settings; a config built without the loader resolves CSVs from the working directory. */
export function mappingsFor(settings: MappingSettings): CompiledMappings {
  return compiledBySettings.get(settings) ?? prepareMappings(settings, process.cwd());
}

/** Who is mapping what: the names every failure message carries. */
export interface MappingRun {
  connectorId: string;
  connectorType: string;
  /** The event kind (`settings.events` key, the webhook topic). */
  eventName: string;
  receivedAt: string;
  lookup: MappingLookup;
}

type Scope = { run: MappingRun; compiled: CompiledMappings; bindings: ExpressionBindings; issues: MappingIssue[] };

/**
 * Maps a raw payload to canonical events with the event mapping `run.eventName`. Pure but for
 * awaiting expression evaluation. Collects every problem and throws one MappingError naming the
 * connector, each field path, its value and the rule that failed.
 */
export async function mapPayload(compiled: CompiledMappings, body: unknown, run: MappingRun): Promise<CanonicalEvent[]> {
  const mapping = ownValue(compiled.settings.events, run.eventName);
  if (!mapping) {
    throw new MappingError(
      [{ code: 'unmapped_value', field: 'topic', value: run.eventName, message: `no event mapping "${run.eventName}" in settings.events` }],
      { connectorId: run.connectorId },
    );
  }
  const bindings: ExpressionBindings = { root: body, receivedAt: run.receivedAt, connectorId: run.connectorId, channel: compiled.settings.channel };
  const scope: Scope = { run, compiled, bindings, issues: [] };
  const items = mapping.each ? await eachItems(mapping.each, body, 'each', scope) : [body];
  const events: CanonicalEvent[] = [];
  for (const [i, item] of items.entries()) {
    const at = mapping.each ? `[${i}]` : '';
    const event = await mapOne(mapping, item, at, scope);
    if (event) events.push(mapping.each ? { ...event, id: `${event.id}:${i}`, idempotencyKey: `${event.idempotencyKey}:${i}` } : event);
  }
  if (scope.issues.length > 0) throw new MappingError(scope.issues, { connectorId: run.connectorId, field: scope.issues[0]?.field });
  return events;
}

async function mapOne(mapping: EventMapping, item: unknown, at: string, scope: Scope): Promise<CanonicalEvent | undefined> {
  const { run } = scope;
  const before = scope.issues.length;
  const externalId = await leaf({ expr: mapping.externalId }, item, `${at}externalId`, scope, new Map());
  const version = mapping.version ? await leaf({ expr: mapping.version, optional: true }, item, `${at}version`, scope, new Map()) : undefined;
  const occurred = mapping.occurredAt ? await leaf({ expr: mapping.occurredAt, optional: true }, item, `${at}occurredAt`, scope, new Map()) : undefined;
  const data = await fields(mapping.data, item, `${at}data`, scope);
  const occurredAt = occurred === undefined ? run.receivedAt : isoOrIssue(occurred, `${at}occurredAt`, mapping.occurredAt ?? '', scope);
  // An id or a version is a string or a number as the payload wrote it; an object or a list is not one.
  for (const [name, value, expr] of [
    ['externalId', externalId, mapping.externalId],
    ['version', version, mapping.version ?? ''],
  ] as const) {
    if (value !== undefined && typeof value !== 'string' && typeof value !== 'number') {
      scope.issues.push({
        code: 'invalid_value',
        field: `${at}${name}`,
        value: null,
        message: `${run.eventName} ${at}${name}: ${show(value)} is not a string or a number (rule: expr "${expr}")`,
      });
    }
  }
  if (scope.issues.length > before || (typeof externalId !== 'string' && typeof externalId !== 'number')) return undefined;
  const key = `${run.connectorId}:${run.eventName}:${String(externalId)}`;
  return {
    id: key,
    idempotencyKey: key,
    type: mapping.type,
    source: {
      connector: run.connectorId,
      connectorType: run.connectorType,
      externalId: String(externalId),
      version: typeof version === 'string' || typeof version === 'number' ? String(version) : null,
    },
    occurredAt: occurredAt ?? run.receivedAt,
    data,
  } as CanonicalEvent;
}

async function fields(rules: Record<string, FieldRule>, input: unknown, path: string, scope: Scope): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const skuRows = new Map<string, SkuMapRow>();
  // Pack-size conversions read the SKU row of a sibling: map those siblings first.
  const ordered = Object.entries(rules).sort(([, a], [, b]) => Number(isPackRule(a)) - Number(isPackRule(b)));
  for (const [name, rule] of ordered) {
    const fieldPath = `${path}.${name}`;
    let value: unknown;
    if (typeof rule === 'string') value = await leaf({ expr: rule }, input, fieldPath, scope, skuRows, name);
    else if ('each' in rule) {
      const items = await eachItems(rule.each, input, fieldPath, scope);
      value = [];
      for (const [j, item] of items.entries()) (value as unknown[]).push(await fields(rule.fields, item, `${fieldPath}[${j}]`, scope));
    } else if ('fields' in rule) value = await fields(rule.fields, input, fieldPath, scope);
    else value = await leaf(rule, input, fieldPath, scope, skuRows, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

const isPackRule = (rule: FieldRule): boolean => typeof rule === 'object' && 'packSizeOf' in rule && rule.packSizeOf !== undefined;
const isEmpty = (v: unknown): boolean => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

async function eachItems(expr: string, input: unknown, path: string, scope: Scope): Promise<unknown[]> {
  const result = await evaluate(expr, input, scope.bindings);
  const value = 'error' in result ? undefined : result.value;
  if (isEmpty(value)) {
    const why = 'error' in result ? `failed: ${result.error}` : 'yields no items';
    scope.issues.push({ code: 'missing_field', field: path, value: null, message: `${scope.run.eventName} ${path}: ${why} (rule: each "${expr}")` });
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/** One leaf: evaluate, default, require, map, convert. Records an issue and returns undefined on failure. */
async function leaf(rule: LeafRule, input: unknown, path: string, scope: Scope, skuRows: Map<string, SkuMapRow>, name = ''): Promise<unknown> {
  const { run } = scope;
  const ruleText = rule.expr !== undefined ? `expr "${rule.expr}"` : 'value';
  const fail = (code: MappingIssue['code'], value: unknown, what: string, ruleName = ruleText): undefined => {
    scope.issues.push({ code, field: path, value, message: `${run.eventName} ${path}: ${what} (rule: ${ruleName})` });
    return undefined;
  };
  let value: unknown = rule.value;
  if (rule.expr !== undefined) {
    const result = await evaluate(rule.expr, input, scope.bindings);
    if ('error' in result) return fail('invalid_value', null, `expression failed: ${result.error}`);
    value = result.value;
  }
  if (isEmpty(value) && rule.default !== undefined) value = rule.default;
  // A value map's default also covers a value the payload leaves out.
  const mapDefault = rule.map ? ownValue(scope.compiled.settings.valueMaps, rule.map)?.default : undefined;
  if (isEmpty(value) && mapDefault !== undefined) return mapDefault;
  if (isEmpty(value)) return rule.optional ? undefined : fail('missing_field', value ?? null, 'required value is missing');
  if (rule.map) {
    value = mapValue(rule.map, value, scope, (row) => skuRows.set(name, row), fail);
    if (value === undefined) return undefined;
  }
  if (rule.factor !== undefined || rule.packSizeOf !== undefined) {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) return fail('invalid_value', value, `${show(value)} is not a number`);
    let factor = rule.factor ?? 1;
    if (rule.packSizeOf !== undefined) {
      const row = skuRows.get(rule.packSizeOf);
      // No row: the sibling failed (already reported) or was not mapped through the SKU map (pack size 1).
      factor *= row?.packSize ?? 1;
    }
    const converted = n * factor;
    if (!Number.isInteger(converted))
      return fail('invalid_value', value, `${show(value)} × ${factor} = ${converted} is not a whole number of units`, `unit conversion × ${factor}`);
    value = converted;
  }
  return value;
}

function mapValue(
  map: string,
  value: unknown,
  scope: Scope,
  onSku: (row: SkuMapRow) => void,
  fail: (code: MappingIssue['code'], value: unknown, what: string, rule?: string) => undefined,
): unknown {
  const { settings, skus } = scope.compiled;
  const key = String(value).trim();
  if (map === 'sku') {
    if (skus) {
      const row = skus.get(key);
      if (!row)
        return fail(
          'unknown_sku',
          value,
          `SKU ${show(value)} is not in the SKU map (${skus.size} rows)`,
          `map sku via settings.skuMap${settings.skuMap?.csv ? ' (CSV)' : ''}`,
        );
      onSku(row);
      return row.sku;
    }
    return (
      scope.run.lookup.sku({ sku: key }) ??
      fail('unknown_sku', value, `SKU ${show(value)} is not in the catalogue`, 'map sku via the catalogue (no settings.skuMap)')
    );
  }
  if (map === 'location') {
    return scope.run.lookup.location(key) ?? fail('unmapped_location', value, `location ${show(value)} is not mapped`, 'map location via settings.locations');
  }
  if (map === 'status') {
    const mapped = ownValue(settings.statusMap, key);
    return mapped ?? fail('unmapped_status', value, `status ${show(value)} is not mapped`, 'map status via settings.statusMap');
  }
  const table = ownValue(settings.valueMaps, map);
  if (!table) return fail('unmapped_value', value, `there is no value map "${map}"`, `map ${map}`);
  const hit = ownValue(table.values, key);
  if (hit !== undefined) return hit;
  return (
    table.default ??
    fail('unmapped_value', value, `${show(value)} is not in value map "${map}" and it has no default`, `map ${map} via settings.valueMaps.${map}`)
  );
}

function isoOrIssue(value: unknown, path: string, expr: string, scope: Scope): string | undefined {
  const date = typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  if (date && !Number.isNaN(date.getTime())) return date.toISOString();
  scope.issues.push({
    code: 'invalid_value',
    field: path,
    value,
    message: `${scope.run.eventName} ${path}: ${show(value)} is not a timestamp (rule: expr "${expr}")`,
  });
  return undefined;
}
