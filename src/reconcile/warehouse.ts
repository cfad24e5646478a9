import type { WarehouseStockLevel } from '../connectors/types.js';
import { ContractError, ValidationError } from '../core/errors.js';
import { applyEventTx, type ErpContext } from '../core/erp/index.js';
import { CanonicalEventSchema } from '../core/model/index.js';
import type { Db, Tx } from '../core/store/index.js';
import { decideStock, hubLocationOf } from './policy.js';
import type { DriftInput, ReconcileDeps, ReconcileTarget, RunContext } from './types.js';

const BATCH = 1000;

/**
 * Warehouse reconciliation: a 3PL's or WMS's on-hand per SKU and location against the ledger's
 * onHand. Variances within the policy are applied at once as cycle counts; larger ones wait for
 * approval ({@link approveVariance}); with policy `report` nothing changes.
 */
export async function reconcileWarehouse(deps: ReconcileDeps, target: ReconcileTarget, ctx: RunContext): Promise<void> {
  const { instance, client } = target;
  if (!client.readWarehouseStock)
    throw new ContractError(`${instance.id}: connector type ${instance.type} cannot read warehouse stock`, { connectorId: instance.id });
  const hubLocation = hubLocationOf(deps.config, instance);
  for await (const page of client.readWarehouseStock()) {
    for (let i = 0; i < page.length; i += BATCH) await compareBatch(deps, target, ctx, hubLocation, page.slice(i, i + BATCH));
    await ctx.progress();
  }
}

async function compareBatch(
  deps: ReconcileDeps,
  target: ReconcileTarget,
  ctx: RunContext,
  hubLocation: (external: string) => string | null,
  levels: readonly WarehouseStockLevel[],
): Promise<void> {
  const located = levels.map((l) => ({ ...l, hub: hubLocation(l.location) }));
  ctx.counts.unmapped += located.filter((l) => l.hub === null).length;
  const known = located.filter((l): l is typeof l & { hub: string } => l.hub !== null);
  const { rows } = await deps.db.query<{ sku: string; location: string; quantity: number }>(
    `SELECT b.sku, b.location, b.quantity FROM inventory_balance b
     JOIN unnest($1::text[], $2::text[]) AS k(sku, location) ON b.sku = k.sku AND b.location = k.location
     WHERE b.state = 'onHand'`,
    [known.map((l) => l.sku), known.map((l) => l.hub)],
  );
  const ledger = new Map(rows.map((r) => [`${r.sku}\u0000${r.location}`, r.quantity]));
  const countedAt = ctx.startedAt.toISOString();
  const drift: DriftInput[] = [];
  for (const l of known) {
    ctx.counts.checked += 1;
    ctx.counts.compared += 1;
    const expected = ledger.get(`${l.sku}\u0000${l.hub}`) ?? 0;
    if (l.onHand === expected) continue;
    const action = decideStock(ctx.policy.stock, l.onHand - expected, 'awaiting_approval');
    drift.push({ sku: l.sku, location: l.hub, externalLocation: l.location, channelValue: l.onHand, expected, action, countedAt: l.countedAt ?? countedAt });
  }
  for (const d of drift) {
    if (d.action !== 'healed' || ctx.dryRun) continue;
    const outcome = await applyCount(deps.db, deps.erp, target, d, `reconcile:${ctx.runId}:${d.sku}:${d.location}`);
    // The ledger moved between the read and the count: leave it for the next run to judge again.
    if (outcome !== 'applied') d.action = 'flagged';
  }
  ctx.counts.drifted += drift.length;
  ctx.counts.healed += drift.filter((d) => d.action === 'healed').length;
  ctx.counts.flagged += drift.filter((d) => d.action === 'flagged' || d.action === 'awaiting_approval').length;
  await ctx.recordDrift(drift);
}

/**
 * Applies a warehouse count as `inventory.level.reported` (reporter `warehouse`, a cycle count),
 * only if the ledger still holds the value the variance was computed from: the ERP core computes
 * the movement, and a movement other than the variance rolls the transaction back (`stale`).
 * The count's time is its source version, so an older count never overwrites a newer one.
 */
export async function applyCount(
  db: Db,
  erp: ErpContext,
  target: Pick<ReconcileTarget, 'instance' | 'definition'>,
  d: Pick<DriftInput, 'sku' | 'location' | 'externalLocation' | 'channelValue' | 'expected' | 'countedAt'>,
  idempotencyKey: string,
  onApplied?: (tx: Tx) => Promise<void>,
): Promise<'applied' | 'stale' | 'duplicate'> {
  const countedAt = d.countedAt ?? new Date().toISOString();
  const event = CanonicalEventSchema.parse({
    id: idempotencyKey,
    type: 'inventory.level.reported',
    idempotencyKey,
    source: { connector: target.instance.id, connectorType: target.definition.type, externalId: `${d.sku}@${d.externalLocation}`, version: countedAt },
    occurredAt: countedAt,
    data: { sku: d.sku, location: d.location, state: 'onHand', quantity: d.channelValue, reporter: 'warehouse' },
  });
  const variance = d.channelValue - d.expected;
  try {
    return await db.transaction(async (tx) => {
      const outcome = await applyEventTx(tx, event, erp);
      if (outcome.status !== 'applied') return outcome.status;
      const moved = outcome.movements
        .filter((m) => m.reason === 'cycle_count' && m.sku === d.sku && m.location === d.location)
        .reduce((n, m) => n + m.delta, 0);
      if (moved !== variance) throw new StaleCount();
      await onApplied?.(tx);
      return 'applied';
    });
  } catch (err) {
    if (err instanceof StaleCount) return 'stale';
    if (err instanceof ValidationError)
      throw new ValidationError(`${target.instance.id}: count of ${d.sku} at ${d.location} refused: ${err.message}`, { field: err.field });
    throw err;
  }
}

class StaleCount extends Error {}
