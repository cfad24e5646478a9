import { describe, expect, it } from 'vitest';
import { CanonicalEventSchema, ORDER_STATUSES } from '../model/index.js';
import { IllegalTransitionError } from '../errors.js';
import { assertTransition, deriveStatus, isLegalTransition, ORDER_TRANSITIONS } from './order-lifecycle.js';
import { compareVersions, entityKey } from './stale.js';

describe('order lifecycle', () => {
  it('has a transitions entry for every status, naming only known statuses', () => {
    for (const s of ORDER_STATUSES) for (const t of ORDER_TRANSITIONS[s]) expect(ORDER_STATUSES).toContain(t);
    expect(Object.keys(ORDER_TRANSITIONS).sort()).toEqual([...ORDER_STATUSES].sort());
  });
  it.each([
    ['allocated', 'shipped', true],
    ['backordered', 'allocated', true],
    ['partially_shipped', 'cancelled', true],
    ['shipped', 'closed', true],
    ['shipped', 'cancelled', false],
    ['cancelled', 'allocated', false],
    ['closed', 'backordered', false],
    ['partially_shipped', 'backordered', false],
    ['cancelled', 'cancelled', true],
  ] as const)('%s -> %s is %s', (from, to, legal) => {
    expect(isLegalTransition(from, to)).toBe(legal);
  });
  it('an illegal transition error names both states', () => {
    expect(() => assertTransition('web/1001', 'shipped', 'cancelled')).toThrow(IllegalTransitionError);
    expect(() => assertTransition('web/1001', 'shipped', 'cancelled')).toThrow('order web/1001 cannot move from shipped to cancelled');
  });
  it.each([
    [{ required: 3, allocated: 3, shipped: 0, unmappedLines: 0 }, false, 'allocated'],
    [{ required: 3, allocated: 2, shipped: 0, unmappedLines: 0 }, false, 'backordered'],
    [{ required: 3, allocated: 3, shipped: 0, unmappedLines: 1 }, false, 'backordered'],
    [{ required: 3, allocated: 1, shipped: 1, unmappedLines: 0 }, false, 'partially_shipped'],
    [{ required: 3, allocated: 0, shipped: 3, unmappedLines: 0 }, false, 'shipped'],
    [{ required: 3, allocated: 0, shipped: 3, unmappedLines: 0 }, true, 'closed'],
  ] as const)('derives %j (invoiced %s) as %s', (progress, invoiced, expected) => {
    expect(deriveStatus('pending', progress, invoiced)).toBe(expected);
  });
  it.each([
    [{ required: 3, allocated: 0, shipped: 3, unmappedLines: 0 }, false, true, 'closed'],
    [{ required: 3, allocated: 0, shipped: 3, unmappedLines: 0 }, false, false, 'shipped'],
    // Delivered shipments of part of the order do not close it: the rest has not shipped.
    [{ required: 3, allocated: 1, shipped: 2, unmappedLines: 0 }, false, true, 'partially_shipped'],
    // A line that moves no mapped stock keeps the order open even when every shipment arrived.
    [{ required: 3, allocated: 0, shipped: 3, unmappedLines: 1 }, false, true, 'partially_shipped'],
  ] as const)('derives %j (invoiced %s, every shipment delivered %s) as %s', (progress, invoiced, delivered, expected) => {
    expect(deriveStatus('shipped', progress, invoiced, delivered)).toBe(expected);
  });
  it('a cancelled order stays cancelled whatever its items say', () => {
    expect(deriveStatus('cancelled', { required: 1, allocated: 1, shipped: 0, unmappedLines: 0 }, false)).toBe('cancelled');
  });
});

describe('compareVersions', () => {
  it.each([
    ['2026-03-01T10:00:00+01:00', '2026-03-01T09:30:00Z', -1],
    ['2026-03-01T09:00:00.000Z', '2026-03-01T10:00:00+01:00', 0],
    ['2026-03-02', '2026-03-01T23:59:59Z', 1],
    ['10', '9', 1],
    ['18446744073709551616', '18446744073709551615', 1],
    ['1.10', '1.9', -1],
    ['b', 'a', 1],
    ['5', '2026-01-01T00:00:00Z', 1],
  ])('%s vs %s -> %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });
});

describe('entityKey', () => {
  const base = { id: 'e', idempotencyKey: 'k', source: { connector: 'shop', connectorType: 'shopify', externalId: '1' }, occurredAt: '2026-01-01T00:00:00Z' };
  it('scopes order events by connector, channel and order, and gives deltas no entity', () => {
    const cancel = CanonicalEventSchema.parse({
      ...base,
      type: 'order.cancelled',
      data: { channel: 'web', externalOrderId: '9', cancelledAt: '2026-01-01T00:00:00Z' },
    });
    expect(entityKey(cancel)).toBe('shop:order/web/9');
    const adjust = CanonicalEventSchema.parse({ ...base, type: 'inventory.adjusted', data: { sku: 'A', location: 'wh', delta: 1, reason: 'r' } });
    expect(entityKey(adjust)).toBeNull();
  });
});
