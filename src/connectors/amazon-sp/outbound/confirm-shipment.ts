import { createHash } from 'node:crypto';
import { MappingError } from '../../../core/errors.js';
import type { Shipment } from '../../../core/model/index.js';
import type { AmazonClient } from '../client.js';
import type { AmazonSpSettings } from '../config.js';
import { ownValue } from '../../../mappings/own.js';

/** Amazon's carrier codes for the carriers named most often; anything else is sent as "Other" with its name. */
const CARRIER_CODES: Record<string, string> = {
  ups: 'UPS',
  usps: 'USPS',
  fedex: 'FedEx',
  dhl: 'DHL',
  'dhl express': 'DHL',
  'amazon shipping': 'Amazon Shipping',
  ontrac: 'OnTrac',
  'royal mail': 'Royal Mail',
  dpd: 'DPD',
  hermes: 'Hermes',
  'canada post': 'Canada Post',
};

/**
 * Confirms a shipment of an Amazon order with its tracking: confirmShipment with the shipped
 * order items (OrderItemId = the line's externalLineId) and their quantities. The package
 * reference is derived from the hub's shipment id, so a retry names the same package.
 * https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#confirmshipment
 */
export async function confirmShipment(client: AmazonClient, settings: AmazonSpSettings, connectorId: string, shipment: Shipment): Promise<void> {
  const issues = [];
  if (!shipment.tracking?.number)
    issues.push({
      code: 'missing_field' as const,
      field: 'tracking.number',
      message: `shipment ${shipment.externalShipmentId} has no tracking number; Amazon requires one`,
    });
  shipment.lines.forEach((line, i) => {
    if (!line.externalLineId)
      issues.push({
        code: 'missing_field' as const,
        field: `lines[${i}].externalLineId`,
        message: `shipment line ${i + 1} (SKU ${line.sku}) has no Amazon OrderItemId`,
      });
  });
  if (issues.length > 0) throw new MappingError(issues, { connectorId, step: 'push' });
  const company = shipment.tracking?.company?.trim() ?? '';
  const carrierCode = ownValue(CARRIER_CODES, company.toLowerCase()) ?? 'Other';
  await client.call({
    operation: 'confirmShipment',
    method: 'POST',
    path: `/orders/v0/orders/${encodeURIComponent(shipment.externalOrderId)}/shipmentConfirmation`,
    body: {
      marketplaceId: settings.marketplaceId,
      packageDetail: {
        packageReferenceId: packageReference(shipment.externalShipmentId),
        carrierCode,
        ...(carrierCode === 'Other' ? { carrierName: company || 'Other' } : {}),
        trackingNumber: shipment.tracking!.number,
        shipDate: shipment.shippedAt,
        orderItems: shipment.lines.map((l) => ({ orderItemId: l.externalLineId!, quantity: l.quantity })),
      },
    },
    idempotent: false,
  });
}

/** A positive number per shipment id ("Only positive numeric values are supported"). */
export function packageReference(externalShipmentId: string): string {
  if (/^[1-9]\d{0,17}$/.test(externalShipmentId)) return externalShipmentId;
  return String(parseInt(createHash('sha256').update(externalShipmentId).digest('hex').slice(0, 12), 16) + 1);
}
