import type { ConnectorInstance, HubConfig } from '../core/config/load.js';
import { computeAvailableToSell, type ErpContext } from '../core/erp/index.js';
import type { CanonicalEvent } from '../core/model/index.js';
import type { Db } from '../core/store/index.js';
import { connectorChannel, hubLocationOf, resolvePolicy } from './policy.js';

/**
 * Asks for a push of the current availableToSell of `skus` on `channel`, as if the ledger had just
 * changed: in one transaction, bumps each (sku, channel) version in `availability_state` and writes
 * an `availability_outbox` row. The relay then sends it through `hub.outbound.<connector>` like any
 * change, so healing obeys the connector's rate limit and coalescing, and the push watermark (a
 * new version) lets it through even when the same value was pushed before.
 *
 * Lock order matches the ERP core's: availability rows sorted by SKU, balances only read. The value
 * is computed inside the transaction, after the locks, so a concurrent ledger change either
 * commits first (and is read) or waits and then emits its own newer version.
 */
export async function requestAvailabilityPush(
  db: Db,
  erp: ErpContext,
  channel: string,
  skus: readonly string[],
): Promise<{ sku: string; available: number; version: number }[]> {
  const sorted = [...new Set(skus)].sort();
  if (sorted.length === 0) return [];
  return db.transaction(async (tx) => {
    await tx.query(`INSERT INTO availability_state (sku, channel) SELECT s, $1 FROM unnest($2::text[]) AS s ORDER BY 1 ON CONFLICT DO NOTHING`, [
      channel,
      sorted,
    ]);
    await tx.query(`SELECT 1 FROM availability_state WHERE channel = $1 AND sku = ANY($2::text[]) ORDER BY sku FOR UPDATE`, [channel, sorted]);
    const ats = await computeAvailableToSell(
      tx,
      sorted.map((sku) => ({ sku, channel })),
      erp,
    );
    const values = sorted.map((sku) => ats.get(`${sku}\u0000${channel}`) ?? 0);
    const { rows } = await tx.query<{ sku: string; available: number; version: string | number }>(
      `WITH bumped AS (
         UPDATE availability_state a SET available = c.available, version = a.version + 1
         FROM unnest($2::text[], $3::int[]) AS c(sku, available)
         WHERE a.channel = $1 AND a.sku = c.sku
         RETURNING a.sku, a.channel, a.available, a.version
       )
       INSERT INTO availability_outbox (sku, channel, available, version)
       SELECT sku, channel, available, version FROM bumped ORDER BY sku
       RETURNING sku, available, version`,
      [channel, sorted, values],
    );
    return rows.map((r) => ({ sku: r.sku, available: r.available, version: Number(r.version) }));
  });
}

/**
 * A channel told the hub its own count (a stock edit in its admin, its own sale): where that count
 * is at the location the hub pushes to and differs from availableToSell, and the connector's stock
 * policy is `heal`, push the hub's value at once instead of waiting for the next reconciliation.
 * Returns the SKUs it asked to push.
 */
export async function healChannelReports(
  deps: { db: Db; config: HubConfig; erp: ErpContext },
  instance: ConnectorInstance,
  events: readonly CanonicalEvent[],
): Promise<string[]> {
  if (resolvePolicy(instance).stock.policy !== 'heal') return [];
  const reports = events.flatMap((e) => (e.type === 'inventory.level.reported' && e.data.reporter === 'channel' ? [e.data] : []));
  if (reports.length === 0) return [];
  const pushedAt = pushedHubLocation(deps.config, instance);
  let channel: string;
  try {
    channel = connectorChannel(deps.config, instance);
  } catch {
    return [];
  }
  const here = reports.filter((r) => r.location === pushedAt);
  if (here.length === 0) return [];
  const ats = await computeAvailableToSell(
    deps.db,
    here.map((r) => ({ sku: r.sku, channel })),
    deps.erp,
  );
  const drifted = here.filter((r) => (ats.get(`${r.sku}\u0000${channel}`) ?? 0) !== r.quantity).map((r) => r.sku);
  if (drifted.length > 0) await requestAvailabilityPush(deps.db, deps.erp, channel, drifted);
  return drifted;
}

/** The hub location behind the channel location the connector pushes to (`settings.pushLocationId`, or its only mapped location). */
function pushedHubLocation(config: HubConfig, instance: ConnectorInstance): string | null {
  const push = instance.settings['pushLocationId'];
  if (typeof push === 'string') return hubLocationOf(config, instance)(push);
  const mapped = Object.values((instance.settings['locations'] as Record<string, string> | undefined) ?? {});
  return mapped.length === 1 ? mapped[0]! : null;
}
