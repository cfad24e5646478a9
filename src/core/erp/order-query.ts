import type { OrderStatus } from '../model/index.js';
import type { Queryable } from '../store/index.js';

/** An order as the ERP core holds it: status, and per line what is allocated where, shipped and backordered. */
export interface OrderView {
  channel: string;
  externalOrderId: string;
  orderNumber: string;
  status: OrderStatus;
  placedAt: string;
  invoiced: boolean;
  lines: {
    externalLineId: string;
    sku: string | null;
    unmappedReason: string | null;
    quantity: number;
    /** One entry per SKU the line draws (the SKU itself, or each bundle component). */
    items: { sku: string; required: number; shipped: number; backordered: number; allocations: { location: string; quantity: number }[] }[];
  }[];
}

/** Reads one order; `null` when unknown. */
export async function getOrder(q: Queryable, channel: string, externalOrderId: string): Promise<OrderView | null> {
  const o = await q.query<{ id: number; order_number: string; status: OrderStatus; placed_at: Date; invoiced: boolean }>(
    'SELECT id, order_number, status, placed_at, invoiced FROM sales_order WHERE channel = $1 AND external_order_id = $2',
    [channel, externalOrderId],
  );
  const order = o.rows[0];
  if (!order) return null;
  const [lines, items, allocs] = [
    await q.query<{ external_line_id: string; sku: string | null; unmapped_reason: string | null; quantity: number }>(
      'SELECT external_line_id, sku, unmapped_reason, quantity FROM order_line WHERE order_id = $1 ORDER BY position',
      [order.id],
    ),
    await q.query<{ external_line_id: string; sku: string; required: number; allocated: number; shipped: number }>(
      'SELECT external_line_id, sku, required, allocated, shipped FROM order_item WHERE order_id = $1 ORDER BY sku',
      [order.id],
    ),
    await q.query<{ external_line_id: string; sku: string; location: string; quantity: number }>(
      'SELECT external_line_id, sku, location, quantity FROM order_allocation WHERE order_id = $1 AND quantity > 0 ORDER BY location',
      [order.id],
    ),
  ];
  return {
    channel,
    externalOrderId,
    orderNumber: order.order_number,
    status: order.status,
    placedAt: new Date(order.placed_at).toISOString(),
    invoiced: order.invoiced,
    lines: lines.rows.map((l) => ({
      externalLineId: l.external_line_id,
      sku: l.sku,
      unmappedReason: l.unmapped_reason,
      quantity: l.quantity,
      items: items.rows
        .filter((i) => i.external_line_id === l.external_line_id)
        .map((i) => ({
          sku: i.sku,
          required: i.required,
          shipped: i.shipped,
          backordered: i.required - i.allocated - i.shipped,
          allocations: allocs.rows
            .filter((a) => a.external_line_id === l.external_line_id && a.sku === i.sku)
            .map((a) => ({ location: a.location, quantity: a.quantity })),
        })),
    })),
  };
}
