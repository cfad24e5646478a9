import type { Channel, Location } from '../model/index.js';
import type { ReplenishmentRule } from '../config/schema.js';
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
}

/** The parts of HubConfig the ERP core reads. */
export interface ErpConfig {
  locations: readonly Location[];
  channels: readonly Channel[];
  replenishment?: readonly ReplenishmentRule[];
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
  return { locations, channels, replenishment, channelsByLocation };
}

/**
 * Locations whose stock a change at `location` can serve: every location of every channel it
 * feeds. Stock handlers lock all of them up front so a backorder fill never has to take a
 * balance lock out of sorted order.
 */
export function fillScope(ctx: ErpContext, location: string): string[] {
  const out = new Set([location]);
  for (const channel of ctx.channelsByLocation.get(location) ?? []) for (const l of channel.locations) out.add(l);
  return [...out];
}
