import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_CONFIG, event, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';

/** Keys plain objects inherit or treat specially: never a location, status, SKU or map entry. */
const PROTOTYPE_KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'prototype'];
const protoKey = fc.constantFrom(...PROTOTYPE_KEYS);

/** Arrays/objects nested deeper than the parser's limit (64), as raw JSON text. */
const deepJson = fc
  .record({ depth: fc.integer({ min: 65, max: 5000 }), open: fc.constantFrom('[', '{"a":') })
  .map(({ depth, open }) => open.repeat(depth) + (open === '[' ? '' : '1') + (open === '[' ? ']' : '}').repeat(depth));

/** Integers the store cannot hold, written as JSON numbers (some beyond 2^53, some beyond a double). */
const hugeInteger = fc.oneof(
  fc.constantFrom('3000000000', '-3000000000', '2147483648', '9007199254740993', '1e308', '-1e400', '123456789012345678901234567890'),
  fc.bigInt({ min: 2n ** 31n, max: 2n ** 200n }).map((n) => String(n)),
);

/** Bodies a careless or hostile sender might post, each with the answer the hub owes it. */
const hostileDelivery = fc.oneof(
  // not JSON at all
  {
    weight: 4,
    arbitrary: fc
      .string({ minLength: 1, maxLength: 200 })
      .filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      })
      .map((raw) => ({ kind: 'malformed' as const, raw })),
  },
  // JSON, signed, but nothing like a canonical event
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ kind: 'schema' as const, raw: JSON.stringify(v) })) },
  // a canonical event with one field replaced by something arbitrary
  {
    weight: 4,
    arbitrary: fc
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
      }),
  },
  // a valid event with a wrong signature
  {
    weight: 4,
    arbitrary: fc.string({ minLength: 16, maxLength: 40 }).map((secret) => ({
      kind: 'badsig' as const,
      raw: JSON.stringify(event('inventory.adjusted', { sku: 'FUZZ-2', location: 'wh-east', delta: 1, reason: 'fuzz' })),
      secret: `x${secret}`,
    })),
  },
  // nested beyond the depth limit: refused at the intake, never a worker stack overflow
  { weight: 2, arbitrary: deepJson.map((raw) => ({ kind: 'deep' as const, raw })) },
  // an integer field the store cannot hold: accepted, then dead-lettered as a validation error
  {
    weight: 2,
    arbitrary: fc.record({ field: fc.constantFrom('delta', 'quantity'), value: hugeInteger }).map(({ field, value }) => {
      const e =
        field === 'delta'
          ? event('inventory.adjusted', { sku: 'FUZZ-HUGE', location: 'wh-east', delta: 0, reason: 'fuzz' })
          : event('inventory.level.reported', { sku: 'FUZZ-HUGE', location: 'wh-east', quantity: 0 });
      return { kind: 'huge' as const, raw: JSON.stringify(e).replace(`"${field}":0`, `"${field}":${value}`) };
    }),
  },
  // prototype keys as location, channel, state, SKU and as object keys: unknown, never inherited
  {
    weight: 2,
    arbitrary: fc.record({ key: protoKey, where: fc.constantFrom('location', 'state', 'channel', 'objectKey') }).map(({ key, where }) => {
      const e =
        where === 'channel'
          ? event('order.cancelled', { channel: key, externalOrderId: 'FUZZ-O', cancelledAt: '2026-01-01T00:00:00.000Z' })
          : event('inventory.adjusted', {
              sku: 'FUZZ-PROTO',
              location: where === 'location' ? key : 'wh-east',
              state: where === 'state' ? key : 'onHand',
              delta: 1,
              reason: 'fuzz',
            });
      const raw = where === 'objectKey' ? JSON.stringify(e).replace('"data":{', `"data":{"${key}":{"polluted":true},`) : JSON.stringify(e);
      return { kind: 'proto' as const, raw };
    }),
  },
  // larger than the body limit
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1_050_000, max: 1_200_000 }).map((n) => ({ kind: 'oversized' as const, raw: JSON.stringify({ pad: 'x'.repeat(n) }) })),
  },
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
        const expected = { malformed: [400], badsig: [401], oversized: [413], schema: [200, 400], mutated: [200, 400], deep: [400], huge: [200], proto: [200] }[
          d.kind
        ];
        expect(expected).toContain(res.status);
        if (res.status !== 200) expect(res.json).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      }),
      { numRuns: Number(process.env['FUZZ_RUNS'] ?? 600) },
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
    // Huge integers and prototype locations/states/channels never reach the ledger as values.
    const { rows: leaked } = await hub.db.query(`SELECT 1 FROM inventory_balance WHERE location = ANY($1::text[]) OR (sku = 'FUZZ-HUGE' AND quantity <> 0)`, [
      PROTOTYPE_KEYS,
    ]);
    expect(leaked).toEqual([]);
    const { rows: unexpected } = await hub.db.query(`SELECT message FROM dead_letter WHERE error_code = 'unexpected'`);
    expect(unexpected).toEqual([]);
    // The workers still work: a good delivery after the storm is applied.
    const good = await hub.postEvents(event('inventory.adjusted', { sku: 'FUZZ-OK', location: 'wh-east', delta: 2, reason: 'after fuzz' }));
    await waitFor(
      async () => (await hub.db.query<{ status: string }>('SELECT status FROM inbox WHERE id = $1', [good.json['id']])).rows[0]?.status === 'processed',
      'good delivery',
    );
    console.log('fuzz outcomes', seen);
  });
});

/** A configured sender with every kind of map: location, SKU, status and a named value map. */
const MAPPED_CONFIG = `${BASE_CONFIG}
  - id: acme
    type: generic-webhook
    settings:
      channel: web
      locations: { RNO1: wh-east }
      skuMap: { entries: { A-1: FUZZ-MAPPED } }
      statusMap: { open: pending }
      valueMaps: { reason: { values: { RTN: customer return } } }
      verify: { apiKey: { header: X-Api-Key } }
      topic: { header: X-Event }
      dedup: { header: X-Id }
      events:
        receipt:
          type: inventory.adjusted
          externalId: "id"
          data:
            sku: { expr: "item", map: sku }
            location: { expr: "site", map: location }
            delta: "qty"
            reason: { expr: "why", map: reason }
        cancel:
          type: order.cancelled
          externalId: "id"
          data:
            channel: "$channel"
            externalOrderId: "id"
            cancelledAt: { value: "2026-01-01T00:00:00.000Z" }
            reason: { expr: "status", map: status }
    credentials: { apiKey: "fuzz-api-key-0123456789" }
`;

describe('prototype keys in every map of a configured sender (fast-check)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ yaml: MAPPED_CONFIG });
  });
  afterAll(async () => {
    await hub.stop();
  });

  /** One payload with a prototype key in at least one mapped field (the others valid). */
  const delivery = fc.oneof(
    fc.record({ item: fc.option(protoKey), site: fc.option(protoKey), why: fc.option(protoKey), key: protoKey }).map(({ item, site, why, key }) => ({
      topic: 'receipt',
      body: { id: `r-${Math.random()}`, item: item ?? (site || why ? 'A-1' : key), site: site ?? 'RNO1', why: why ?? 'RTN', qty: 1 },
    })),
    protoKey.map((status) => ({ topic: 'cancel', body: { id: `c-${Math.random()}`, status } })),
  );

  it('answers 200 and dead-letters each as an unmapped value; nothing is applied from an inherited member', async () => {
    const ids: number[] = [];
    await fc.assert(
      fc.asyncProperty(delivery, async (d) => {
        const res = await fetch(`${hub.url}/webhooks/acme`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': 'fuzz-api-key-0123456789', 'x-event': d.topic, 'x-id': String(d.body.id) },
          body: JSON.stringify(d.body),
        });
        expect(res.status).toBe(200);
        ids.push(((await res.json()) as { id: number }).id);
      }),
      { numRuns: Number(process.env['FUZZ_MAP_RUNS'] ?? 120) },
    );
    // A prototype key as the topic is an unknown topic: acknowledged and ignored.
    for (const topic of PROTOTYPE_KEYS) {
      const res = await fetch(`${hub.url}/webhooks/acme`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'fuzz-api-key-0123456789', 'x-event': topic, 'x-id': `t-${topic}` },
        body: '{"id":"t"}',
      });
      expect(await res.json()).toMatchObject({ status: 'ignored' });
    }
    await waitFor(
      async () =>
        (await hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbox WHERE id = ANY($1::bigint[]) AND status = 'received'`, [ids])).rows[0]?.n ===
        0,
      'every delivery handled',
      60_000,
    );
    const { rows } = await hub.db.query<{ status: string; code: string | null }>(
      `SELECT i.status, d.error_code AS code FROM inbox i LEFT JOIN dead_letter d ON d.inbox_id = i.id WHERE i.id = ANY($1::bigint[])`,
      [ids],
    );
    expect(rows.filter((r) => r.status !== 'dead')).toEqual([]);
    const mappingCodes = ['unknown_sku', 'unmapped_location', 'unmapped_value', 'unmapped_status'];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => !mappingCodes.includes(r.code ?? ''))).toEqual([]);
    const { rows: moved } = await hub.db.query(`SELECT 1 FROM inventory_movement WHERE sku = 'FUZZ-MAPPED' OR location = ANY($1::text[])`, [PROTOTYPE_KEYS]);
    expect(moved).toEqual([]);
  });
});
