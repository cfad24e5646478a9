import { usesChangeFromQuantity } from '../versions.js';

/** One quantity of an `inventorySetQuantities` call. */
export interface SetItem {
  inventoryItemId: string;
  locationId: string;
  quantity: number;
  /** Shopify's figure the change is from; null sets blindly. */
  changeFrom: number | null;
}

/**
 * From 2026-04: `changeFromQuantity` on every quantity (null opts out of the compare, omitting it is
 * an error) and a mandatory `@idempotent(key:)` directive; `compareQuantity` and
 * `ignoreCompareQuantity` are gone.
 * https://shopify.dev/docs/api/admin-graphql/2026-04/mutations/inventorySetQuantities
 * https://shopify.dev/docs/api/admin-graphql/2026-10/input-objects/InventoryQuantityInput
 * https://shopify.dev/changelog/posts/making-idempotency-mandatory-for-inventory-adjustments-and-refund-mutations
 */
export const INVENTORY_SET_QUANTITIES_IDEMPOTENT = `mutation inventorySetQuantities($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}`;

/**
 * Before 2026-04: `compareQuantity` per quantity, or `ignoreCompareQuantity: true` on the input to
 * opt out; no directive (2026-01 accepts both shapes; the hub switches at 2026-04 where the old one stops).
 * https://shopify.dev/docs/api/admin-graphql/2025-10/mutations/inventorySetQuantities
 * https://shopify.dev/docs/api/admin-graphql/2026-01/input-objects/InventoryQuantityInput
 */
export const INVENTORY_SET_QUANTITIES = `mutation inventorySetQuantities($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}`;

/** The mutation text and variables `apiVersion` takes for `items`, with `idempotencyKey` where the version needs one. */
export function buildSetQuantities(
  apiVersion: string,
  items: readonly SetItem[],
  idempotencyKey: string,
): { query: string; variables: Record<string, unknown> } {
  const base = { name: 'available', reason: 'correction' };
  if (usesChangeFromQuantity(apiVersion)) {
    const quantities = items.map((i) => ({
      inventoryItemId: i.inventoryItemId,
      locationId: i.locationId,
      quantity: i.quantity,
      changeFromQuantity: i.changeFrom,
    }));
    return { query: INVENTORY_SET_QUANTITIES_IDEMPOTENT, variables: { input: { ...base, quantities }, idempotencyKey } };
  }
  const blind = items.some((i) => i.changeFrom === null);
  const quantities = items.map((i) => ({
    inventoryItemId: i.inventoryItemId,
    locationId: i.locationId,
    quantity: i.quantity,
    ...(blind ? {} : { compareQuantity: i.changeFrom }),
  }));
  return { query: INVENTORY_SET_QUANTITIES, variables: { input: { ...base, ...(blind ? { ignoreCompareQuantity: true } : {}), quantities } } };
}
