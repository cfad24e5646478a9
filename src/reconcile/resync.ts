import { ContractError, ValidationError } from '../core/errors.js';
import { computeAvailableToSell } from '../core/erp/index.js';
import { backfillOrders, type BackfillResult } from './backfill.js';
import { requestAvailabilityPush } from './heal.js';
import { connectorChannel, hubLocationOf } from './policy.js';
import type { ReconcileDeps, ReconcileTarget } from './types.js';

/** One order of a targeted re-sync: backfilled (with its inbox row), or not found in the channel. */
export type OrderResync = (BackfillResult & { found: true }) | { externalOrderId: string; found: false };

/**
 * `hub resync <connector> --order <id>...`: reads just these orders from the channel and feeds them
 * through the normal intake, whatever the hub holds (an operator knows they are wrong). Content
 * already recorded is acknowledged as a duplicate, like a webhook repeat.
 */
export async function resyncOrders(
  deps: Pick<ReconcileDeps, 'db' | 'queues'>,
  target: ReconcileTarget,
  externalOrderIds: readonly string[],
): Promise<OrderResync[]> {
  const { instance, client } = target;
  if (!client.readOrders) throw new ContractError(`${instance.id}: connector type ${instance.type} cannot read orders`, { connectorId: instance.id });
  const ids = [...new Set(externalOrderIds)];
  const results = new Map((await backfillOrders(deps, instance.id, await client.readOrders(ids))).map((r) => [r.externalOrderId, r]));
  return ids.map((id): OrderResync => {
    const r = results.get(id);
    return r ? { ...r, found: true } : { externalOrderId: id, found: false };
  });
}

/** One level of a SKU re-sync: what the channel showed, and what the hub pushes (or why it cannot). */
export interface SkuResync {
  sku: string;
  location: string | null;
  channelValue: number | null;
  expected: number;
  /**
   * `pushed`: a push of `expected` was queued (version); `other_location`: a level the hub never
   * pushes to (expected 0; a human moves that stock); `unknown`: the hub has no ids of this connector
   * for the SKU; `not_in_channel`: the channel returned nothing for it.
   */
  outcome: 'pushed' | 'other_location' | 'unknown' | 'not_in_channel';
  version: number | null;
}

/**
 * `hub resync <connector> --sku <sku>...`: re-reads these SKUs from the channel and pushes their
 * current availableToSell through the outbound queue (a new version, so the push goes out even
 * when the value was pushed before). Returns one row per level the channel showed.
 */
export async function resyncSkus(deps: Pick<ReconcileDeps, 'db' | 'erp' | 'config'>, target: ReconcileTarget, skus: readonly string[]): Promise<SkuResync[]> {
  const { instance, client } = target;
  if (!client.readStockLevels)
    throw new ContractError(`${instance.id}: connector type ${instance.type} cannot read channel stock`, { connectorId: instance.id });
  const wanted = [...new Set(skus)];
  if (wanted.length === 0) throw new ValidationError('give at least one SKU', { field: 'sku' });
  const channel = connectorChannel(deps.config, instance);
  const { rows } = await deps.db.query<{ sku: string; ids: Record<string, string> | null }>(
    `SELECT sku, details->'externalIds'->$1 AS ids FROM product WHERE sku = ANY($2::text[])`,
    [instance.id, wanted],
  );
  const ids = new Map(rows.filter((r) => r.ids && Object.keys(r.ids).length > 0).map((r) => [r.sku, r.ids!]));
  const known = wanted.filter((s) => ids.has(s));
  const ats = await computeAvailableToSell(
    deps.db,
    wanted.map((sku) => ({ sku, channel })),
    deps.erp,
  );
  const hubLocation = hubLocationOf(deps.config, instance);
  const bySku = new Map<string, SkuResync[]>();
  // Read before the push is queued, so the table shows what the channel had.
  for await (const page of client.readStockLevels({ externalIds: known.map((s) => ids.get(s)!) })) {
    for (const item of page) {
      const sku = known.find((s) => matches(ids.get(s)!, item.externalIds));
      if (!sku) continue;
      const list = bySku.get(sku) ?? [];
      for (const level of item.levels) {
        const expected = level.pushed ? (ats.get(`${sku}\u0000${channel}`) ?? 0) : 0;
        const location = hubLocation(level.location) ?? level.location;
        list.push({ sku, location, channelValue: level.available, expected, outcome: level.pushed ? 'pushed' : 'other_location', version: null });
      }
      bySku.set(sku, list);
    }
  }
  const pushed = new Map((await requestAvailabilityPush(deps.db, deps.erp, channel, known)).map((p) => [p.sku, p]));
  for (const list of bySku.values()) for (const row of list) if (row.outcome === 'pushed') row.version = pushed.get(row.sku)?.version ?? null;
  return wanted.flatMap((sku): SkuResync[] => {
    const expected = ats.get(`${sku}\u0000${channel}`) ?? 0;
    if (!ids.has(sku)) return [{ sku, location: null, channelValue: null, expected, outcome: 'unknown', version: null }];
    return bySku.get(sku) ?? [{ sku, location: null, channelValue: null, expected, outcome: 'not_in_channel', version: pushed.get(sku)?.version ?? null }];
  });
}

/** Same item when every id the hub stored matches what the channel returned for it. */
const matches = (stored: Record<string, string>, seen: Record<string, string>) =>
  Object.entries(seen).some(([k, v]) => Object.hasOwn(stored, k) && String(stored[k]) === v);
