import type { z } from 'zod';
import { MappingError, type MappingIssue, ValidationError } from '../../core/errors.js';
import { type CanonicalEvent, type CanonicalEventInput, CanonicalEventSchema, zodIssues } from '../../core/model/index.js';
import type { NormalizeContext } from '../types.js';
import { deterministicEventId } from './signatures.js';

/**
 * The helpers every inbound normalizer shares: shape parsing at the boundary, the check of the
 * events it built, mapping failures, field errors and the event envelope. Each takes the part of
 * the normalize context it reads, so any connector's context fits.
 */
export type NormalizeWhere = Pick<NormalizeContext, 'connectorId'>;

/** At most this many issues are spelled out in one error message; `field` names the first. */
const MAX_ISSUES_IN_MESSAGE = 5;

/**
 * Parses a payload with its shape; a mismatch is a ValidationError naming the connector, the topic
 * and the field path (prefixed with `at`, e.g. `orders[2]`, when the payload sits inside a page).
 * A missing key is `missing_field`, anything else `invalid_value`. The offending value is kept on
 * the error only when it is a plain number, boolean or null: payload strings may hold customer data.
 */
export function parseShape<T>(schema: z.ZodType<T>, body: unknown, ctx: NormalizeWhere, topic: string, at = ''): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = zodIssues(result.error).map((i) => ({ ...i, path: joinPath(at, i.path) }));
  const first = issues[0] ?? { path: at || '(root)', message: 'invalid payload' };
  const value = valueAt(body, result.error.issues[0]?.path ?? []);
  const listed = issues.slice(0, MAX_ISSUES_IN_MESSAGE).map((i) => `${i.path}: ${i.message}`);
  throw new ValidationError(`${ctx.connectorId}: ${topic} payload: ${listed.join('; ')}`, {
    code: first.message === 'required' || /received undefined/.test(first.message) ? 'missing_field' : 'invalid_value',
    connectorId: ctx.connectorId,
    step: 'normalize',
    field: first.path,
    ...(isEchoable(value) ? { value } : {}),
  });
}

/** `at` + a path relative to it: `orders[2]` + `lineItems[0].sku` → `orders[2].lineItems[0].sku`. */
export function joinPath(at: string, path: string): string {
  if (at === '') return path;
  if (path === '' || path === '(root)') return at;
  return path.startsWith('[') ? `${at}${path}` : `${at}.${path}`;
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = body;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

const isEchoable = (value: unknown): value is number | boolean | null => typeof value === 'number' || typeof value === 'boolean' || value === null;

/** Validates the events a normalizer built; a failure names the event field, e.g. `data.lines[0].quantity`. */
export function finalize(events: CanonicalEventInput[], ctx: NormalizeWhere, topic: string): CanonicalEvent[] {
  return events.map((event) => {
    const result = CanonicalEventSchema.safeParse(event);
    if (result.success) return result.data;
    const issues = zodIssues(result.error);
    throw new ValidationError(`${ctx.connectorId}: ${topic} gives an invalid ${event.type}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      connectorId: ctx.connectorId,
      step: 'normalize',
      field: issues[0]?.path,
    });
  });
}

/** Throws one MappingError carrying every issue found, if any. */
export function assertMapped(issues: MappingIssue[], ctx: NormalizeWhere): void {
  if (issues.length > 0) throw new MappingError(issues, { connectorId: ctx.connectorId, step: 'normalize' });
}

export interface InvalidOptions {
  /** Default `invalid_value`. */
  code?: 'missing_field' | 'invalid_value';
  /** The offending value; kept only when it is a plain number, boolean or null. */
  value?: unknown;
}

/** The error for one field a shape cannot check (a rule across fields, a value out of range). */
export function invalid(ctx: NormalizeWhere, topic: string, field: string, message: string, options: InvalidOptions = {}): ValidationError {
  return new ValidationError(`${ctx.connectorId}: ${topic} payload: ${field}: ${message}`, {
    code: options.code ?? 'invalid_value',
    connectorId: ctx.connectorId,
    step: 'normalize',
    field,
    ...(isEchoable(options.value) ? { value: options.value } : {}),
  });
}

/** An instant as ISO 8601 UTC: sources write local offsets (`…T03:00:00-05:00`), the hub compares instants. */
export function toUtc(timestamp: string): string {
  return new Date(timestamp).toISOString();
}

/** A deterministic event id from its parts: normalizing the same payload twice gives the same ids. */
export const eventId = deterministicEventId;

/**
 * The envelope fields shared by every event: a deterministic id (from the topic, type, external id
 * and version, or the idempotency key when the source has no version), the idempotency key scoped
 * to the instance, and the source reference.
 */
export function envelope(
  ctx: Pick<NormalizeContext, 'connectorId' | 'connectorType'>,
  topic: string,
  type: CanonicalEvent['type'],
  externalId: string,
  version: string | null,
  key: string,
) {
  return {
    id: eventId(ctx.connectorId, topic, type, externalId, version ?? key),
    idempotencyKey: `${ctx.connectorId}:${key}`,
    source: { connector: ctx.connectorId, connectorType: ctx.connectorType, externalId, version },
  };
}

/**
 * The ERP SKU of a payload line, or null after recording why: no SKU and no external id that
 * resolves (`missing_field`), or a SKU the catalogue does not know (`unknown_sku`). The channel SKU
 * is trimmed; `externalIds` are tried after it (`variantId`, `asin`, ...). `where` names the line
 * for people, `field` for tools, `label` the source's word for a SKU (`SellerSKU`).
 */
export function mapSku(
  ctx: Pick<NormalizeContext, 'lookup'>,
  line: { sku: string | null | undefined; externalIds?: Readonly<Record<string, string | null | undefined>> },
  report: { where: string; field: string; issues: MappingIssue[]; label?: string },
): string | null {
  const channelSku = line.sku?.trim() || null;
  const ids = line.externalIds;
  const known = channelSku !== null || (ids !== undefined && Object.values(ids).some((v) => v !== null && v !== undefined));
  const sku = known ? ctx.lookup.sku({ sku: channelSku, ...(ids ? { externalIds: ids } : {}) }) : null;
  if (sku !== null) return sku;
  const label = report.label ?? 'SKU';
  report.issues.push(
    channelSku === null
      ? { code: 'missing_field', field: report.field, value: null, message: `${report.where} has no ${label}` }
      : { code: 'unknown_sku', field: report.field, value: channelSku, message: `${report.where} has unknown ${label} "${channelSku}"` },
  );
  return null;
}
