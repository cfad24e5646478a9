import { AuthError, ContractError, HubError } from '../../../core/errors.js';
import type { AvailabilityUpdate, PushFailure, PushResult } from '../../types.js';
import type { AmazonClient } from '../client.js';
import type { AmazonSpSettings } from '../config.js';
import { ListingsItemSubmissionResponseSchema } from '../shapes.js';
import { pushByFeed } from './listings-feed.js';
import { type StockItem, quantityPatch, stockItems } from './stock-items.js';

export interface PushDeps {
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

/**
 * Writes each SKU's availableToSell as the listing's `fulfillment_availability` quantity.
 * - Up to `settings.feedThreshold` SKUs: one patchListingsItem per SKU (5 requests/s, burst 5).
 * - More: one JSON_LISTINGS_FEED, whose processing report is read back SKU by SKU.
 * A SKU Amazon rejects (no such listing, an invalid submission) is a permanent failure of that SKU
 * only; a retryable failure (throttling past the wait limit, 5xx) is thrown, and the whole push,
 * being absolute quantities, is simply repeated by the queue.
 */
export async function pushAvailability(
  client: AmazonClient,
  settings: AmazonSpSettings,
  connectorId: string,
  updates: AvailabilityUpdate[],
  deps: PushDeps,
): Promise<PushResult> {
  const failures: PushFailure[] = [];
  const items = stockItems(updates, settings, connectorId, failures);
  const before = client.stats.calls;
  const done =
    items.length > settings.feedThreshold
      ? await pushByFeed(client, settings, connectorId, items, failures, deps)
      : await pushByPatch(client, settings, connectorId, items, failures);
  return { pushed: done.reduce((n, i) => n + i.copies, 0), calls: client.stats.calls - before, failures };
}

/** https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference#patchlistingsitem */
async function pushByPatch(
  client: AmazonClient,
  settings: AmazonSpSettings,
  connectorId: string,
  items: StockItem[],
  failures: PushFailure[],
): Promise<StockItem[]> {
  const done: StockItem[] = [];
  for (const item of items) {
    try {
      const answer = await client.call({
        operation: 'patchListingsItem',
        method: 'PATCH',
        path: `/listings/2021-08-01/items/${encodeURIComponent(settings.sellerId)}/${encodeURIComponent(item.sellerSku)}`,
        query: { marketplaceIds: settings.marketplaceId, includedData: 'issues' },
        body: { productType: item.productType, patches: quantityPatch(settings, item.quantity) },
        response: ListingsItemSubmissionResponseSchema,
        idempotent: true,
      });
      const errors = (answer.issues ?? []).filter((i) => i.severity === 'ERROR');
      if (answer.status === 'ACCEPTED' && errors.length === 0) {
        done.push(item);
        continue;
      }
      const reason =
        errors
          .map((e) => `${e.code} ${e.message}`)
          .join('; ')
          .slice(0, 300) || answer.status;
      failures.push({
        sku: item.sku,
        error: new ContractError(`${connectorId}: patchListingsItem rejected seller SKU ${item.sellerSku}: ${reason}`, {
          connectorId,
          step: 'push',
          field: 'externalIds.sellerSku',
          value: item.sellerSku,
        }),
      });
    } catch (err) {
      // A permanent answer concerns this SKU alone (a 404 for a SKU with no listing); the rest goes on.
      if (err instanceof HubError && !err.retryable && !(err instanceof AuthError)) {
        failures.push({ sku: item.sku, error: err });
        continue;
      }
      throw err;
    }
  }
  return done;
}
