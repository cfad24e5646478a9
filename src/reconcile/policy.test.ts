import { describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config/load.js';
import { connectorChannel, decideStock, hubLocationOf, resolvePolicy } from './policy.js';

const yaml = (connector: string) => `
locations: [{ id: wh-east, kind: warehouse }]
channels: [{ id: web, connector: events, locations: [wh-east] }]
connectors:
  - id: events
    type: canonical
    credentials: { webhookSecret: 0123456789abcdef0123 }
${connector}
`;

describe('reconcile policy', () => {
  it('defaults to reporting stock drift and backfilling orders over the last day', () => {
    expect(resolvePolicy({})).toEqual({ stock: { policy: 'report', threshold: 10 }, orders: { policy: 'heal', windowMinutes: 1440 } });
  });

  it.each([
    ['heal', 100, 'healed'],
    ['threshold', 5, 'healed'],
    ['threshold', -5, 'healed'],
    ['threshold', 6, 'flagged'],
    ['report', 1, 'reported'],
  ] as const)('%s with a delta of %i: %s', (policy, delta, action) => {
    expect(decideStock({ policy, threshold: 5 }, delta)).toBe(action);
  });

  it('asks for approval above the threshold when told to (warehouse counts)', () => {
    expect(decideStock({ policy: 'threshold', threshold: 5 }, 40, 'awaiting_approval')).toBe('awaiting_approval');
  });

  it('reads reconcile and its schedules from config, and names a wrong key by its path', () => {
    const ok = parseConfig(
      yaml(`    schedules: { reconcileStock: { every: 60000 }, reconcileOrders: { pattern: "*/15 * * * *" } }
    reconcile: { stock: { policy: threshold, threshold: 3 } }`),
      {},
    );
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    expect(resolvePolicy(ok.config.connectors[0]!)).toEqual({ stock: { policy: 'threshold', threshold: 3 }, orders: { policy: 'heal', windowMinutes: 1440 } });
    const bad = parseConfig(yaml(`    reconcile: { stock: { policy: sometimes }, orders: { lookback: 5 } }`), {});
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['connectors[events].reconcile.stock.policy', 'connectors[events].reconcile.orders']));
  });

  it('finds the channel of a connector and maps its locations', () => {
    const parsed = parseConfig(yaml(''), {});
    if (!parsed.ok) throw new Error('config');
    const instance = { ...parsed.config.connectors[0]!, settings: { locations: { '555': 'wh-east' } } };
    expect(connectorChannel(parsed.config, instance)).toBe('web');
    const where = hubLocationOf(parsed.config, instance);
    expect([where('555'), where('wh-east'), where('999')]).toEqual(['wh-east', 'wh-east', null]);
    expect(() => connectorChannel({ ...parsed.config, channels: [] }, instance)).toThrow(/needs one channel/);
  });
});
