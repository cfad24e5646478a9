import type { InventoryAdjustment, InventoryLevel, Return } from '../model/index.js';
import { ValidationError } from '../errors.js';
import { stockGroup, type ErpContext } from './context.js';
import { ensureStockSku, sessionProducts } from './products.js';
import type { ApplySession } from './session.js';
import type { HandlerResult } from './handler.js';

/** Throws a ValidationError naming `field` unless `location` is configured. */
export function assertLocation(ctx: ErpContext, location: string, field: string): void {
  if (!ctx.locations.has(location)) {
    throw new ValidationError(`${field}: unknown location "${location}"; configured: ${[...ctx.locations.keys()].join(', ')}`, {
      field,
      value: location,
    });
  }
}

function assertNotAllocated(state: string, field: string): void {
  if (state === 'allocated') {
    throw new ValidationError(`${field}: allocated stock is managed by orders and cannot be set or adjusted directly`, { field, value: state });
  }
}

async function lockStock(s: ApplySession, skus: readonly string[], location: string): Promise<void> {
  const group = stockGroup(s.ctx, location);
  await s.lock(skus.flatMap((sku) => group.map((l) => [sku, l] as const)));
}

/**
 * `inventory.level.reported`: a warehouse or 3PL count is truth, recorded as a variance movement
 * (a cycle count); a channel's count is kept for reconciliation and views, and leaves the ledger
 * alone. A channel's `available` is kept signed, as reported (below zero when the channel oversold);
 * a count that sets a ledger state is never negative.
 */
export async function applyLevelReported(s: ApplySession, d: InventoryLevel): Promise<HandlerResult> {
  assertLocation(s.ctx, d.location, 'data.location');
  if (d.reporter === 'channel') {
    const figure = d.figure ?? 'available';
    await s.tx.query(
      `INSERT INTO inventory_report (connector, sku, location, state, quantity, reported_at, figure, channel) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (connector, sku, location, state) DO UPDATE
         SET quantity = excluded.quantity, reported_at = excluded.reported_at, figure = excluded.figure, channel = excluded.channel`,
      [s.event.source.connector, d.sku, d.location, d.state, d.quantity, s.event.occurredAt, figure, d.channel ?? null],
    );
    return { message: `channel ${figure} ${d.quantity} kept for reconciliation; ledger unchanged` };
  }
  assertNotAllocated(d.state, 'data.state');
  if (d.quantity < 0) {
    throw new ValidationError(`data.quantity: a warehouse count of ${d.state} cannot be ${d.quantity}`, { field: 'data.quantity', value: d.quantity });
  }
  await ensureStockSku(s, d.sku, 'data.sku');
  await lockStock(s, [d.sku], d.location);
  const before = s.get(d.sku, d.location)[d.state];
  s.move(d.sku, d.location, d.state, d.quantity - before, 'cycle_count', `count:${s.event.source.connector}/${s.event.source.externalId}`);
  return { message: `counted ${d.quantity} ${d.state}, ledger had ${before}` };
}

/** `inventory.adjusted`: a delta on one state with its reason; no balance may go below zero. */
export async function applyAdjusted(s: ApplySession, d: InventoryAdjustment): Promise<HandlerResult> {
  assertLocation(s.ctx, d.location, 'data.location');
  assertNotAllocated(d.state, 'data.state');
  await ensureStockSku(s, d.sku, 'data.sku');
  await lockStock(s, [d.sku], d.location);
  const before = s.get(d.sku, d.location)[d.state];
  if (before + d.delta < 0) {
    throw new ValidationError(`data.delta: ${d.delta} would leave ${d.state} of ${d.sku} at ${d.location} at ${before + d.delta}`, {
      field: 'data.delta',
      value: d.delta,
    });
  }
  s.move(d.sku, d.location, d.state, d.delta, d.reason, `adjustment:${s.event.source.connector}/${s.event.source.externalId}`);
  return {};
}

/**
 * `return.received`: restock adds to onHand; quarantine adds to onHand and quarantined (held,
 * not available); scrap is recorded in the ledger as units in and out of `returned`, moving no
 * stock. A returned bundle comes back as its components.
 */
export async function applyReturnReceived(s: ApplySession, d: Return): Promise<HandlerResult> {
  assertLocation(s.ctx, d.location, 'data.location');
  const inserted = await s.tx.query(
    `INSERT INTO customer_return (channel, external_return_id, external_order_id, location, received_at, lines)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1`,
    [d.channel, d.externalReturnId, d.externalOrderId ?? null, d.location, d.receivedAt, JSON.stringify(d.lines)],
  );
  if (inserted.rowCount === 0) return { status: 'duplicate', message: `return ${d.channel}/${d.externalReturnId} was already received` };
  const products = await sessionProducts(
    s,
    d.lines.map((l) => l.sku),
  );
  const units: { sku: string; quantity: number; disposition: string }[] = [];
  for (const [i, line] of d.lines.entries()) {
    const p = products.get(line.sku);
    if (p?.isBundle) {
      for (const c of p.components) units.push({ sku: c.sku, quantity: c.quantity * line.quantity, disposition: line.disposition });
    } else {
      if (!p) await ensureStockSku(s, line.sku, `data.lines[${i}].sku`);
      units.push({ sku: line.sku, quantity: line.quantity, disposition: line.disposition });
    }
  }
  await lockStock(s, [...new Set(units.map((u) => u.sku))], d.location);
  const ref = `return:${d.channel}/${d.externalReturnId}`;
  for (const u of units) {
    if (u.disposition === 'restock') {
      s.move(u.sku, d.location, 'onHand', u.quantity, 'return.restock', ref);
    } else if (u.disposition === 'quarantine') {
      s.move(u.sku, d.location, 'onHand', u.quantity, 'return.quarantine', ref);
      s.move(u.sku, d.location, 'quarantined', u.quantity, 'return.quarantine', ref);
    } else {
      s.move(u.sku, d.location, 'returned', u.quantity, 'return.received', ref);
      s.move(u.sku, d.location, 'returned', -u.quantity, 'return.scrap', ref);
    }
  }
  return {};
}
