import { z } from 'zod';
import { ValidationError } from '../../core/errors.js';

/** A poll cursor that is an instant: the ISO 8601 UTC time the next poll reads from. */
export const InstantCursorSchema = z.iso.datetime({ message: 'must be an ISO 8601 UTC instant' });

/**
 * Refuses a stored cursor that is not an ISO 8601 UTC instant (a hand edit, another connector's
 * cursor) rather than reading it as some other time: a ValidationError naming the cursor.
 */
export function checkInstantCursor(cursor: string | null, connectorType: string, connectorId?: string): void {
  if (cursor === null || InstantCursorSchema.safeParse(cursor).success) return;
  throw new ValidationError(`${connectorId ? `${connectorId}: ` : ''}${connectorType} poll cursor "${cursor}" is not an ISO 8601 UTC instant`, {
    field: 'cursor',
    value: cursor,
    ...(connectorId ? { connectorId } : {}),
  });
}
