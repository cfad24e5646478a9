import { z } from 'zod';
import { ContractError } from '../../../core/errors.js';
import type { Shipment } from '../../../core/model/index.js';
import type { WalmartClient } from '../client.js';
import type { WalmartSettings } from '../config.js';
import { acknowledgeOrder, getOrder } from '../orders-api.js';
import type { WalmartOrder } from '../shapes.js';

/** Carriers Walmart names itself (`carrierName.carrier`); any other goes as `otherCarrier` with a tracking URL. https://developer.walmart.com/us-marketplace/reference/shippingupdates */
const KNOWN_CARRIERS = ['UPS', 'USPS', 'FedEx', 'Airborne', 'OnTrac', 'DHL', 'LS', 'UDS', 'UPSMI', 'FDX', 'PILOT', 'ESTES', 'SAIA'];

/**
 * Tells Walmart a shipment left, with its tracking: shippingUpdates on the purchase order, one
 * `Shipped` status per line with its quantity. Not idempotent on Walmart's side, so it is never
 * resent in-call; each attempt first reads the order, and a tracking number already on it means an
 * earlier attempt went through. Shipment lines map to Walmart lines by `externalLineId`
 * (lineNumber), else by SKU over every line of that SKU with units left (Walmart writes one line per
 * unit). Lines still in `Created` are acknowledged first, as Walmart requires.
 * https://developer.walmart.com/us-marketplace/reference/shippingupdates
 */
export async function shipOrder(
  client: WalmartClient,
  settings: WalmartSettings,
  connectorId: string,
  shipment: Shipment,
  externalIds: Record<string, string>,
): Promise<void> {
  const po = externalIds['purchaseOrderId'] ?? shipment.externalOrderId;
  const refuse = (message: string, field?: string) =>
    new ContractError(`${connectorId}: walmart shipping update for purchase order ${po}: ${message}`, { connectorId, step: 'push', field });
  const tracking = shipment.tracking;
  if (!tracking) throw refuse('Walmart requires a tracking number on every shipped line', 'tracking');
  const order = await getOrder(client, po);
  if (!order)
    throw new ContractError(`${connectorId}: walmart purchase order ${po} not found`, {
      connectorId,
      step: 'push',
      code: 'not_found',
      field: 'externalOrderId',
    });
  const statuses = order.orderLines.orderLine.flatMap((l) => l.orderLineStatuses.orderLineStatus);
  if (statuses.some((s) => s.trackingInfo?.trackingNumber === tracking.number)) return;

  const left = new Map(order.orderLines.orderLine.map((l) => [l.lineNumber, shippable(l)]));
  const take = new Map<string, number>();
  shipment.lines.forEach((line, i) => {
    let wanted = line.quantity;
    const candidates = order.orderLines.orderLine.filter((l) => (line.externalLineId ? l.lineNumber === line.externalLineId : l.item.sku === line.sku));
    for (const l of candidates) {
      const n = Math.min(wanted, left.get(l.lineNumber) ?? 0);
      if (n <= 0) continue;
      left.set(l.lineNumber, (left.get(l.lineNumber) ?? 0) - n);
      take.set(l.lineNumber, (take.get(l.lineNumber) ?? 0) + n);
      wanted -= n;
    }
    if (wanted > 0) throw refuse(`line ${i + 1} (SKU ${line.sku}) has ${wanted} of ${line.quantity} units with nothing left to ship`, `lines[${i}]`);
  });

  if (needsAcknowledgement(order, take)) await acknowledgeOrder(client, po);
  const carrier = KNOWN_CARRIERS.find((c) => c.toLowerCase() === (tracking.company ?? '').toLowerCase());
  if (!carrier && !tracking.url)
    throw refuse(`carrier "${tracking.company ?? ''}" is not one Walmart names, and then a tracking URL is required`, 'tracking.url');
  const trackingInfo = {
    shipDateTime: Date.parse(shipment.shippedAt),
    carrierName: carrier ? { carrier } : { otherCarrier: tracking.company ?? 'Other' },
    methodCode: settings.shipMethodCode,
    trackingNumber: tracking.number,
    ...(tracking.url ? { trackingURL: tracking.url } : {}),
  };
  await client.call({
    operation: 'shippingUpdates',
    method: 'POST',
    path: `/v3/orders/${encodeURIComponent(po)}/shipping`,
    json: {
      orderShipment: {
        orderLines: {
          orderLine: [...take].map(([lineNumber, quantity]) => ({
            lineNumber,
            orderLineStatuses: {
              orderLineStatus: [{ status: 'Shipped', statusQuantity: { unitOfMeasurement: 'EACH', amount: String(quantity) }, trackingInfo }],
            },
          })),
        },
      },
    },
    schema: z.unknown(),
    idempotent: false,
  });
}

/** Units of a line still to ship: those in Created or Acknowledged. */
function shippable(line: WalmartOrder['orderLines']['orderLine'][number]): number {
  return line.orderLineStatuses.orderLineStatus
    .filter((s) => s.status === 'Created' || s.status === 'Acknowledged')
    .reduce((n, s) => n + Number(s.statusQuantity.amount), 0);
}

function needsAcknowledgement(order: WalmartOrder, take: Map<string, number>): boolean {
  return order.orderLines.orderLine.some((l) => take.has(l.lineNumber) && l.orderLineStatuses.orderLineStatus.some((s) => s.status === 'Created'));
}
