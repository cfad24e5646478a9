import { isSafeNumber, parse } from 'lossless-json';

/**
 * Deepest nesting of arrays and objects a body may have. Real payloads stay far below it (a
 * Shopify order is under 10 levels); a recursive parser or schema walk on thousands of levels
 * overflows the stack instead of failing cleanly.
 */
export const MAX_JSON_DEPTH = 64;

/** Throws a SyntaxError when `text` nests arrays/objects deeper than `max`; a linear scan, strings skipped. */
export function assertJsonDepth(text: string, max = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) throw new SyntaxError(`JSON nested deeper than ${max} levels at position ${i}`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

/**
 * JSON.parse that keeps numbers exact: a number a double cannot hold as written (an integer beyond
 * 2^53 such as a Shopify id, or an amount with more digits than a double keeps) becomes its
 * decimal text; every other number stays a number. The one parser of delivery bodies: the
 * webhook intake and the workers call it, so what one accepts the other can read. Throws
 * SyntaxError on malformed input, nesting beyond {@link MAX_JSON_DEPTH} and duplicate keys.
 */
export function parseJsonPreservingIds(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  assertJsonDepth(text, maxDepth);
  try {
    return parse(text, undefined, (value: string) => (isSafeNumber(value) ? Number(value) : value));
  } catch (err) {
    if (err instanceof SyntaxError) throw err;
    // Anything else from the parser (a stack overflow) is still a body that cannot be read.
    throw new SyntaxError(`JSON could not be parsed: ${(err as Error).message}`);
  }
}
