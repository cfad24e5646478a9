import { ContractError, type HubError, UpstreamUnavailableError } from '../../../core/errors.js';
import type { AvailabilityUpdate, PushFailure, PushResult } from '../../types.js';
import type { CallMeter, EbayClient } from '../client.js';
import { type EbayError, EbayBulkPriceQuantityResponseSchema } from '../shapes.js';

/**
 * Inventory item records one bulkUpdatePriceQuantity call takes.
 * https://developer.ebay.com/api-docs/sell/static/inventory/bulk-updates.html
 */
export const MAX_ITEMS_PER_CALL = 25;

/** eBay's "SKU not available" error: the SKU is gone, not malformed. */
const NOT_FOUND_ERRORS = new Set([25702]);

interface Item {
  sku: string;
  ebaySku: string;
  offerId?: string;
  quantity: number;
  version: number;
}

/**
 * Writes each SKU's availableToSell as the inventory item's ship-to-home quantity, and as the
 * offer's `availableQuantity` when the product knows its `offerId` (eBay lists the lower of the two),
 * in calls of up to 25 items. The eBay SKU is `externalIds.sku` when the product has one, else the
 * hub SKU.
 *
 * eBay answers item by item (HTTP 200 or 207 Multi-Status, one `responses[]` entry per inventory
 * item and per offer): a SKU with an entry of status 4xx is a permanent failure of that SKU only,
 * and the others stand. Entries of 5xx or 429 (or a missing entry) are resent once in this call;
 * still failing, the push throws a retryable error and the queue repeats it (absolute values, so
 * repeating is harmless). A whole call refused as a contract error fails each of its SKUs.
 * https://developer.ebay.com/api-docs/sell/inventory/resources/inventory_item/methods/bulkUpdatePriceQuantity
 */
export async function pushAvailability(client: EbayClient, connectorId: string, updates: AvailabilityUpdate[]): Promise<PushResult> {
  const meter: CallMeter = { calls: 0 };
  const failures: PushFailure[] = [];
  const latest = new Map<string, Item>();
  const copies = new Map<string, number>();
  for (const u of updates) {
    const item: Item = {
      sku: u.sku,
      ebaySku: u.externalIds['sku'] || u.sku,
      ...(u.externalIds['offerId'] ? { offerId: u.externalIds['offerId'] } : {}),
      quantity: Math.max(0, Math.trunc(u.available)),
      version: u.version,
    };
    copies.set(item.ebaySku, (copies.get(item.ebaySku) ?? 0) + 1);
    const seen = latest.get(item.ebaySku);
    if (!seen || item.version >= seen.version) latest.set(item.ebaySku, item);
  }
  const items = [...latest.values()];
  let pushed = 0;
  for (let i = 0; i < items.length; i += MAX_ITEMS_PER_CALL) {
    let pending = items.slice(i, i + MAX_ITEMS_PER_CALL);
    for (let round = 0; pending.length > 0; round++) {
      if (round === 2) {
        throw new UpstreamUnavailableError(`${connectorId}: bulkUpdatePriceQuantity: ${pending.length} SKU(s) still failing with a retryable status`, {
          connectorId,
          step: 'push',
        });
      }
      const outcome = await sendChunk(client, connectorId, pending, meter);
      for (const item of outcome.accepted) pushed += copies.get(item.ebaySku) ?? 1;
      failures.push(...outcome.failures);
      pending = outcome.retry;
    }
  }
  return { pushed, calls: meter.calls, failures };
}

async function sendChunk(client: EbayClient, connectorId: string, chunk: Item[], meter: CallMeter) {
  const accepted: Item[] = [];
  const failures: PushFailure[] = [];
  const retry: Item[] = [];
  let responses;
  try {
    ({
      data: { responses },
    } = await client.call({
      operation: 'bulkUpdatePriceQuantity',
      bucket: 'inventory',
      method: 'POST',
      path: '/sell/inventory/v1/bulk_update_price_quantity',
      body: { requests: chunk.map(requestOf) },
      schema: EbayBulkPriceQuantityResponseSchema,
      idempotent: true,
      meter,
    }));
  } catch (err) {
    if (!(err instanceof ContractError)) throw err;
    for (const item of chunk)
      failures.push({ sku: item.sku, error: new ContractError(err.message, { code: err.code, connectorId, step: 'push', field: 'sku', value: item.ebaySku }) });
    return { accepted, failures, retry };
  }
  for (const item of chunk) {
    const entries = responses.filter((r) => r.sku === item.ebaySku || (item.offerId !== undefined && r.offerId === item.offerId));
    const refused = entries.find((r) => r.statusCode >= 400 && r.statusCode < 500 && r.statusCode !== 429);
    if (refused) failures.push({ sku: item.sku, error: rejection(connectorId, item, refused.statusCode, refused.errors?.[0]) });
    else if (entries.length === 0 || entries.some((r) => r.statusCode >= 300)) retry.push(item);
    else accepted.push(item);
  }
  return { accepted, failures, retry };
}

/** https://developer.ebay.com/api-docs/sell/inventory/types/slr:PriceQuantity */
function requestOf(item: Item) {
  return {
    sku: item.ebaySku,
    shipToLocationAvailability: { quantity: item.quantity },
    ...(item.offerId ? { offers: [{ offerId: item.offerId, availableQuantity: item.quantity }] } : {}),
  };
}

function rejection(connectorId: string, item: Item, status: number, error: EbayError | undefined): HubError {
  const gone = status === 404 || (error?.errorId !== undefined && NOT_FOUND_ERRORS.has(error.errorId));
  const detail = error ? `, errorId ${error.errorId ?? '?'}: ${(error.message ?? '').slice(0, 200)}` : '';
  return new ContractError(`${connectorId}: bulkUpdatePriceQuantity rejected SKU ${item.sku} (eBay SKU ${item.ebaySku}, status ${status}${detail})`, {
    code: gone ? 'not_found' : 'contract_rejected',
    connectorId,
    step: 'push',
    field: 'externalIds.sku',
    value: item.ebaySku,
  });
}
