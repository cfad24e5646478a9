import { randomUUID } from 'node:crypto';
import {
  ChannelSchema,
  CanonicalEventSchema,
  LocationSchema,
  type CanonicalEvent,
  type ChannelInput,
  type EventOf,
  type EventType,
} from '../../src/core/model/index.js';
import { applyEvent, createErpContext, getInventory, getOrder, type ApplyOutcome, type ErpContext } from '../../src/core/erp/index.js';
import type { Db } from '../../src/core/store/index.js';
import { afterAll, beforeAll, expect } from 'vitest';
import { verifyLedger } from '../../src/core/erp/index.js';
import { openTestDb, type TestDbKind } from '../helpers/db.js';

/**
 * A migrated database of `kind` for one suite: opened before its tests, handed over through
 * `set`, and closed after them, once the ledger has verified clean (unless `verify` is false).
 */
export function useErpDb(kind: TestDbKind, set: (db: Db) => void, options: { verify?: boolean } = {}): void {
  let db: Db | undefined;
  beforeAll(async () => {
    db = await openTestDb(kind);
    set(db);
  });
  afterAll(async () => {
    if (!db) return;
    if (options.verify !== false) expect(await verifyLedger(db)).toEqual([]);
    await db.close();
  });
}

/**
 * Test topology: `web` draws on wh-a then wh-b; `wholesale` on tpl then wh-a with safety stock,
 * a 10% buffer and a cap; store-x feeds no channel. Reorder rule on R-* SKUs at wh-a.
 */
export function testContext(
  channels?: ChannelInput[],
  replenishment: { sku: string; location: string; reorderPoint: number; reorderQuantity: number }[] = [],
): ErpContext {
  return createErpContext({
    locations: [
      LocationSchema.parse({ id: 'wh-a', kind: 'warehouse' }),
      LocationSchema.parse({ id: 'wh-b', kind: 'warehouse' }),
      LocationSchema.parse({ id: 'tpl', kind: '3pl' }),
      LocationSchema.parse({ id: 'store-x', kind: 'store' }),
    ],
    channels: (
      channels ?? [
        { id: 'web', locations: ['wh-a', 'wh-b'] },
        { id: 'wholesale', locations: ['tpl', 'wh-a'], safetyStock: 2, buffers: [{ type: 'percent', value: 10 }], cap: 50 },
      ]
    ).map((c) => ChannelSchema.parse(c)),
    replenishment,
  });
}

/** Unique names per test so tests can share one database. */
export function uniq(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

let seq = 0;

/** A canonical event, parsed so defaults apply; a fresh idempotency key unless one is given. */
export function ev<T extends EventType>(
  type: T,
  data: Record<string, unknown>,
  opts: { key?: string; version?: string | null; connector?: string; externalId?: string } = {},
): EventOf<T> {
  seq++;
  const key = opts.key ?? `k-${randomUUID()}`;
  return CanonicalEventSchema.parse({
    id: `e-${seq}-${key}`,
    type,
    idempotencyKey: key,
    source: { connector: opts.connector ?? 'test-src', connectorType: 'test', externalId: opts.externalId ?? `x-${seq}`, version: opts.version ?? null },
    occurredAt: '2026-01-01T00:00:00.000Z',
    data,
  }) as EventOf<T>;
}

export const money = (amount: string) => ({ amount, currency: 'USD' });

export function adjust(sku: string, location: string, delta: number, opts: { state?: string; reason?: string } = {}) {
  return ev('inventory.adjusted', { sku, location, delta, state: opts.state ?? 'onHand', reason: opts.reason ?? 'receipt' });
}

export function level(sku: string, location: string, quantity: number, opts: { version?: string; reporter?: 'warehouse' | 'channel'; key?: string } = {}) {
  return ev('inventory.level.reported', { sku, location, quantity, reporter: opts.reporter ?? 'warehouse' }, { version: opts.version ?? null, key: opts.key });
}

export function order(
  externalOrderId: string,
  lines: [sku: string | null, quantity: number][],
  opts: { channel?: string; placedAt?: string; version?: string; key?: string } = {},
) {
  return ev(
    'order.upserted',
    {
      channel: opts.channel ?? 'web',
      externalOrderId,
      orderNumber: `#${externalOrderId}`,
      placedAt: opts.placedAt ?? '2026-01-01T10:00:00.000Z',
      currency: 'USD',
      total: money('10.00'),
      lines: lines.map(([sku, quantity], i) => ({
        externalLineId: `${externalOrderId}-L${i + 1}`,
        sku,
        ...(sku === null ? { skuUnmappedReason: 'no mapping for variant 42' } : {}),
        quantity,
        unitPrice: money('5.00'),
      })),
    },
    { version: opts.version ?? null, key: opts.key },
  );
}

export function ship(externalOrderId: string, externalShipmentId: string, location: string, lines: { sku: string; quantity: number }[], channel = 'web') {
  return ev('shipment.confirmed', { channel, externalOrderId, externalShipmentId, location, shippedAt: '2026-01-02T00:00:00.000Z', lines });
}

export function product(sku: string, components: { sku: string; quantity: number }[] = [], opts: { version?: string; active?: boolean } = {}) {
  return ev('product.upserted', { sku, title: `Product ${sku}`, components, active: opts.active ?? true }, { version: opts.version ?? null });
}

/** Applies events in order and returns the outcomes. */
export async function applyAll(db: Db, ctx: ErpContext, events: CanonicalEvent[]): Promise<ApplyOutcome[]> {
  const out: ApplyOutcome[] = [];
  for (const e of events) out.push(await applyEvent(db, e, ctx));
  return out;
}

/** Balances of a SKU at one location (zeros when none). */
export async function balanceAt(db: Db, ctx: ErpContext, sku: string, location: string) {
  const view = await getInventory(db, sku, ctx);
  const b = view.locations.find((l) => l.location === location);
  return {
    onHand: b?.onHand ?? 0,
    allocated: b?.allocated ?? 0,
    quarantined: b?.quarantined ?? 0,
    inTransit: b?.inTransit ?? 0,
    returned: b?.returned ?? 0,
    available: b?.available ?? 0,
  };
}

export async function atsOf(db: Db, ctx: ErpContext, sku: string): Promise<Record<string, number>> {
  const view = await getInventory(db, sku, ctx);
  return Object.fromEntries(view.availableToSell.map((a) => [a.channel, a.available]));
}

export async function statusOf(db: Db, externalOrderId: string, channel = 'web') {
  return (await getOrder(db, channel, externalOrderId))?.status;
}
