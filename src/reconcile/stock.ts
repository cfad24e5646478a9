import type { ChannelStockItem } from '../connectors/types.js';
import { ContractError } from '../core/errors.js';
import { computeAvailableToSell } from '../core/erp/index.js';
import type { Queryable } from '../core/store/index.js';
import { requestAvailabilityPush } from './heal.js';
import { connectorChannel, decideStock, hubLocationOf } from './policy.js';
import { resolveSkus } from './resolve-skus.js';
import type { DriftInput, ReconcileDeps, ReconcileTarget, RunContext } from './types.js';

/** Items compared per database round: the reader's pages are cut to this size. */
export const STOCK_BATCH = 1000;

/**
 * Stock reconciliation of a channel: streams the channel's stock, compares each level with what the
 * hub expects there (availableToSell at the location it pushes to, 0 elsewhere), one batch at a
 * time, and stores the differences. Healable drift (at the pushed location) is healed, flagged or
 * reported by policy; stock at a location the hub never pushes to can only be flagged.
 * A difference explained by a push still on its way (the channel shows the last pushed value and a
 * newer version waits) is counted as in flight, not as drift.
 */
export async function reconcileStock(deps: ReconcileDeps, target: ReconcileTarget, ctx: RunContext): Promise<void> {
  const { instance, client } = target;
  if (!client.readStockLevels)
    throw new ContractError(`${instance.id}: connector type ${instance.type} cannot read channel stock`, { connectorId: instance.id });
  const channel = connectorChannel(deps.config, instance);
  const hubLocation = hubLocationOf(deps.config, instance);
  ctx.total = await mappedSkuCount(deps.db, instance.id);
  for await (const page of client.readStockLevels()) {
    for (let i = 0; i < page.length; i += STOCK_BATCH) {
      await compareBatch(deps, ctx, { connectorId: instance.id, channel, hubLocation }, page.slice(i, i + STOCK_BATCH));
    }
    await ctx.progress();
  }
}

interface StockScope {
  connectorId: string;
  channel: string;
  hubLocation: (external: string) => string | null;
}

async function compareBatch(deps: ReconcileDeps, ctx: RunContext, scope: StockScope, items: readonly ChannelStockItem[]): Promise<void> {
  const skus = await resolveSkus(deps.db, scope.connectorId, items);
  const mapped = items.flatMap((item, i) => (skus[i] ? [{ item, sku: skus[i] }] : []));
  ctx.counts.unmapped += items.length - mapped.length;
  const ats = await computeAvailableToSell(
    deps.db,
    mapped.map(({ sku }) => ({ sku, channel: scope.channel })),
    deps.erp,
  );
  const candidates: (DriftInput & { pushed: boolean })[] = [];
  for (const { item, sku } of mapped) {
    ctx.counts.checked += 1;
    for (const level of item.levels) {
      ctx.counts.compared += 1;
      const expected = level.pushed ? (ats.get(`${sku}\u0000${scope.channel}`) ?? 0) : 0;
      if (level.available === expected) continue;
      const location = scope.hubLocation(level.location) ?? level.location;
      candidates.push({ sku, location, externalLocation: level.location, channelValue: level.available, expected, action: 'reported', pushed: level.pushed });
    }
  }
  if (candidates.length === 0) return;
  const inFlight = await pushesInFlight(
    deps.db,
    scope,
    candidates.filter((c) => c.pushed),
  );
  const drift: DriftInput[] = [];
  for (const { pushed, ...c } of candidates) {
    if (pushed && inFlight.get(c.sku) === c.channelValue) {
      ctx.counts.inFlight += 1;
      continue;
    }
    const delta = c.channelValue - c.expected;
    // Pushes set one location only: stock elsewhere is for a human to move or remove.
    const action = pushed ? decideStock(ctx.policy.stock, delta) : ctx.policy.stock.policy === 'report' ? 'reported' : 'flagged';
    drift.push({ ...c, action });
  }
  ctx.counts.drifted += new Set(drift.map((d) => d.sku)).size;
  ctx.counts.healed += drift.filter((d) => d.action === 'healed').length;
  ctx.counts.flagged += drift.filter((d) => d.action === 'flagged').length;
  const heal = drift.filter((d) => d.action === 'healed').map((d) => d.sku);
  if (!ctx.dryRun && heal.length > 0) await requestAvailabilityPush(deps.db, deps.erp, scope.channel, heal);
  await ctx.recordDrift(drift);
}

/**
 * SKUs whose newest availability version has not been pushed yet, with the value last pushed: a
 * channel still showing that value is waiting for the push, not drifting.
 */
async function pushesInFlight(db: Queryable, scope: StockScope, rows: readonly { sku: string }[]): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map();
  const { rows: found } = await db.query<{ sku: string; available: number }>(
    `SELECT s.sku, p.available FROM availability_state s
     JOIN availability_pushed p ON p.connector_id = $1 AND p.channel = s.channel AND p.sku = s.sku
     WHERE s.channel = $2 AND s.sku = ANY($3::text[]) AND s.version > p.version`,
    [scope.connectorId, scope.channel, [...new Set(rows.map((r) => r.sku))]],
  );
  return new Map(found.map((r) => [r.sku, r.available]));
}

/** Products that carry ids of this connector: the expected size of a full read, for progress. */
async function mappedSkuCount(db: Queryable, connectorId: string): Promise<number> {
  const { rows } = await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM product WHERE details->'externalIds' ? $1`, [connectorId]);
  return Number(rows[0]?.n ?? 0);
}
