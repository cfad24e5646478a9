import { ValidationError } from '../../../core/errors.js';
import { zodIssues } from '../../../core/model/index.js';
import type { z } from 'zod';

/** The entity of a read response (`{ "Invoice": {...}, "time": ... }`), shape-checked, or a ValidationError naming the field. */
export function readEntity<T>(body: unknown, entity: string, schema: z.ZodType<T>, connectorId: string): T {
  const inner = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[entity] : undefined;
  if (inner === undefined) {
    throw new ValidationError(`${connectorId}: payload is not a ${entity} read response (no "${entity}" key)`, {
      connectorId,
      field: entity,
      code: 'missing_field',
    });
  }
  const parsed = schema.safeParse(inner);
  if (parsed.success) return parsed.data;
  const issue = zodIssues(parsed.error)[0];
  const field = `${entity}.${issue?.path ?? ''}`;
  throw new ValidationError(`${connectorId}: ${field}: ${issue?.message}`, {
    connectorId,
    field,
    code: issue?.message === 'Required' || issue?.message?.startsWith('Invalid input: expected') ? 'missing_field' : 'invalid_value',
  });
}

/**
 * An ISO UTC instant from a QuickBooks timestamp (`2026-03-02T10:15:00-08:00`) or date
 * (`2026-03-02`, read as midnight UTC).
 */
export function toIsoUtc(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

/** Channel and order of a hub-made document, from the PrivateNote marker `hub:<channel>/<externalOrderId>`. */
export function orderRefOf(note: string | undefined): { channel: string; externalOrderId: string } | undefined {
  const m = /(?:^|\s)hub:([a-z0-9][a-z0-9._-]*)\/(\S+)/.exec(note ?? '');
  return m ? { channel: m[1]!, externalOrderId: m[2]! } : undefined;
}
