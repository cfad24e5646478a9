import { readFileSync, realpathSync } from 'node:fs';
import { delimiter, isAbsolute, relative, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { SkuMapConfig } from './schema.js';

/** One row of a SKU map: the ERP SKU and how many ledger units one external unit is. */
export interface SkuMapRow {
  sku: string;
  packSize: number;
}

/** External SKU → row, a hash map: lookups are O(1) however many rows the CSV has. */
export type SkuTable = ReadonlyMap<string, SkuMapRow>;

/** A CSV problem with the 1-based line it was found on. Its message never quotes the file's content. */
export class SkuMapFileError extends Error {}

/** Directories besides the config folder that SKU map files may come from: `HUB_MAPPING_DIRS`, path-list separated. */
export function allowedMappingDirs(env: Record<string, string | undefined> = process.env): string[] {
  return (env['HUB_MAPPING_DIRS'] ?? '').split(delimiter).filter((d) => d.trim() !== '');
}

const approved = new Set<string>();

const real = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
};

/**
 * Resolves a SKU map's `csv` against the config folder and confines it there (or to an
 * allow-listed directory): a config must not make the hub read, and report on, any file the
 * process can read. Symbolic links are followed before the check.
 */
export function resolveSkuMapPath(csv: string, baseDir: string, allowed: readonly string[] = allowedMappingDirs()): string {
  // A path the loader already confined (and rewrote absolute) stays valid for later readers.
  if (approved.has(csv)) return csv;
  const target = resolve(baseDir, csv);
  const actual = real(target);
  const inside = [baseDir, ...allowed].some((root) => {
    const rel = relative(real(root), actual);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  });
  if (!inside) {
    throw new SkuMapFileError(`SKU map "${csv}" is outside the config folder; put it there or list its directory in HUB_MAPPING_DIRS`);
  }
  approved.add(target);
  return target;
}

/**
 * Builds the lookup table of a SKU map: the CSV rows first, then the inline entries (which win).
 * `csvPath` is the map's `csv`, already resolved against the config file's directory.
 */
export function loadSkuTable(config: SkuMapConfig, csvPath?: string): SkuTable {
  const table = new Map<string, SkuMapRow>();
  if (csvPath) readCsv(csvPath, config.columns, table);
  for (const [external, entry] of Object.entries(config.entries)) {
    table.set(external.trim(), typeof entry === 'string' ? { sku: entry, packSize: 1 } : entry);
  }
  return table;
}

function readCsv(path: string, columns: SkuMapConfig['columns'], into: Map<string, SkuMapRow>): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SkuMapFileError(`cannot read SKU map ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    // csv-parse messages can quote the offending field: only its code and line are reported.
    const e = err as { code?: string; lines?: number };
    throw new SkuMapFileError(`${path}${e.lines ? ` line ${e.lines}` : ''}: not valid CSV (${e.code ?? 'parse error'})`);
  }
  const header = rows[0] ? Object.keys(rows[0]) : [];
  for (const column of [columns.external, columns.sku]) {
    if (rows.length > 0 && !header.includes(column)) throw new SkuMapFileError(`${path}: the header row has no column "${column}"`);
  }
  rows.forEach((row, i) => {
    const line = i + 2;
    const external = row[columns.external];
    const sku = row[columns.sku];
    if (!external || !sku) throw new SkuMapFileError(`${path} line ${line}: "${columns.external}" and "${columns.sku}" are required`);
    const rawPack = row[columns.packSize];
    const packSize = rawPack ? Number(rawPack) : 1;
    if (!Number.isInteger(packSize) || packSize < 1) throw new SkuMapFileError(`${path} line ${line}: ${columns.packSize} is not a positive integer`);
    if (into.has(external)) throw new SkuMapFileError(`${path} line ${line}: the external SKU appears twice`);
    into.set(external, { sku, packSize });
  });
}
