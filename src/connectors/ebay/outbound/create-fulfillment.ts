import { z } from 'zod';
import { ContractError } from '../../../core/errors.js';
import type { Shipment } from '../../../core/model/index.js';
import type { EbayClient } from '../client.js';
import type { EbaySettings } from '../config.js';
import { EbayShippingFulfillmentsSchema } from '../shapes.js';
import { ownValue } from '../../../mappings/own.js';

const OrderLinesSchema = z.looseObject({
  lineItems: z.array(z.looseObject({ lineItemId: z.string(), sku: z.string().optional(), quantity: z.number().int() })),
});

/**
 * Records a shipment confirmed elsewhere as an eBay shipping fulfilment with its tracking number and
 * carrier code (`settings.carrierCodes` maps the hub's company names, e.g. "UPS").
 *
 * createShippingFulfillment is not idempotent, so it is never retried in-call; instead every attempt
 * first lists the order's fulfilments, and one already carrying this tracking number means an earlier
 * attempt succeeded (nothing is sent). Shipment lines are matched to eBay line items by
 * `externalLineId` (the eBay lineItemId), else by SKU; a line matching nothing is a permanent
 * ContractError naming it. An unknown order is a permanent `not_found`.
 * https://developer.ebay.com/api-docs/sell/fulfillment/resources/order/shipping_fulfillment/methods/createShippingFulfillment
 */
export async function createShippingFulfillment(
  client: EbayClient,
  settings: EbaySettings,
  connectorId: string,
  shipment: Shipment,
  externalIds: Record<string, string>,
): Promise<void> {
  const orderId = externalIds['orderId'] ?? shipment.externalOrderId;
  const path = `/sell/fulfillment/v1/order/${encodeURIComponent(orderId)}`;
  const tracking = shipment.tracking;
  // https://developer.ebay.com/api-docs/sell/fulfillment/resources/order/shipping_fulfillment/methods/getShippingFulfillments
  const existing = await client.call({
    operation: 'getShippingFulfillments',
    bucket: 'fulfillment',
    method: 'GET',
    path: `${path}/shipping_fulfillment`,
    schema: EbayShippingFulfillmentsSchema,
    idempotent: true,
  });
  if (tracking && existing.data.fulfillments.some((f) => f.shipmentTrackingNumber === tracking.number)) return;

  // https://developer.ebay.com/api-docs/sell/fulfillment/resources/order/methods/getOrder
  const order = await client.call({ operation: 'getOrder', bucket: 'fulfillment', method: 'GET', path, schema: OrderLinesSchema, idempotent: true });
  const lineItems = shipment.lines.map((line, i) => {
    const match = order.data.lineItems.find((li) => (line.externalLineId ? li.lineItemId === line.externalLineId : li.sku === line.sku));
    if (!match) {
      throw new ContractError(`${connectorId}: createShippingFulfillment for order ${orderId}: line ${i + 1} (SKU ${line.sku}) matches no eBay line item`, {
        connectorId,
        step: 'push',
        field: `lines[${i}]`,
      });
    }
    return { lineItemId: match.lineItemId, quantity: line.quantity };
  });
  await client.call({
    operation: 'createShippingFulfillment',
    bucket: 'fulfillment',
    method: 'POST',
    path: `${path}/shipping_fulfillment`,
    body: {
      lineItems,
      shippedDate: shipment.shippedAt,
      ...(tracking
        ? {
            trackingNumber: tracking.number,
            ...(tracking.company ? { shippingCarrierCode: ownValue(settings.carrierCodes, tracking.company) ?? tracking.company } : {}),
          }
        : {}),
    },
    schema: z.unknown(),
    idempotent: false,
  });
}
