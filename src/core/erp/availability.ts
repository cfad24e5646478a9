import type { Channel } from '../model/index.js';
import { ValidationError } from '../errors.js';
import type { Queryable, WritePart } from '../store/index.js';
import { sellableLocations, type ErpContext } from './context.js';
import { bundlesContaining, loadProducts, sessionProducts, type ProductRecord } from './products.js';
import { availableOf, type ApplySession } from './session.js';
import type { AvailabilityChange } from './types.js';

/**
 * Channel rules on top of the available units of a SKU over the channel's locations: safety
 * stock (per-SKU override first), then each buffer (a percentage is of the available units,
 * rounded up so the hub holds back at least that much), then the cap; never below 0.
 */
export function applyChannelRules(available: number, channel: Channel, sku: string): number {
  // The SKU comes from payloads: only the channel's own entries count, never inherited members.
  let x = available - ((Object.hasOwn(channel.skuSafetyStock, sku) ? channel.skuSafetyStock[sku] : undefined) ?? channel.safetyStock);
  for (const b of channel.buffers) x -= b.type === 'absolute' ? b.value : Math.ceil((Math.max(0, available) * b.value) / 100 - 1e-9);
  if (channel.cap !== undefined) x = Math.min(x, channel.cap);
  return Math.max(0, x);
}

/** A bundle's available units: the minimum over its components of floor(component available / quantity). */
export function bundleAvailable(components: readonly { sku: string; quantity: number }[], availableOf: (sku: string) => number): number {
  if (components.length === 0) return 0;
  return Math.min(...components.map((c) => Math.floor(Math.max(0, availableOf(c.sku)) / c.quantity)));
}

/** Computes availableToSell for many (sku, channel) pairs from the balances visible to `q`. */
export async function computeAvailableToSell(
  q: Queryable,
  pairs: readonly { sku: string; channel: string }[],
  ctx: ErpContext,
  known?: ReadonlyMap<string, ProductRecord>,
): Promise<Map<string, number>> {
  const products =
    known ??
    (await loadProducts(
      q,
      pairs.map((p) => p.sku),
    ));
  const stockSkus = new Set<string>();
  for (const p of pairs) {
    const prod = products.get(p.sku);
    if (prod?.isBundle) for (const c of prod.components) stockSkus.add(c.sku);
    else stockSkus.add(p.sku);
  }
  const { rows } = await q.query<{ sku: string; location: string; available: number }>(
    `SELECT sku, location,
            (coalesce(sum(quantity) FILTER (WHERE state = 'onHand'), 0)
             - coalesce(sum(quantity) FILTER (WHERE state IN ('allocated', 'quarantined')), 0))::int AS available
     FROM inventory_balance WHERE sku = ANY($1::text[]) GROUP BY sku, location`,
    [[...stockSkus]],
  );
  const byLocation = new Map<string, number>();
  for (const r of rows) byLocation.set(`${r.sku}\u0000${r.location}`, r.available ?? 0);
  return atsFrom(pairs, ctx, products, (sku, location) => byLocation.get(`${sku}\u0000${location}`) ?? 0)!;
}

/**
 * availableToSell of each pair from `availableAt` (the available units of a SKU at a location):
 * over the channel's sellable locations, a bundle from its components, channel rules applied.
 * Undefined as soon as `availableAt` does not know a location it needs.
 */
function atsFrom(
  pairs: readonly { sku: string; channel: string }[],
  ctx: ErpContext,
  products: ReadonlyMap<string, ProductRecord>,
  availableAt: (sku: string, location: string) => number | undefined,
): Map<string, number> | undefined {
  const out = new Map<string, number>();
  let unknown = false;
  for (const p of pairs) {
    const channel = ctx.channels.get(p.channel);
    if (!channel) continue;
    // A location short of stock (negative available) must not eat into another location's units.
    const locations = sellableLocations(ctx, channel);
    const over = (sku: string) =>
      locations.reduce((n, l) => {
        const a = availableAt(sku, l);
        if (a === undefined) unknown = true;
        return n + Math.max(0, a ?? 0);
      }, 0);
    const prod: ProductRecord | undefined = products.get(p.sku);
    const raw = prod?.isBundle ? bundleAvailable(prod.components, over) : over(p.sku);
    if (unknown) return undefined;
    out.set(atsKey(p.sku, p.channel), prod && !prod.active ? 0 : applyChannelRules(raw, channel, p.sku));
  }
  return out;
}

const atsKey = (sku: string, channel: string) => `${sku}\u0000${channel}`;

/**
 * Units of `sku` the hub advertises on `channel` right now: available over the channel's
 * locations (for a bundle, from its components) less safety stock and buffers, capped, floored at 0.
 */
export async function availableToSell(q: Queryable, sku: string, channel: string, ctx: ErpContext): Promise<number> {
  if (!ctx.channels.has(channel)) throw new ValidationError(`channel: unknown channel "${channel}"`, { field: 'channel', value: channel });
  const m = await computeAvailableToSell(q, [{ sku, channel }], ctx);
  return m.get(atsKey(sku, channel)) ?? 0;
}

/**
 * How a transaction's closing writes emit availability: `part` joins them (read its rows with
 * {@link AVAILABILITY_RETURNING} and {@link availabilityChanges}); `after` runs once they are in.
 */
export type AvailabilityPlan = { part: WritePart } | { after: () => Promise<AvailabilityChange[]> } | null;

/**
 * Recomputes availableToSell for every (sku, channel) the transaction may have moved since the
 * last emission and, where it differs from the last value emitted, bumps the version and writes an
 * `availability_outbox` row. Runs last in the transaction (or the batch).
 *   - When every balance the values depend on is held locked by this transaction, the values are
 *     computed from those locked balances and ONE write upserts the changed availability rows
 *     (sorted) and writes their outbox rows; it joins the transaction's other closing writes.
 *   - Otherwise, once the other writes are in, it locks the availability rows (sorted) and only
 *     then reads the balances, so two transactions changing different components of one bundle
 *     cannot both emit a value computed from the other's old stock.
 */
export async function planAvailability(s: ApplySession): Promise<AvailabilityPlan> {
  // Everything the transaction moved since the last emission: one event's, or a whole batch's.
  const touched = [...s.shared.touched.values()];
  const productChanged = [...s.shared.productChanged];
  s.shared.touched.clear();
  s.shared.productChanged.clear();
  const wanted = new Set<string>();
  const channelsOf = new Map<string, Set<string>>();
  for (const [sku, location] of touched) {
    for (const c of s.ctx.channelsByLocation.get(location) ?? []) {
      wanted.add(atsKey(sku, c.id));
      channelsOf.set(sku, (channelsOf.get(sku) ?? new Set()).add(c.id));
    }
  }
  if (channelsOf.size > 0) {
    for (const [component, bundle] of await bundlesOfSkus(s, [...channelsOf.keys()])) {
      for (const c of channelsOf.get(component) ?? []) wanted.add(atsKey(bundle, c));
    }
  }
  for (const sku of productChanged) {
    for (const c of s.ctx.channels.keys()) wanted.add(atsKey(sku, c));
    for (const b of await bundlesContaining(s.tx, [sku])) for (const c of s.ctx.channels.keys()) wanted.add(atsKey(b, c));
  }
  if (wanted.size === 0) return null;
  const pairs = [...wanted].sort().map((k) => {
    const [sku, channel] = k.split('\u0000') as [string, string];
    return { sku, channel };
  });
  const products = await sessionProducts(
    s,
    pairs.map((p) => p.sku),
  );
  const fromLocks = atsFrom(pairs, s.ctx, products, (sku, location) => {
    const b = s.cached(sku, location);
    return b && availableOf(b);
  });
  if (fromLocks) {
    const part = upsertChanged(pairs, fromLocks);
    return part && { part };
  }
  return { after: () => emitFromDatabase(s, pairs, products) };
}

async function emitFromDatabase(
  s: ApplySession,
  pairs: readonly { sku: string; channel: string }[],
  products: ReadonlyMap<string, ProductRecord>,
): Promise<AvailabilityChange[]> {
  const current = await lockAvailabilityRows(s, pairs);
  const ats = await computeAvailableToSell(s.tx, pairs, s.ctx, products);
  const changed = pairs
    .map((p) => ({ ...p, available: ats.get(atsKey(p.sku, p.channel)) ?? 0 }))
    .filter((p) => current.get(atsKey(p.sku, p.channel)) !== p.available);
  if (changed.length === 0) return [];
  const { rows } = await s.tx.query<{ sku: string; channel: string; available: number; version: number }>(
    `WITH bumped AS (
       UPDATE availability_state a SET available = c.available, version = a.version + 1
       FROM unnest($1::text[], $2::text[], $3::int[]) AS c(sku, channel, available)
       WHERE a.sku = c.sku AND a.channel = c.channel
       RETURNING a.sku, a.channel, a.available, a.version
     )
     INSERT INTO availability_outbox (sku, channel, available, version)
     SELECT sku, channel, available, version FROM bumped ORDER BY sku, channel
     RETURNING sku, channel, available, version`,
    [changed.map((c) => c.sku), changed.map((c) => c.channel), changed.map((c) => c.available)],
  );
  return availabilityChanges(rows);
}

/** (component, bundle) pairs for `skus`: from what a batch read up front, else one query. */
async function bundlesOfSkus(s: ApplySession, skus: readonly string[]): Promise<[string, string][]> {
  const known = s.shared.bundlesOf;
  if (known && skus.every((sku) => known.has(sku))) return skus.flatMap((sku) => known.get(sku)!.map((b) => [sku, b] as [string, string]));
  const { rows } = await s.tx.query<{ bundle_sku: string; component_sku: string }>(
    'SELECT bundle_sku, component_sku FROM product_component WHERE component_sku = ANY($1::text[])',
    [skus],
  );
  return rows.map((r) => [r.component_sku, r.bundle_sku]);
}

/**
 * One write: upserts the availability rows whose value changed (in (sku, channel) order, a
 * missing row created at version 1), and writes an outbox row for each.
 */
function upsertChanged(pairs: readonly { sku: string; channel: string }[], ats: ReadonlyMap<string, number>): WritePart | null {
  const list = pairs.filter((p) => ats.has(atsKey(p.sku, p.channel)));
  if (list.length === 0) return null;
  return {
    steps: [
      [
        'bumped',
        `INSERT INTO availability_state AS a (sku, channel, available, version)
         SELECT sku, channel, available, 1 FROM unnest($1::text[], $2::text[], $3::int[]) AS c(sku, channel, available) ORDER BY 1, 2
         ON CONFLICT (sku, channel) DO UPDATE SET available = excluded.available, version = a.version + 1
           WHERE a.available IS DISTINCT FROM excluded.available
         RETURNING a.sku, a.channel, a.available, a.version`,
      ],
      [
        'emitted',
        `INSERT INTO availability_outbox (sku, channel, available, version)
         SELECT sku, channel, available, version FROM bumped ORDER BY sku, channel
         RETURNING sku, channel, available, version`,
      ],
    ],
    params: [list.map((p) => p.sku), list.map((p) => p.channel), list.map((p) => ats.get(atsKey(p.sku, p.channel))!)],
  };
}

/** Reads what {@link upsertChanged}'s write emitted, in a combined statement. */
export const AVAILABILITY_RETURNING = 'SELECT sku, channel, available, version FROM emitted';

/** Availability changes from emitted outbox rows, in (sku, channel) order. */
export function availabilityChanges(rows: readonly { sku: string; channel: string; available: number; version: number }[]): AvailabilityChange[] {
  return rows
    .map((r) => ({ sku: r.sku, channel: r.channel, available: r.available, version: Number(r.version) }))
    .sort((a, b) => (a.sku === b.sku ? (a.channel < b.channel ? -1 : 1) : a.sku < b.sku ? -1 : 1));
}

/**
 * Locks the availability rows of `pairs` (creating missing ones) and returns the last emitted
 * value of each (`null` = never emitted). Like balances: lock existing rows first, insert rarely.
 */
async function lockAvailabilityRows(s: ApplySession, pairs: readonly { sku: string; channel: string }[]): Promise<Map<string, number | null>> {
  const select = async (list: readonly { sku: string; channel: string }[]) =>
    (
      await s.tx.query<{ sku: string; channel: string; available: number | null }>(
        `SELECT sku, channel, available FROM availability_state
         WHERE (sku, channel) IN (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY sku, channel FOR UPDATE`,
        [list.map((p) => p.sku), list.map((p) => p.channel)],
      )
    ).rows;
  const out = new Map<string, number | null>();
  for (const r of await select(pairs)) out.set(atsKey(r.sku, r.channel), r.available);
  const missing = pairs.filter((p) => !out.has(atsKey(p.sku, p.channel)));
  if (missing.length > 0) {
    await s.tx.query(`INSERT INTO availability_state (sku, channel) SELECT * FROM unnest($1::text[], $2::text[]) ORDER BY 1, 2 ON CONFLICT DO NOTHING`, [
      missing.map((p) => p.sku),
      missing.map((p) => p.channel),
    ]);
    for (const r of await select(missing)) out.set(atsKey(r.sku, r.channel), r.available);
  }
  return out;
}
