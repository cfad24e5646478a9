import { deterministicEventId } from '../../http/signatures.js';
import type { z } from 'zod';
import { type MappingIssue, MappingError, ValidationError } from '../../../core/errors.js';
import { type CanonicalEvent, type CanonicalEventInput, CanonicalEventSchema, zodIssues } from '../../../core/model/index.js';
import type { NormalizeContext } from '../../types.js';

/** Parses a payload with its shape; a mismatch is a ValidationError naming the connector, topic and field. */
export function parseShape<T>(schema: z.ZodType<T>, body: unknown, ctx: NormalizeContext, topic: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = zodIssues(result.error);
  const first = issues[0] ?? { path: '(root)', message: 'invalid payload' };
  throw new ValidationError(`${ctx.connectorId}: ${topic} payload: ${issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    code: first.message === 'required' || /received undefined/.test(first.message) ? 'missing_field' : 'invalid_value',
    connectorId: ctx.connectorId,
    step: 'normalize',
    field: first.path,
  });
}

/** Validates the events a normalizer built; a failure names the event field. */
export function finalize(events: CanonicalEventInput[], ctx: NormalizeContext, topic: string): CanonicalEvent[] {
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

export function assertMapped(issues: MappingIssue[], ctx: NormalizeContext): void {
  if (issues.length > 0) throw new MappingError(issues, { connectorId: ctx.connectorId, step: 'normalize' });
}


/** A deterministic event id from its parts: normalizing the same payload twice gives the same ids. */
export const eventId = deterministicEventId;
