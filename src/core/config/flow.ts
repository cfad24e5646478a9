import { z } from 'zod';
import type { Issue } from '../model/index.js';
import { formatPath } from '../model/index.js';
import { SlugSchema } from '../model/index.js';

/** One connector instance that takes a step of the order-to-cash flow, for some channels (and locations). */
export const FlowRouteSchema = z.strictObject({
  connector: SlugSchema.describe('Connector instance id'),
  channels: z.array(SlugSchema).min(1).optional().describe('Channels whose orders it serves; default every channel'),
  locations: z.array(SlugSchema).min(1).optional().describe('Locations whose shipments it serves; default every location'),
});
export type FlowRoute = z.infer<typeof FlowRouteSchema>;

/**
 * Who takes each step of the order-to-cash flow after allocation. Pushing an allocated order to a
 * 3PL needs no entry here: a 3PL instance serves the locations its `settings.locations` names.
 * The selling channel's own connector records fulfilments. A channel (and location) is served by
 * at most one carrier and one accounting connector, so nothing is tracked or booked twice.
 */
export const FlowSchema = z.strictObject({
  carriers: z.array(FlowRouteSchema).default([]).describe('Carrier connectors (category carrier) that create a tracker for each shipment with tracking'),
  accounting: z.array(FlowRouteSchema).default([]).describe('Accounting connectors (category accounting) that book shipped orders and refunds'),
});
export type FlowConfig = z.infer<typeof FlowSchema>;

interface FlowCheckInput {
  flow?: FlowConfig;
  channels: readonly { id: string }[];
  locations: readonly { id: string }[];
  connectors: readonly { id: string; category: string }[];
}

const CATEGORY = { carriers: 'carrier', accounting: 'accounting' } as const;

/** Cross references of `flow`, reported with the path of the offending key. */
export function checkFlow(config: FlowCheckInput, issues: Issue[]): void {
  if (!config.flow) return;
  const channels = new Set(config.channels.map((c) => c.id));
  const locations = new Set(config.locations.map((l) => l.id));
  for (const step of ['carriers', 'accounting'] as const) {
    const claimed = new Map<string, string>();
    config.flow[step].forEach((route, i) => {
      const at = (...rest: (string | number)[]) => formatPath(['flow', step, i, ...rest]);
      const connector = config.connectors.find((c) => c.id === route.connector);
      if (!connector) issues.push({ path: at('connector'), message: `unknown connector "${route.connector}"` });
      else if (connector.category !== CATEGORY[step])
        issues.push({ path: at('connector'), message: `connector "${route.connector}" is in category ${connector.category}, not ${CATEGORY[step]}` });
      route.channels?.forEach((c, j) => {
        if (!channels.has(c)) issues.push({ path: at('channels', j), message: `unknown channel "${c}"` });
      });
      route.locations?.forEach((l, j) => {
        if (!locations.has(l)) issues.push({ path: at('locations', j), message: `unknown location "${l}"` });
      });
      for (const c of route.channels ?? [...channels]) {
        for (const l of route.locations ?? ['*']) {
          const key = `${c}\u0000${l}`;
          const other = l === '*' ? [...claimed].find(([k]) => k.startsWith(`${c}\u0000`))?.[1] : (claimed.get(key) ?? claimed.get(`${c}\u0000*`));
          if (other !== undefined && other !== route.connector) {
            issues.push({
              path: at('channels'),
              message: `channel "${c}"${l === '*' ? '' : ` at ${l}`} is already served by "${other}"; one ${CATEGORY[step]} per channel`,
            });
          }
          claimed.set(key, route.connector);
        }
      }
    });
  }
}

/** The route of `step` that serves an order of `channel` shipped from `location`, if any. */
export function flowRouteFor(flow: FlowConfig | undefined, step: 'carriers' | 'accounting', channel: string, location: string | null): FlowRoute | undefined {
  return flow?.[step].find((r) => (!r.channels || r.channels.includes(channel)) && (!r.locations || location === null || r.locations.includes(location)));
}
