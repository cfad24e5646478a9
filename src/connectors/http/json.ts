import { isSafeNumber, parse } from 'lossless-json';

/**
 * JSON.parse that keeps numbers exact: a number a double cannot hold as written (an integer beyond
 * 2^53 such as a Shopify id, or an amount with more digits than a double keeps) becomes its
 * decimal text; every other number stays a number. Throws SyntaxError on malformed input.
 */
export function parseJsonPreservingIds(text: string): unknown {
  return parse(text, undefined, (value: string) => (isSafeNumber(value) ? Number(value) : value));
}
