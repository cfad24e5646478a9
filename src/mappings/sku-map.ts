import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { SkuMapConfig } from './schema.js';

/** One row of a SKU map: the ERP SKU and how many ledger units one external unit is. */
export interface SkuMapRow {
  sku: string;
  packSize: number;
}

/** External SKU → row, a hash map: lookups are O(1) however many rows the CSV has. */
export type SkuTable = ReadonlyMap<string, SkuMapRow>;

/** A CSV problem with the 1-based line it was found on. */
export class SkuMapFileError extends Error {}

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
    throw new SkuMapFileError(`${path}: ${(err as Error).message}`);
  }
  const header = rows[0] ? Object.keys(rows[0]) : [];
  for (const column of [columns.external, columns.sku]) {
    if (rows.length > 0 && !header.includes(column)) throw new SkuMapFileError(`${path}: no column "${column}" (columns: ${header.join(', ')})`);
  }
  rows.forEach((row, i) => {
    const line = i + 2;
    const external = row[columns.external];
    const sku = row[columns.sku];
    if (!external || !sku) throw new SkuMapFileError(`${path} line ${line}: "${columns.external}" and "${columns.sku}" are required`);
    const rawPack = row[columns.packSize];
    const packSize = rawPack ? Number(rawPack) : 1;
    if (!Number.isInteger(packSize) || packSize < 1) throw new SkuMapFileError(`${path} line ${line}: ${columns.packSize} "${rawPack}" is not a positive integer`);
    if (into.has(external)) throw new SkuMapFileError(`${path} line ${line}: external SKU "${external}" appears twice`);
    into.set(external, { sku, packSize });
  });
}
