import { describe, expect, it } from 'vitest';
import type { BudgetSpec } from '../connectors/types.js';
import { isUrgent, paceMs, reserveOf, routineSlot } from './budget-policy.js';
import { freeAt } from './budget-store.js';

const DAY = 86_400_000;
const revisions: BudgetSpec = { name: 'listing-revisions', max: 250, windowMs: DAY, per: 'sku', operation: 'push.availability', doc: 'https://developer.ebay.com/develop/guides/listing-management' };
const usage = (used: number, lastAt: number | null, expiries: [number, number][] = []) => ({ used, remaining: 250 - used, lastAt, expiries });

describe('budget policy', () => {
  it('keeps a tenth of a listing budget for urgent pushes and spreads the rest over the day', () => {
    expect(reserveOf(revisions)).toBe(25);
    expect(paceMs(revisions)).toBe(Math.ceil(DAY / 225));
  });

  it('gives a routine change its slot one pace after the last push, and after room opens below the reserve', () => {
    const now = 1_000_000;
    expect(routineSlot(revisions, usage(0, null), now)).toBe(now);
    expect(routineSlot(revisions, usage(10, now - 1000), now)).toBe(now - 1000 + paceMs(revisions));
    // 225 routine spends counted: the slot is when the oldest leaves the window.
    expect(routineSlot(revisions, usage(225, now - DAY, [[now + 5000, 1], [now + 9000, 224]]), now)).toBe(now + 5000);
  });

  it('calls a drop to the threshold or below urgent, but not a rise or an unchanged zero', () => {
    expect(isUrgent(0, 7)).toBe(true);
    expect(isUrgent(0, undefined)).toBe(true);
    expect(isUrgent(2, 9, 2)).toBe(true);
    expect(isUrgent(3, 9, 2)).toBe(false);
    expect(isUrgent(0, 0)).toBe(false);
    expect(isUrgent(1, 0, 2)).toBe(false);
  });

  it('finds when enough spends have left the window for one more', () => {
    expect(freeAt(usage(250, 0, [[100, 1], [200, 249]]), 250, 1, 50)).toBe(100);
    expect(freeAt(usage(10, 0), 250, 1, 50)).toBe(50);
  });
});
