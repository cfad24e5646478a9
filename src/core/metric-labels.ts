import type { ErrorCode } from './errors.js';

/**
 * Metric labels take only values the hub knows in advance: a label value from a request, a
 * payload or a database row would add a series per distinct value, for ever. Anything else is
 * counted under one `unknown` value.
 */
export const UNKNOWN_LABEL = 'unknown';
/** The value of a label that does not apply (a job with no connector). */
export const NONE_LABEL = 'none';

const ERROR_CODES: readonly ErrorCode[] = [
  'invalid_signature',
  'missing_field',
  'invalid_value',
  'unknown_sku',
  'unmapped_location',
  'unmapped_status',
  'unmapped_value',
  'contract_rejected',
  'not_found',
  'auth_failed',
  'rate_limited',
  'upstream_unavailable',
  'network_error',
  'lock_timeout',
  'database_unavailable',
  'dependency_missing',
  'illegal_transition',
  'invalid_config',
  'unexpected',
];

/** `value` when it is one of `known`, `none` when absent, else `unknown`. */
export function boundedLabel(value: string | null | undefined, known: { has(v: string): boolean }): string {
  if (value === null || value === undefined || value === '') return NONE_LABEL;
  return known.has(value) ? value : UNKNOWN_LABEL;
}

/** An error code of the hub's taxonomy; anything else (a driver's ECONNRESET, a SQLSTATE) is `unexpected`. */
export function errorCodeLabel(code: unknown): string {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code) ? code : 'unexpected';
}

/** Counts per bounded label: rows of unknown ids are summed under `unknown`. */
export function boundedCounts(rows: readonly { connector: string | null; n: number }[], known: { has(v: string): boolean }): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    const label = boundedLabel(r.connector, known);
    out.set(label, (out.get(label) ?? 0) + r.n);
  }
  return out;
}
