import fc from 'fast-check';
import { isSafeNumber, parse } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { parseJsonPreservingIds } from './json.js';

/** The reference: lossless-json alone, as the hub parsed every body before the fast path. */
function lossless(text: string): unknown {
  return parse(text, undefined, (value: string) => (isSafeNumber(value) ? Number(value) : value));
}

const outcome = (f: () => unknown) => {
  try {
    return { value: f() };
  } catch (err) {
    return { error: (err as Error).name };
  }
};

describe('parseJsonPreservingIds', () => {
  it('answers exactly as lossless-json for any JSON text, big numbers and repeated keys included', () => {
    const bigInt = fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n }).map((n) => n.toString());
    const text = fc.oneof(
      fc.json({ maxDepth: 4 }),
      // Numbers a double cannot hold, as written by a sender.
      fc.tuple(fc.json({ maxDepth: 2 }), bigInt).map(([j, n]) => `{"id":${n},"v":${j}}`),
      fc.tuple(fc.integer(), fc.integer({ min: 0, max: 99 })).map(([a, b]) => `{"amount":${a}.${String(b).padStart(2, '0')}1234567890123}`),
      // A key written twice, at any depth.
      fc.tuple(fc.json({ maxDepth: 2 }), fc.json({ maxDepth: 2 })).map(([a, b]) => `{"x":{"k":${a},"k":${b}}}`),
      // Keys and strings holding quotes, colons and escapes.
      fc.string().map((s) => JSON.stringify({ [s]: s, [`${s}:`]: [s, 1] })),
      // Malformed: a valid text cut short or with a character changed.
      fc.tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.constantFrom('', '}', ':', '"', ',', '1')).map(([j, at, c]) => j.slice(0, at % (j.length + 1)) + c),
    );
    fc.assert(
      fc.property(text, (t) => {
        expect(outcome(() => parseJsonPreservingIds(t))).toEqual(outcome(() => lossless(t)));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps an id beyond 2^53 as its decimal text and refuses a repeated key', () => {
    expect(parseJsonPreservingIds('{"id":9007199254740993,"n":1}')).toEqual({ id: '9007199254740993', n: 1 });
    expect(() => parseJsonPreservingIds('{"a":1,"a":2}')).toThrow(SyntaxError);
    expect(() => parseJsonPreservingIds('{"a":{"b":1, "b" :2}}')).toThrow(/Duplicate key/);
  });

  it('refuses nesting past the limit before parsing', () => {
    expect(() => parseJsonPreservingIds(`${'['.repeat(65)}${']'.repeat(65)}`)).toThrow(/nested deeper than 64/);
  });
});
