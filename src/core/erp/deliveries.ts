import { deriveStatus } from './order-lifecycle.js';
import { recordOrderHop } from './order-hops.js';
import { lockOrdersById, setStatus } from './orders.js';
import type { ApplySession } from './session.js';

/** The carrier status that means the package reached its recipient. */
export const DELIVERED = 'delivered';

/**
 * A shipment the carrier delivered: stamped once (a repeated delivery changes nothing), recorded
 * as the order's `delivered` hop, and the order closes when it is fully shipped and every one
 * of its shipments has been delivered.
 */
export async function markShipmentDelivered(s: ApplySession, channel: string, externalShipmentId: string, connector: string): Promise<void> {
  const at = s.event.occurredAt;
  const { rows } = await s.tx.query<{ order_id: number }>(
    `UPDATE shipment SET delivered_at = $3 WHERE channel = $1 AND external_shipment_id = $2 AND delivered_at IS NULL RETURNING order_id`,
    [channel, externalShipmentId, at],
  );
  const orderId = rows[0]?.order_id;
  if (orderId === undefined) return;
  const [order] = await lockOrdersById(s.tx, [orderId]);
  if (!order) return;
  await recordOrderHop(s.tx, { channel: order.channel, externalOrderId: order.externalOrderId, hop: 'delivered', ref: externalShipmentId, connector, at });
  if (order.status !== 'shipped') return;
  const { rows: p } = await s.tx.query<{ required: number; shipped: number; unmapped: number; undelivered: number }>(
    `SELECT coalesce((SELECT sum(required) FROM order_item WHERE order_id = $1), 0)::int AS required,
            coalesce((SELECT sum(shipped) FROM order_item WHERE order_id = $1), 0)::int AS shipped,
            (SELECT count(*) FROM order_line WHERE order_id = $1 AND sku IS NULL)::int AS unmapped,
            (SELECT count(*) FROM shipment WHERE order_id = $1 AND delivered_at IS NULL)::int AS undelivered`,
    [orderId],
  );
  const r = p[0]!;
  const to = deriveStatus(
    order.status,
    { required: r.required, allocated: 0, shipped: r.shipped, unmappedLines: r.unmapped },
    order.invoiced,
    r.undelivered === 0,
  );
  await setStatus(s, order, to);
}
