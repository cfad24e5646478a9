import { INVENTORY_STATES, type InventoryBalance } from '../model/index.js';
import type { Queryable } from '../store/index.js';
import { computeAvailableToSell } from './availability.js';
import type { ErpContext } from './context.js';
import { loadProducts } from './products.js';

/** What `hub inventory <sku>` and the ops API show for one SKU. */
export interface InventoryView {
  sku: string;
  /** False when the ERP has never seen the SKU (no product, no stock). */
  known: boolean;
  title: string;
  active: boolean;
  /** Components when the SKU is a bundle; its availability derives from them. */
  components: { sku: string; quantity: number }[];
  /** Balances per location holding anything (every state), with `available = onHand - allocated - quarantined`. */
  locations: (InventoryBalance & { available: number })[];
  /**
   * availableToSell on every configured channel, with what the channel's connectors last reported
   * for the SKU (a channel's own count, compared by reconciliation, never written to the ledger).
   */
  availableToSell: { channel: string; available: number; reported: ChannelReport[] }[];
}

/** A channel's last reported count of a SKU at one location, as it said it. */
export interface ChannelReport {
  connector: string;
  location: string;
  /** Which figure: the channel's `available` (signed; below zero when oversold) or an `onHand` count. */
  figure: 'available' | 'onHand';
  quantity: number;
  /** When the channel reported it (ISO UTC). */
  reportedAt: string;
}

/** Balances of a SKU per location and state, and its availableToSell per channel. */
export async function getInventory(q: Queryable, sku: string, ctx: ErpContext): Promise<InventoryView> {
  const product = (await loadProducts(q, [sku])).get(sku);
  const { rows } = await q.query<{ location: string; state: (typeof INVENTORY_STATES)[number]; quantity: number }>(
    'SELECT location, state, quantity FROM inventory_balance WHERE sku = $1 ORDER BY location, state',
    [sku],
  );
  const byLocation = new Map<string, InventoryBalance & { available: number }>();
  for (const r of rows) {
    const b = byLocation.get(r.location) ?? { sku, location: r.location, onHand: 0, allocated: 0, inTransit: 0, quarantined: 0, returned: 0, available: 0 };
    b[r.state] = r.quantity;
    b.available = b.onHand - b.allocated - b.quarantined;
    byLocation.set(r.location, b);
  }
  const channels = [...ctx.channels.keys()];
  const ats = await computeAvailableToSell(
    q,
    channels.map((channel) => ({ sku, channel })),
    ctx,
  );
  const reports = await channelReports(q, sku);
  return {
    sku,
    known: product !== undefined || rows.length > 0,
    title: product?.title ?? '',
    active: product?.active ?? true,
    components: product?.components ?? [],
    // Balance rows exist for every location a SKU's lock group spans; all-zero ones say nothing.
    locations: [...byLocation.values()].filter((b) => INVENTORY_STATES.some((st) => b[st] !== 0)),
    availableToSell: channels.map((channel) => ({
      channel,
      available: ats.get(`${sku}\u0000${channel}`) ?? 0,
      // A report names its channel; older ones without one belong to the channels selling from its location.
      reported: reports
        .filter((r) => (r.channel === null ? ctx.channels.get(channel)?.locations.includes(r.location) : r.channel === channel))
        .map(({ channel: _channel, ...r }) => r),
    })),
  };
}

async function channelReports(q: Queryable, sku: string): Promise<(ChannelReport & { channel: string | null })[]> {
  const { rows } = await q.query<{ connector: string; location: string; figure: string; quantity: number; reported_at: Date | string; channel: string | null }>(
    'SELECT connector, location, figure, quantity, reported_at, channel FROM inventory_report WHERE sku = $1 ORDER BY connector, location',
    [sku],
  );
  return rows.map((r) => ({
    connector: r.connector,
    location: r.location,
    figure: r.figure === 'available' ? 'available' : 'onHand',
    quantity: r.quantity,
    reportedAt: new Date(r.reported_at).toISOString(),
    channel: r.channel,
  }));
}
