import { describe, expect, it } from 'vitest';
import type { BudgetSpec } from '../connectors/types.js';
import { burstOf, freeAt, isUrgent, paceMs, reserveOf, routineSlot } from './budget-policy.js';

const DAY = 86_400_000;
const revisions: BudgetSpec = {
  name: 'listing-revisions',
  max: 250,
  windowMs: DAY,
  per: 'sku',
  operation: 'push.availability',
  doc: 'https://developer.ebay.com/develop/guides/listing-management',
};
const usage = (used: number, paceAt: number | null, expiries: [number, number][] = []) => ({ used, remaining: 250 - used, lastAt: paceAt, paceAt, expiries });

describe('budget policy', () => {
  it('keeps a tenth of a listing budget for urgent pushes and spreads the rest over the day', () => {
    expect(reserveOf(revisions)).toBe(25);
    expect(paceMs(revisions)).toBe(Math.ceil(DAY / 225));
  });

  it('lets a short burst through, then gives sustained changes one slot per pace, and waits for room below the reserve', () => {
    const now = 1_000_000;
    const pace = paceMs(revisions);
    expect(burstOf(revisions)).toBe(5);
    expect(routineSlot(revisions, usage(0, null), now)).toBe(now);
    // Pacing runs 2 paces ahead of the clock: within the burst, so now.
    expect(routineSlot(revisions, usage(2, now + 2 * pace), now)).toBe(now);
    // 7 paces ahead: the slot is when it is back to 4 paces ahead.
    expect(routineSlot(revisions, usage(7, now + 7 * pace), now)).toBe(now + 3 * pace);
    // 225 routine spends counted: the slot is when the oldest leaves the window.
    expect(
      routineSlot(
        revisions,
        usage(225, now - DAY, [
          [now + 5000, 1],
          [now + 9000, 224],
        ]),
        now,
      ),
    ).toBe(now + 5000);
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
    expect(
      freeAt(
        usage(250, 0, [
          [100, 1],
          [200, 249],
        ]),
        250,
        1,
        50,
      ),
    ).toBe(100);
    expect(freeAt(usage(10, 0), 250, 1, 50)).toBe(50);
  });
});
