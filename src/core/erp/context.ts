import type { Channel, Location, ReplenishmentRule } from '../model/index.js';
import { ConfigError } from '../errors.js';

export type { ReplenishmentRule };

/**
 * What the ERP core knows from configuration: locations, channels (routing priority, safety
 * stock, buffers, cap) and reorder rules. Built once per config load with {@link createErpContext}.
 */
export interface ErpContext {
  readonly locations: ReadonlyMap<string, Location>;
  readonly channels: ReadonlyMap<string, Channel>;
  /** Reorder rules keyed by {@link pairKey}(sku, location). */
  readonly replenishment: ReadonlyMap<string, ReplenishmentRule>;
  /** Channels fed by each location. */
  readonly channelsByLocation: ReadonlyMap<string, readonly Channel[]>;
  /** See {@link stockGroup}. */
  readonly stockGroups: ReadonlyMap<string, readonly string[]>;
  /** Channel → connector instance that records fulfilments there (from the bound connectors). */
  readonly fulfillmentRoutes: ReadonlyMap<string, string>;
}

/** The parts of HubConfig the ERP core reads. */
export interface ErpConfig {
  locations: readonly Location[];
  channels: readonly Channel[];
  replenishment?: readonly ReplenishmentRule[];
  /** Channel → connector that records fulfilments there; none when not given. */
  fulfillmentRoutes?: ReadonlyMap<string, string>;
}

/** Key of a (sku, location) pair in maps and sets. */
export function pairKey(sku: string, location: string): string {
  return `${sku}\u0000${location}`;
}

/** Builds the ERP context from configuration; throws a ConfigError for references to unknown locations. */
export function createErpContext(config: ErpConfig): ErpContext {
  const locations = new Map(config.locations.map((l) => [l.id, l]));
  const channels = new Map(config.channels.map((c) => [c.id, c]));
  const problems: { path: string; message: string }[] = [];
  const channelsByLocation = new Map<string, Channel[]>();
  config.channels.forEach((channel, i) => {
    channel.locations.forEach((loc, j) => {
      if (!locations.has(loc)) problems.push({ path: `channels[${i}].locations[${j}]`, message: `unknown location "${loc}"` });
      const list = channelsByLocation.get(loc) ?? [];
      list.push(channel);
      channelsByLocation.set(loc, list);
    });
  });
  const replenishment = new Map<string, ReplenishmentRule>();
  (config.replenishment ?? []).forEach((rule, i) => {
    if (!locations.has(rule.location)) {
      problems.push({ path: `replenishment[${i}].location`, message: `unknown location "${rule.location}"` });
    }
    replenishment.set(pairKey(rule.sku, rule.location), rule);
  });
  if (problems.length > 0) {
    throw new ConfigError(problems.map((p) => `${p.path}: ${p.message}`).join('\n'), problems);
  }
  const stockGroups = buildStockGroups(locations.keys(), config.channels);
  return { locations, channels, replenishment, channelsByLocation, stockGroups, fulfillmentRoutes: config.fulfillmentRoutes ?? new Map() };
}

/**
 * The locations a channel sells and allocates from, in routing priority order. Stock held at an
 * `in-transit` location is on its way, not on a shelf, so it is never sold or allocated even when
 * a channel lists it (it shows up once received at a real location).
 */
export function sellableLocations(ctx: ErpContext, channel: Channel): string[] {
  return channel.locations.filter((l) => ctx.locations.get(l)?.kind !== 'in-transit');
}

/**
 * The locations a stock change at `location` can reach: those linked to it through channels
 * (a channel draws on all its locations, a location may feed several channels). Every handler
 * locks a SKU's balances over the whole group up front, in sorted order, so a cascade (backorder
 * fill, reallocation after a shortfall) never takes a balance lock out of order.
 */
export function stockGroup(ctx: ErpContext, location: string): readonly string[] {
  return ctx.stockGroups.get(location) ?? [location];
}

function buildStockGroups(locationIds: Iterable<string>, channels: readonly Channel[]): Map<string, string[]> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(x, root);
    return root;
  };
  for (const id of locationIds) parent.set(id, id);
  for (const c of channels) {
    for (const l of c.locations) if (!parent.has(l)) parent.set(l, l);
    for (const l of c.locations.slice(1)) parent.set(find(l), find(c.locations[0]!));
  }
  const members = new Map<string, string[]>();
  for (const id of parent.keys()) {
    const root = find(id);
    members.set(root, [...(members.get(root) ?? []), id]);
  }
  const out = new Map<string, string[]>();
  for (const list of members.values()) {
    list.sort();
    for (const id of list) out.set(id, list);
  }
  return out;
}
