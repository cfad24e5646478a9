import { MappingError } from '../../../core/errors.js';
import type { AvailabilityUpdate, PushFailure } from '../../types.js';
import type { AmazonSpSettings } from '../config.js';

/** One seller SKU's quantity, ready for a patch or a feed message. */
export interface StockItem {
  /** The ERP SKU (failures are reported on it). */
  sku: string;
  sellerSku: string;
  productType: string;
  quantity: number;
  /** How many updates of the batch this item settles (older versions of the same SKU included). */
  copies: number;
}

/**
 * The latest update per seller SKU. The seller SKU is `externalIds.sellerSku`, else the ERP SKU
 * itself (merchants usually list under their own SKU); `externalIds.productType` overrides the
 * configured product type. Availability below zero is pushed as 0: Amazon quantities are never negative.
 */
export function stockItems(updates: AvailabilityUpdate[], settings: AmazonSpSettings, connectorId: string, failures: PushFailure[]): StockItem[] {
  const latest = new Map<string, StockItem & { version: number }>();
  for (const u of updates) {
    const sellerSku = (u.externalIds['sellerSku'] ?? u.sku).trim();
    if (sellerSku === '') {
      failures.push({
        sku: u.sku,
        error: new MappingError([{ code: 'missing_field', field: 'externalIds.sellerSku', message: `SKU ${u.sku} has no seller SKU` }], {
          connectorId,
          step: 'push',
        }),
      });
      continue;
    }
    const previous = latest.get(sellerSku);
    const item = {
      sku: u.sku,
      sellerSku,
      productType: u.externalIds['productType'] ?? settings.productType,
      quantity: Math.max(0, Math.trunc(u.available)),
      version: u.version,
      copies: (previous?.copies ?? 0) + 1,
    };
    if (!previous || u.version >= previous.version) latest.set(sellerSku, item);
    else previous.copies = item.copies;
  }
  return [...latest.values()];
}

/** The JSON Patch that sets a listing's quantity for one fulfillment channel, keeping its other fields (merge). */
export function quantityPatch(settings: AmazonSpSettings, quantity: number) {
  return [
    {
      op: 'merge',
      path: '/attributes/fulfillment_availability',
      value: [{ fulfillment_channel_code: settings.fulfillmentChannelCode, quantity }],
    },
  ];
}
