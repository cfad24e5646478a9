import type { EventOf } from '../model/events.js';
import type { Shipment } from '../model/index.js';
import { DependencyMissingError, ValidationError } from '../errors.js';
import { stockGroup } from './context.js';
import type { HandlerResult } from './handler.js';
import { DELIVERED, markShipmentDelivered } from './deliveries.js';
import { assertTransition } from './order-lifecycle.js';
import { changeAllocation, loadAllocations, loadItems, lockOrder, orderLabel, orderScope, refreshStatus, type OrderItem } from './orders.js';
import type { ApplySession } from './session.js';
import { assertLocation } from './stock-events.js';

/**
 * `shipment.confirmed`: the goods left `location`, so onHand drops there and the order's
 * allocation is consumed: at that location first, and any allocation elsewhere that is no longer
 * needed is released. A line may name an item's SKU or, for a bundle line, the bundle SKU.
 */
export async function applyShipmentConfirmed(s: ApplySession, d: Shipment): Promise<HandlerResult> {
  assertLocation(s.ctx, d.location, 'data.location');
  const order = await lockOrder(s.tx, d.channel, d.externalOrderId);
  if (!order) {
    throw new DependencyMissingError(`data.externalOrderId: order ${d.channel}/${d.externalOrderId} is unknown to the hub (yet)`, {
      field: 'data.externalOrderId',
      value: d.externalOrderId,
    });
  }
  const label = orderLabel(order);
  if (order.status === 'cancelled' || order.status === 'closed') assertTransition(label, order.status, 'shipped');
  const inserted = await s.tx.query(
    `INSERT INTO shipment (channel, external_shipment_id, order_id, location, shipped_at, lines, tracking)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING 1`,
    [d.channel, d.externalShipmentId, order.id, d.location, d.shippedAt, JSON.stringify(d.lines), d.tracking ? JSON.stringify(d.tracking) : null],
  );
  if (inserted.rowCount === 0) return { status: 'duplicate', message: `shipment ${d.channel}/${d.externalShipmentId} was already confirmed` };

  const items = await loadItems(s.tx, order.id);
  const lineSkus = await s.tx.query<{ external_line_id: string; sku: string | null }>('SELECT external_line_id, sku FROM order_line WHERE order_id = $1', [
    order.id,
  ]);
  const planned = new Map<OrderItem, number>();
  const plan = d.lines.flatMap((line, index) => resolveLine(items, lineSkus.rows, line, index, label, planned));

  const allocs = await loadAllocations(s.tx, order.id);
  const locations = new Set([...stockGroup(s.ctx, d.location), ...orderScope(s.ctx, order.channel), ...allocs.map((a) => a.location)]);
  await s.lock([...new Set(plan.map((p) => p.item.sku))].flatMap((sku) => [...locations].map((l) => [sku, l] as const)));
  const ref = `shipment:${d.channel}/${d.externalShipmentId}`;
  for (const { item, qty, index } of plan) {
    const here = allocs.find((a) => a.lineId === item.lineId && a.sku === item.sku && a.location === d.location);
    const fromHere = Math.min(qty, here?.quantity ?? 0);
    await changeAllocation(s, order, item, d.location, -fromHere, 'shipment.confirmed');
    if (here) here.quantity -= fromHere;
    // Units shipped beyond the allocation here first cover the unallocated need, then free allocation elsewhere.
    let excess = item.allocated + item.shipped + qty - item.required;
    for (const a of allocs) {
      if (excess <= 0) break;
      if (a.lineId !== item.lineId || a.sku !== item.sku || a.quantity === 0) continue;
      const take = Math.min(excess, a.quantity);
      await changeAllocation(s, order, item, a.location, -take, 'shipment.rerouted');
      a.quantity -= take;
      excess -= take;
    }
    const onHand = s.get(item.sku, d.location).onHand;
    if (onHand < qty) {
      throw new ValidationError(`data.lines[${index}].quantity: ${d.location} holds only ${onHand} of ${item.sku} on hand, cannot ship ${qty}`, {
        field: `data.lines[${index}].quantity`,
        value: qty,
      });
    }
    s.move(item.sku, d.location, 'onHand', -qty, 'shipment.confirmed', ref);
    await s.tx.query('UPDATE order_item SET shipped = shipped + $4 WHERE order_id = $1 AND external_line_id = $2 AND sku = $3', [
      order.id,
      item.lineId,
      item.sku,
      qty,
    ]);
    item.shipped += qty;
  }
  await refreshStatus(s, order);
  // The order's channel records the fulfilment too, through the outbox written in this transaction;
  // the channel's own fulfilments came from it, so they are never echoed back.
  const target = s.ctx.fulfillmentRoutes.get(d.channel);
  if (target !== undefined && target !== s.event.source.connector) {
    await s.tx.query('INSERT INTO fulfillment_outbox (connector_id, shipment) VALUES ($1, $2)', [target, JSON.stringify(d)]);
  }
  return {};
}

type Planned = { item: OrderItem; qty: number; index: number };

/**
 * Which order items a shipment line ships, and how many units of each: items of that SKU (a
 * plain line, or a bundle component shipped loose), else the components of a bundle line.
 */
function resolveLine(
  items: OrderItem[],
  lines: { external_line_id: string; sku: string | null }[],
  line: Shipment['lines'][number],
  index: number,
  label: string,
  planned: Map<OrderItem, number>,
): Planned[] {
  const field = `data.lines[${index}]`;
  const left = (i: OrderItem) => i.required - i.shipped - (planned.get(i) ?? 0);
  const open = items.filter((i) => (line.externalLineId === undefined || i.lineId === line.externalLineId) && left(i) > 0);
  const out: Planned[] = [];
  const take = (item: OrderItem, qty: number) => {
    out.push({ item, qty, index });
    planned.set(item, (planned.get(item) ?? 0) + qty);
  };
  let rest = line.quantity;
  for (const item of open.filter((i) => i.sku === line.sku)) {
    const n = Math.min(rest, left(item));
    take(item, n);
    rest -= n;
    if (rest === 0) return out;
  }
  if (out.length === 0) {
    for (const bl of lines.filter((l) => l.sku === line.sku && open.some((i) => i.lineId === l.external_line_id))) {
      const parts = open.filter((i) => i.lineId === bl.external_line_id);
      const units = Math.min(rest, ...parts.map((p) => Math.floor(left(p) / p.perUnit)));
      if (units <= 0) continue;
      for (const p of parts) take(p, units * p.perUnit);
      rest -= units;
      if (rest === 0) return out;
    }
  }
  if (out.length === 0) {
    throw new ValidationError(`${field}.sku: order ${label} has no unshipped line for ${line.sku}`, { field: `${field}.sku`, value: line.sku });
  }
  throw new ValidationError(`${field}.quantity: order ${label} has fewer than ${line.quantity} unshipped units of ${line.sku}`, {
    field: `${field}.quantity`,
    value: line.quantity,
  });
}

/**
 * `shipment.tracking.updated`: records the carrier's tracking on a confirmed shipment, named by
 * channel and shipment id, or else found by tracking number (and company, when both sides name one).
 */
export async function applyTrackingUpdated(s: ApplySession, d: EventOf<'shipment.tracking.updated'>['data']): Promise<HandlerResult> {
  if (d.channel === undefined || d.externalShipmentId === undefined) return applyTrackingByNumber(s, d);
  const res = await s.tx.query(
    'UPDATE shipment SET tracking = $3, tracking_status = coalesce($4, tracking_status) WHERE channel = $1 AND external_shipment_id = $2',
    [d.channel, d.externalShipmentId, JSON.stringify(d.tracking), d.status ?? null],
  );
  if (res.rowCount === 0) {
    throw new DependencyMissingError(`data.externalShipmentId: shipment ${d.channel}/${d.externalShipmentId} is unknown to the hub (yet)`, {
      field: 'data.externalShipmentId',
      value: d.externalShipmentId,
    });
  }
  if (d.status === DELIVERED) await markShipmentDelivered(s, d.channel, d.externalShipmentId, s.event.source.connector);
  return {};
}

/** Carrier names compared loosely: "DHL Express", "DHLExpress" and "dhl_express" are one carrier. */
export function carrierKey(company: string | undefined): string {
  return (company ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

// The shipment keeps the tracking its shipper recorded (service, URL); only the status changes.
async function applyTrackingByNumber(s: ApplySession, d: EventOf<'shipment.tracking.updated'>['data']): Promise<HandlerResult> {
  const found = await s.tx.query<{ channel: string; external_shipment_id: string; company: string | null }>(
    `SELECT channel, external_shipment_id, tracking->>'company' AS company FROM shipment WHERE tracking->>'number' = $1 FOR UPDATE`,
    [d.tracking.number],
  );
  const want = carrierKey(d.tracking.company);
  const rows = found.rows.filter((r) => !want || !r.company || carrierKey(r.company) === want);
  const label = `${d.tracking.company ?? 'carrier'} tracking ${d.tracking.number}`;
  if (rows.length === 0) {
    throw new DependencyMissingError(`data.tracking.number: no shipment with ${label} is known to the hub (yet)`, {
      field: 'data.tracking.number',
      value: d.tracking.number,
    });
  }
  if (rows.length > 1) {
    throw new ValidationError(`data.tracking.number: ${rows.length} shipments carry ${label}; the update names none of them`, {
      field: 'data.tracking.number',
      value: d.tracking.number,
    });
  }
  const row = rows[0]!;
  await s.tx.query('UPDATE shipment SET tracking_status = coalesce($3, tracking_status) WHERE channel = $1 AND external_shipment_id = $2', [
    row.channel,
    row.external_shipment_id,
    d.status ?? null,
  ]);
  if (d.status === DELIVERED) await markShipmentDelivered(s, row.channel, row.external_shipment_id, s.event.source.connector);
  return {};
}
