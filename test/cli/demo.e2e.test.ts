import { describe, expect, it } from 'vitest';
import { runHub } from '../helpers/cli.js';

describe('hub demo', () => {
  // The demo waits on readiness signals (queues drained, orders polled), never on a time budget:
  // a busy machine makes it slower, not wrong. The test's own ceiling is generous for that reason.
  it('runs the order-to-cash flow on the simulators and prints a summary with every system, dead letters and stock accuracy', async () => {
    const result = await runHub(['demo', '--exit', '--skus', '30', '--orders', '30']);
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain('What this demo shows');
    expect(out).toMatch(/orders placed in the store\s+│ 30/);
    expect(out).toMatch(/orders placed on eBay \(polled\)\s+│ 10/);
    expect(out).toMatch(/canonical events applied\s+│ \d+/);
    // The injected failures: an order for an unknown SKU, a receipt with a fractional quantity, and the ship-vs-cancel race.
    expect(out).toMatch(/dead letters\s+│ .*illegal_transition \d+/);
    expect(out).toMatch(/dead letters\s+│ .*invalid_value \d+/);
    expect(out).toMatch(/dead letters\s+│ .*unknown_sku \d+/);
    expect(out).toContain('The ship-vs-cancel race');
    const count = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
    const pushed = count(/pushed to the 3PL \(ShipStation\)\s+│ (\d+) hops/);
    const trackers = count(/carrier trackers \(EasyPost\)\s+│ (\d+) hops/);
    const booked = count(/booked in accounting \(QuickBooks\)\s+│ (\d+) hops/);
    const closed = count(/orders delivered and closed\s+│ \d+ shipments delivered, (\d+) orders closed/);
    expect(pushed).toBeGreaterThan(0);
    expect(trackers).toBeGreaterThan(0);
    expect(booked).toBeGreaterThan(0);
    expect(closed).toBeGreaterThan(0);
    expect(count(/fulfilments recorded on eBay\s+│ (\d+)/)).toBeGreaterThan(0);
    // Every tracker the carrier holds was delivered, and every parcel booked once.
    expect(out).toMatch(/carrier trackers \(EasyPost\)\s+│ (\d+) hops; \1 trackers, \1 delivered/);
    const accuracy = /stock accuracy, channel web\s+│ ([\d.]+)%/.exec(out);
    expect(Number(accuracy?.[1])).toBe(100);
    expect(out).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\/dashboard/);
  }, 900_000);
});
