import { z } from 'zod';
import { ContractError, type HubError, MappingError } from '../../../core/errors.js';
import type { AvailabilityUpdate, PushFailure, PushResult } from '../../types.js';
import type { CallMeter, ShopifyClient } from '../client.js';
import type { ShopifySettings } from '../config.js';
import { toGid } from '../ids.js';
import { type ShopifyUserError, ShopifyUserErrorSchema } from '../shapes.js';

/** GraphQL input arrays hold at most 250 items. https://shopify.dev/docs/api/usage/limits#input-array-limits */
export const MAX_QUANTITIES_PER_CALL = 250;

/** https://shopify.dev/docs/api/admin-graphql/2025-07/mutations/inventorySetQuantities */
export const INVENTORY_SET_QUANTITIES = `mutation inventorySetQuantities($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}`;

const ResponseSchema = z.object({
  inventorySetQuantities: z.object({ userErrors: z.array(ShopifyUserErrorSchema) }),
});

interface Item {
  sku: string;
  inventoryItemId: string;
  locationId: string;
  quantity: number;
  version: number;
}

/**
 * Writes each SKU's availableToSell as Shopify's absolute `available` quantity at the push location
 * (`externalIds.locationId`, else `settings.pushLocationId`, else the only mapped location), in
 * calls of up to 250 quantities.
 *
 * Compare semantics: the hub is the source of truth for what this channel may sell, and every
 * storefront sale changes Shopify's number between a read and a write, so a compare-and-set would
 * fail on every busy SKU only to be retried with the same value. The push therefore opts out of
 * the compare (`ignoreCompareQuantity: true` up to 2026-01; from 2026-04, where the compare moved to
 * a mandatory per-quantity `changeFromQuantity`, an explicit `null`), and ordering is kept by the
 * hub: one outbound queue per connector, coalesced per SKU, and the highest `version` wins within
 * a batch.
 *
 * The mutation applies all quantities or none. A quantity Shopify rejects (a deleted variant's
 * inventory item, an item not stocked at the location) is a permanent failure of that SKU, and the
 * rest of the call is sent again without it. Retryable failures are thrown: the whole push is
 * idempotent and the queue repeats it.
 */
export async function pushAvailability(client: ShopifyClient, settings: ShopifySettings, connectorId: string, updates: AvailabilityUpdate[]): Promise<PushResult> {
  const meter: CallMeter = { calls: 0 };
  const failures: PushFailure[] = [];
  const latestByKey = new Map<string, Item>();
  // Older values of a SKU in the same batch are done when the newest one is set.
  const copies = new Map<string, number>();
  for (const update of updates) {
    const item = toItem(update, settings, connectorId, failures);
    if (!item) continue;
    const key = keyOf(item);
    const previous = latestByKey.get(key);
    copies.set(key, (copies.get(key) ?? 0) + 1);
    if (!previous || item.version >= previous.version) latestByKey.set(key, item);
  }
  const items = [...latestByKey.values()];
  let pushed = 0;
  for (let i = 0; i < items.length; i += MAX_QUANTITIES_PER_CALL) {
    const accepted = await pushChunk(client, connectorId, items.slice(i, i + MAX_QUANTITIES_PER_CALL), failures, meter);
    for (const item of accepted) pushed += copies.get(keyOf(item)) ?? 1;
  }
  return { pushed, calls: meter.calls, failures };
}

const keyOf = (item: Item) => `${item.inventoryItemId}|${item.locationId}`;

function toItem(update: AvailabilityUpdate, settings: ShopifySettings, connectorId: string, failures: PushFailure[]): Item | null {
  const itemId = update.externalIds['inventoryItemId'];
  const location = update.externalIds['locationId'] ?? settings.pushLocationId ?? soleLocation(settings);
  const refuse = (code: 'missing_field' | 'unmapped_location', field: string, message: string) => {
    failures.push({ sku: update.sku, error: new MappingError([{ code, field, message }], { connectorId, step: 'push' }) });
    return null;
  };
  if (!itemId) return refuse('missing_field', 'externalIds.inventoryItemId', `SKU ${update.sku} has no Shopify inventory item id (no products webhook seen for it)`);
  if (!location) return refuse('unmapped_location', 'settings.pushLocationId', `no Shopify location to push SKU ${update.sku} to: set settings.pushLocationId`);
  return {
    sku: update.sku,
    inventoryItemId: toGid('InventoryItem', itemId),
    locationId: toGid('Location', location),
    quantity: Math.max(0, Math.trunc(update.available)),
    version: update.version,
  };
}

function soleLocation(settings: ShopifySettings): string | undefined {
  const keys = Object.keys(settings.locations);
  return keys.length === 1 ? keys[0] : undefined;
}

/** Sends one chunk, dropping rejected quantities and resending the rest; returns the items set. */
async function pushChunk(client: ShopifyClient, connectorId: string, chunk: Item[], failures: PushFailure[], meter: CallMeter): Promise<Item[]> {
  let remaining = chunk;
  while (remaining.length > 0) {
    const result = await client.graphql({
      name: 'inventorySetQuantities',
      query: INVENTORY_SET_QUANTITIES,
      variables: { input: buildInput(client.apiVersion, remaining) },
      data: ResponseSchema,
      idempotent: true,
      estimatedCost: 10,
      meter,
    });
    const userErrors = result.inventorySetQuantities.userErrors;
    if (userErrors.length === 0) return remaining;
    const rejected = new Map<number, ShopifyUserError>();
    for (const e of userErrors) {
      const index = quantityIndex(e);
      if (index === null || index >= remaining.length) {
        // Not about one quantity (reason, name, location): nothing in this chunk can be set.
        for (const item of remaining) failures.push({ sku: item.sku, error: rejection(connectorId, item, e) });
        return [];
      }
      if (!rejected.has(index)) rejected.set(index, e);
    }
    for (const [index, e] of rejected) {
      const item = remaining[index] as Item;
      failures.push({ sku: item.sku, error: rejection(connectorId, item, e) });
    }
    remaining = remaining.filter((_, i) => !rejected.has(i));
  }
  return [];
}

/** The compare opt-out of the API version in use (see pushAvailability). */
export function buildInput(apiVersion: string, items: Item[]): Record<string, unknown> {
  const perQuantityCompare = apiVersion === 'unstable' || apiVersion >= '2026-04';
  return {
    name: 'available',
    reason: 'correction',
    ...(perQuantityCompare ? {} : { ignoreCompareQuantity: true }),
    quantities: items.map((i) => ({
      inventoryItemId: i.inventoryItemId,
      locationId: i.locationId,
      quantity: i.quantity,
      ...(perQuantityCompare ? { changeFromQuantity: null } : {}),
    })),
  };
}

/** `["input", "quantities", "3", "inventoryItemId"]` → 3. */
function quantityIndex(error: ShopifyUserError): number | null {
  const field = error.field ?? [];
  if (field[0] !== 'input' || field[1] !== 'quantities' || field[2] === undefined) return null;
  const index = Number(field[2]);
  return Number.isInteger(index) && index >= 0 ? index : null;
}

function rejection(connectorId: string, item: Item, e: ShopifyUserError): HubError {
  const gone = e.code === 'INVALID_INVENTORY_ITEM' || e.code === 'INVALID_LOCATION';
  return new ContractError(`${connectorId}: inventorySetQuantities rejected SKU ${item.sku} (${e.code ?? 'error'}): ${e.message.slice(0, 200)}`, {
    code: gone ? 'not_found' : 'contract_rejected',
    connectorId,
    step: 'push',
    field: e.code === 'INVALID_LOCATION' ? 'externalIds.locationId' : 'externalIds.inventoryItemId',
    value: e.code === 'INVALID_LOCATION' ? item.locationId : item.inventoryItemId,
  });
}
