import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';

/** Bodies a careless or hostile sender might post, each with the answer the hub owes it. */
const hostileDelivery = fc.oneof(
  // not JSON at all
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 200 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }).map((raw) => ({ kind: 'malformed' as const, raw })) },
  // JSON, signed, but nothing like a canonical event
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ kind: 'schema' as const, raw: JSON.stringify(v) })) },
  // a canonical event with one field replaced by something arbitrary
  { weight: 4, arbitrary: fc
    .record({
      field: fc.constantFrom('id', 'type', 'idempotencyKey', 'occurredAt', 'source', 'data', 'data.sku', 'data.delta', 'data.location'),
      value: fc.jsonValue({ maxDepth: 2 }),
    })
    .map(({ field, value }) => {
      const e = event('inventory.adjusted', { sku: 'FUZZ-1', location: 'wh-east', delta: 1, reason: 'fuzz' }) as Record<string, Record<string, unknown>>;
      const [a, b] = field.split('.') as [string, string | undefined];
      if (b) e[a] = { ...e[a], [b]: value };
      else (e as Record<string, unknown>)[a] = value;
      return { kind: 'mutated' as const, raw: JSON.stringify(e) };
    }) },
  // a valid event with a wrong signature
  { weight: 4, arbitrary: fc.string({ minLength: 16, maxLength: 40 }).map((secret) => ({
    kind: 'badsig' as const,
    raw: JSON.stringify(event('inventory.adjusted', { sku: 'FUZZ-2', location: 'wh-east', delta: 1, reason: 'fuzz' })),
    secret: `x${secret}`,
  })) },
  // larger than the body limit
  { weight: 1, arbitrary: fc.integer({ min: 1_050_000, max: 1_200_000 }).map((n) => ({ kind: 'oversized' as const, raw: JSON.stringify({ pad: 'x'.repeat(n) }) })) },
);

describe('bad input at the webhook intake (fast-check)', () => {
  let hub: TestHub;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    hub = await startTestHub();
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await hub.stop();
  });

  it('answers every hostile delivery with a 4xx or accepts it and dead-letters it with a reason; nothing crashes', async () => {
    const seen: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(hostileDelivery, async (d) => {
        const res = await hub.postEvents(null, { raw: d.raw, ...('secret' in d ? { secret: d.secret } : {}) });
        seen[`${d.kind}:${res.status}`] = (seen[`${d.kind}:${res.status}`] ?? 0) + 1;
        const expected = { malformed: [400], badsig: [401], oversized: [413], schema: [200, 400], mutated: [200, 400] }[d.kind];
        expect(expected).toContain(res.status);
        if (res.status !== 200) expect(res.json).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      }),
      { numRuns: Number(process.env["FUZZ_RUNS"] ?? 600) },
    );
    // Everything accepted ends applied (a mutation can still be valid) or dead-lettered with its reason.
    await waitFor(
      async () => (await hub.db.query<{ n: number }>(`SELECT count(*) AS n FROM inbox WHERE status = 'received'`)).rows[0]?.n === 0,
      'every accepted delivery handled',
      60_000,
    );
    const { rows } = await hub.db.query<{ status: string; reason: string | null }>(
      `SELECT i.status, d.message AS reason FROM inbox i LEFT JOIN dead_letter d ON d.inbox_id = i.id`,
    );
    expect(rows.filter((r) => r.status === 'dead' && !r.reason)).toEqual([]);
    expect(rows.filter((r) => r.status === 'dead').length).toBeGreaterThan(0);
    expect(unhandled).toEqual([]);
    // The workers still work: a good delivery after the storm is applied.
    const good = await hub.postEvents(event('inventory.adjusted', { sku: 'FUZZ-OK', location: 'wh-east', delta: 2, reason: 'after fuzz' }));
    await waitFor(async () => (await hub.db.query<{ status: string }>('SELECT status FROM inbox WHERE id = $1', [good.json['id']])).rows[0]?.status === 'processed', 'good delivery');
    console.log('fuzz outcomes', seen);
  });
});
