import { deterministicEventId } from '../../http/signatures.js';
import { Decimal } from 'decimal.js';
import type { z } from 'zod';
import { ValidationError } from '../../../core/errors.js';
import { type CanonicalEvent, type CanonicalEventInput, CanonicalEventSchema, zodIssues } from '../../../core/model/index.js';
import type { NormalizeContext } from '../../types.js';
import type { WalmartConfig } from '../config.js';

/** What every Walmart normalizer receives (`settings.channel` is all it reads of the config). */
export type WalmartContext = NormalizeContext<Pick<WalmartConfig, 'settings'>>;

/** Parses a payload with its shape; a mismatch is a ValidationError naming connector, topic and field path. */
export function parseShape<T>(schema: z.ZodType<T>, body: unknown, ctx: WalmartContext, topic: string, at = ''): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = zodIssues(result.error).map((i) => ({ ...i, path: join(at, i.path) }));
  const first = issues[0] ?? { path: at || '(root)', message: 'invalid payload' };
  throw new ValidationError(`${ctx.connectorId}: ${topic} payload: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    code: first.message === 'required' || /received undefined/.test(first.message) ? 'missing_field' : 'invalid_value',
    connectorId: ctx.connectorId,
    step: 'normalize',
    field: first.path,
  });
}

const join = (at: string, path: string) => (at === '' ? path : path === '' || path === '(root)' ? at : path.startsWith('[') ? `${at}${path}` : `${at}.${path}`);

/** Fails normalization for one field with a reason (shape traps the schema cannot express). */
export function invalid(ctx: WalmartContext, topic: string, field: string, message: string, value?: unknown): ValidationError {
  return new ValidationError(`${ctx.connectorId}: ${topic} payload: ${field}: ${message}`, {
    connectorId: ctx.connectorId,
    step: 'normalize',
    field,
    ...(typeof value === 'number' || typeof value === 'boolean' ? { value } : {}),
  });
}

/** Validates the events built; a failure names the event field. */
export function finalize(events: CanonicalEventInput[], ctx: WalmartContext, topic: string): CanonicalEvent[] {
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

/**
 * Epoch milliseconds to ISO 8601 UTC. A value below 10^11 (before 1973 in milliseconds) is what
 * epoch seconds look like: refused rather than read as a date in January 1970.
 */
export function epochMillisToIso(ms: number, ctx: WalmartContext, topic: string, field: string): string {
  if (!Number.isSafeInteger(ms) || ms < 1e11 || ms > 1e14) throw invalid(ctx, topic, field, 'must be epoch milliseconds (this looks like seconds or is out of range)', ms);
  return new Date(ms).toISOString();
}

/** A Walmart amount (JSON number or decimal string) as a decimal, through its shortest decimal text. */
export function decimalOf(amount: number | string): Decimal {
  return new Decimal(typeof amount === 'number' ? amount.toString() : amount);
}

/** A decimal as the canonical amount string, keeping at least cents ("10" → "10.00"). */
export function amountString(value: Decimal): string {
  return value.decimalPlaces() <= 2 ? value.toFixed(2) : value.toFixed();
}


/** The envelope fields shared by every Walmart event. */
export function envelope(ctx: WalmartContext, topic: string, type: CanonicalEvent['type'], externalId: string, version: string, key: string) {
  return {
    id: eventId(ctx.connectorId, topic, type, externalId, version),
    idempotencyKey: `${ctx.connectorId}:${key}`,
    source: { connector: ctx.connectorId, connectorType: ctx.connectorType, externalId, version },
  };
}

/** A deterministic event id from its parts: normalizing the same payload twice gives the same ids. */
export const eventId = deterministicEventId;
