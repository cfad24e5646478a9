import { isSafeNumber, parse } from 'lossless-json';

/**
 * JSON.parse that keeps large integers exact: an integer beyond 2^53 (Shopify ids) becomes its
 * decimal string, every other number stays a number. Throws SyntaxError on malformed input.
 */
export function parseJsonPreservingIds(text: string): unknown {
  return parse(text, undefined, (value: string) => (isSafeNumber(value) ? Number(value) : /^-?\d+$/.test(value) ? value : Number(value)));
}
