import { parseJsonPreservingIds } from './json.js';

/**
 * A response body read as JSON without losing big ids or long amounts; undefined for an empty or
 * non-JSON body (an HTML error page, a truncated answer), which callers treat as "no details".
 */
export function parseBody(text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    return parseJsonPreservingIds(text);
  } catch {
    return undefined;
  }
}

/**
 * Provider error details for an error message, as `": A1 first message; A2 second"`, or `""` when
 * there are none. Each entry lists the allow-listed fields of one provider error (its code, field,
 * message: never headers or whole bodies, which may echo credentials or customer data); only
 * non-empty strings and numbers are kept, and the text is cut at `maxChars`.
 */
export function errorDetails(entries: readonly (readonly unknown[])[], maxChars = 300): string {
  const text = entries
    .map((fields) =>
      fields
        .filter((f) => (typeof f === 'string' && f.trim() !== '') || typeof f === 'number')
        .map(String)
        .join(' ')
        .trim(),
    )
    .filter(Boolean)
    .join('; ');
  return text ? `: ${text.slice(0, maxChars)}` : '';
}
