import { describe, expect, it } from 'vitest';
import { ChannelSchema, LocationSchema } from '../model/index.js';
import { ConfigError } from '../errors.js';
import { applyChannelRules, bundleAvailable } from './availability.js';
import { createErpContext, sellableLocations, stockGroup } from './context.js';

const channel = (input: Record<string, unknown>) => ChannelSchema.parse({ id: 'web', locations: ['wh'], ...input });

describe('applyChannelRules', () => {
  it.each([
    ['no rules', {}, 10, 10],
    ['safety stock', { safetyStock: 3 }, 10, 7],
    ['per-SKU safety stock overrides the channel one', { safetyStock: 3, skuSafetyStock: { SKU: 1 } }, 10, 9],
    ['absolute buffer after safety stock', { safetyStock: 2, buffers: [{ type: 'absolute', value: 3 }] }, 10, 5],
    ['percent buffer of available, rounded up', { buffers: [{ type: 'percent', value: 12.5 }] }, 7, 6],
    ['percent buffer of an exact multiple', { buffers: [{ type: 'percent', value: 10 }] }, 30, 27],
    ['cap', { cap: 4 }, 10, 4],
    ['floored at zero', { safetyStock: 20 }, 10, 0],
    ['zero stays zero', { buffers: [{ type: 'percent', value: 50 }] }, 0, 0],
  ])('%s', (_name, rules, available, expected) => {
    expect(applyChannelRules(available, channel(rules), 'SKU')).toBe(expected);
  });
});

describe('bundleAvailable', () => {
  it('is the minimum over components of floor(available / quantity)', () => {
    const stock: Record<string, number> = { A: 7, B: 20 };
    expect(
      bundleAvailable(
        [
          { sku: 'A', quantity: 2 },
          { sku: 'B', quantity: 3 },
        ],
        (s) => stock[s] ?? 0,
      ),
    ).toBe(3);
  });
  it('is 0 when a component is missing or short, and for a bundle without components', () => {
    expect(
      bundleAvailable(
        [
          { sku: 'A', quantity: 1 },
          { sku: 'Z', quantity: 1 },
        ],
        (s) => (s === 'A' ? 5 : 0),
      ),
    ).toBe(0);
    expect(bundleAvailable([{ sku: 'A', quantity: 1 }], () => -3)).toBe(0);
    expect(bundleAvailable([], () => 5)).toBe(0);
  });
});

describe('createErpContext', () => {
  const locations = ['a', 'b', 'c', 'd'].map((id) => LocationSchema.parse({ id, kind: 'warehouse' }));
  it('groups locations linked through channels, so a SKU is locked over every location a change can reach', () => {
    const ctx = createErpContext({
      locations,
      channels: [ChannelSchema.parse({ id: 'x', locations: ['b', 'a'] }), ChannelSchema.parse({ id: 'y', locations: ['c', 'b'] })],
    });
    expect(stockGroup(ctx, 'a')).toEqual(['a', 'b', 'c']);
    expect(stockGroup(ctx, 'c')).toEqual(['a', 'b', 'c']);
    expect(stockGroup(ctx, 'd')).toEqual(['d']);
    expect(ctx.channelsByLocation.get('b')!.map((c) => c.id)).toEqual(['x', 'y']);
  });
  it('never sells or allocates from an in-transit location, even when a channel lists it', () => {
    const transit = LocationSchema.parse({ id: 'truck', kind: 'in-transit' });
    const web = ChannelSchema.parse({ id: 'web', locations: ['truck', 'a'] });
    const ctx = createErpContext({ locations: [...locations, transit], channels: [web] });
    expect(sellableLocations(ctx, web)).toEqual(['a']);
  });
  it('refuses reorder rules and channels that name unknown locations, with the path', () => {
    const make = () =>
      createErpContext({
        locations,
        channels: [ChannelSchema.parse({ id: 'x', locations: ['zz'] })],
        replenishment: [{ sku: 'S', location: 'nowhere', reorderPoint: 1, reorderQuantity: 5 }],
      });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/channels\[0\]\.locations\[0\]: unknown location "zz"/);
    expect(make).toThrow(/replenishment\[0\]\.location: unknown location "nowhere"/);
  });
});
