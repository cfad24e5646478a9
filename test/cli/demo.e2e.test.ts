import { describe, expect, it } from 'vitest';
import { runHub } from '../helpers/cli.js';

describe('hub demo', () => {
  it('runs the simulated store and warehouse through the hub and prints a summary with dead letters and stock accuracy', async () => {
    const result = await runHub(['demo', '--exit', '--skus', '30', '--orders', '30']);
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/orders placed in the store\s+│ 30/);
    expect(out).toMatch(/canonical events applied\s+│ \d+/);
    // The injected failures: an order for an unknown SKU and a receipt with a fractional quantity.
    expect(out).toMatch(/dead letters\s+│ .*invalid_value \d+/);
    expect(out).toMatch(/dead letters\s+│ .*unknown_sku \d+/);
    const accuracy = /stock accuracy, channel web\s+│ ([\d.]+)%/.exec(out);
    expect(Number(accuracy?.[1])).toBe(100);
    expect(out).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\/dashboard/);
  });
});
