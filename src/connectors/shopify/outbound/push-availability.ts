import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ContractError, type HubError, MappingError, UpstreamUnavailableError } from '../../../core/errors.js';
import type { AvailabilityUpdate, PushFailure, PushResult } from '../../types.js';
import type { CallMeter, ShopifyClient } from '../client.js';
import type { ShopifySettings } from '../config.js';
import { toGid } from '../ids.js';
import { type ShopifyUserError, ShopifyUserErrorSchema } from '../shapes.js';
import { buildSetQuantities, type SetItem } from './set-quantities.js';
import { readAvailable } from './read-levels.js';

/** GraphQL input arrays hold at most 250 items. https://shopify.dev/docs/api/usage/limits#input-array-limits */
export const MAX_QUANTITIES_PER_CALL = 250;
/** Reads and resends after stale answers before the job goes back to the queue. */
export const MAX_STALE_ROUNDS = 4;
/** The compare failed: Shopify's quantity moved since the read (2026-04+, and before). */
const STALE_CODES = new Set(['CHANGE_FROM_QUANTITY_STALE', 'COMPARE_QUANTITY_STALE']);
/** Another request with the same idempotency key is running: try again later. */
const RETRY_CODES = new Set(['IDEMPOTENCY_CONCURRENT_REQUEST']);

const ResponseSchema = z.object({ inventorySetQuantities: z.object({ userErrors: z.array(ShopifyUserErrorSchema) }) });

interface Item extends SetItem {
  sku: string;
  version: number;
  /** What the hub wants minus what Shopify had when read: the change a stale retry keeps. */
  delta?: number;
}

/**
 * Error thrown for a retryable failure of a push, carrying the SKUs that failed for good before or
 * during it, so the outbound step dead-letters those apart from the retried rest.
 */
export type PushErrorWithFailures = HubError & { pushFailures?: PushFailure[] };

/**
 * Writes each SKU's availableToSell as Shopify's `available` at the push location
 * (`externalIds.locationId`, else `settings.pushLocationId`, else the only mapped location), in
 * calls of up to 250 quantities.
 *
 * Compare-and-set (`settings.compareAndSet`, default on): the push reads Shopify's `available`
 * first and sends it as the quantity the change is from (`changeFromQuantity` from 2026-04,
 * `compareQuantity` before). A sale made in Shopify after the read makes Shopify answer stale
 * (CHANGE_FROM_QUANTITY_STALE / COMPARE_QUANTITY_STALE) instead of overwriting it: the pusher re-reads
 * those items, keeps the hub's intended change on top of the new figure (the sale is not in the
 * hub's number yet: its order arrives later and is pushed in turn), and retries with a new
 * idempotency key. With the opt-out the value is set blindly.
 *
 * The mutation applies all quantities or none. A quantity Shopify rejects (a deleted variant's item,
 * an item not stocked at the location) is a permanent failure of that SKU, and the rest is sent again.
 * A retryable failure is thrown (the queue repeats the idempotent push) and carries the permanent
 * failures found so far in `pushFailures`.
 * https://shopify.dev/docs/api/admin-graphql/latest/mutations/inventorySetQuantities
 */
export async function pushAvailability(
  client: ShopifyClient,
  settings: ShopifySettings,
  connectorId: string,
  updates: AvailabilityUpdate[],
): Promise<PushResult> {
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
  try {
    for (let i = 0; i < items.length; i += MAX_QUANTITIES_PER_CALL) {
      const chunk = items.slice(i, i + MAX_QUANTITIES_PER_CALL);
      const accepted =
        settings.compareAndSet === false
          ? await send(client, connectorId, chunk, failures, meter)
          : await compareAndSet(client, connectorId, chunk, failures, meter);
      for (const item of accepted) pushed += copies.get(keyOf(item)) ?? 1;
    }
  } catch (err) {
    if (failures.length > 0 && err instanceof Error) Object.assign(err, { pushFailures: failures });
    throw err;
  }
  return { pushed, calls: meter.calls, failures };
}

const keyOf = (item: { inventoryItemId: string; locationId: string }) => `${item.inventoryItemId}|${item.locationId}`;

function toItem(update: AvailabilityUpdate, settings: ShopifySettings, connectorId: string, failures: PushFailure[]): Item | null {
  const itemId = update.externalIds['inventoryItemId'];
  const location = update.externalIds['locationId'] ?? settings.pushLocationId ?? soleLocation(settings);
  const refuse = (code: 'missing_field' | 'unmapped_location', field: string, message: string) => {
    failures.push({ sku: update.sku, error: new MappingError([{ code, field, message }], { connectorId, step: 'push' }) });
    return null;
  };
  if (!itemId)
    return refuse('missing_field', 'externalIds.inventoryItemId', `SKU ${update.sku} has no Shopify inventory item id (no products webhook seen for it)`);
  if (!location) return refuse('unmapped_location', 'settings.pushLocationId', `no Shopify location to push SKU ${update.sku} to: set settings.pushLocationId`);
  return {
    sku: update.sku,
    inventoryItemId: toGid('InventoryItem', itemId),
    locationId: toGid('Location', location),
    quantity: Math.max(0, Math.trunc(update.available)),
    changeFrom: null,
    version: update.version,
  };
}

function soleLocation(settings: ShopifySettings): string | undefined {
  const keys = Object.keys(settings.locations);
  return keys.length === 1 ? keys[0] : undefined;
}

/** Reads, sends with the read figures, and on stale answers re-reads and resends those items. */
async function compareAndSet(client: ShopifyClient, connectorId: string, chunk: Item[], failures: PushFailure[], meter: CallMeter): Promise<Item[]> {
  const done: Item[] = [];
  let pending = chunk;
  for (let round = 1; pending.length > 0; round++) {
    if (round > MAX_STALE_ROUNDS) {
      throw new UpstreamUnavailableError(
        `${connectorId}: inventorySetQuantities: Shopify's available of ${pending.map((i) => i.sku).join(', ')} kept changing during ${MAX_STALE_ROUNDS} compare-and-set rounds`,
        { connectorId, step: 'push' },
      );
    }
    const levels = await readAvailable(client, pending, meter);
    const readable: Item[] = [];
    for (const item of pending) {
      const current = levels.get(keyOf(item));
      if (current === undefined) {
        failures.push({
          sku: item.sku,
          error: new ContractError(`${connectorId}: SKU ${item.sku}: Shopify has no inventory level of ${item.inventoryItemId} at ${item.locationId}`, {
            code: 'not_found',
            connectorId,
            step: 'push',
            field: 'externalIds.inventoryItemId',
            value: item.inventoryItemId,
          }),
        });
        continue;
      }
      // First read: the hub's change relative to Shopify. Later reads: the same change on top of what a sale left.
      item.delta ??= item.quantity - current;
      item.quantity = Math.max(0, current + item.delta);
      item.changeFrom = current;
      readable.push(item);
    }
    const { accepted, stale } = await sendOnce(client, connectorId, readable, failures, meter);
    done.push(...accepted);
    pending = stale;
  }
  return done;
}

/** Blind set (the opt-out): resends without rejected items until the call succeeds. */
async function send(client: ShopifyClient, connectorId: string, chunk: Item[], failures: PushFailure[], meter: CallMeter): Promise<Item[]> {
  const { accepted, stale } = await sendOnce(client, connectorId, chunk, failures, meter);
  for (const item of stale)
    failures.push({ sku: item.sku, error: rejection(connectorId, item, { message: 'stale compare without a compare', code: 'COMPARE_QUANTITY_STALE' }) });
  return accepted;
}

/**
 * One logical write of `items`, resent without the items Shopify rejected for good. Each write has its
 * own idempotency key (in-call retries of the same write reuse it). Returns the items set and those
 * answered stale (nothing was set then: the mutation is all or nothing).
 */
async function sendOnce(
  client: ShopifyClient,
  connectorId: string,
  items: Item[],
  failures: PushFailure[],
  meter: CallMeter,
): Promise<{ accepted: Item[]; stale: Item[] }> {
  let remaining = items;
  while (remaining.length > 0) {
    const { query, variables } = buildSetQuantities(client.apiVersion, remaining, randomUUID());
    const result = await client.graphql({ name: 'inventorySetQuantities', query, variables, data: ResponseSchema, idempotent: true, estimatedCost: 10, meter });
    const userErrors = result.inventorySetQuantities.userErrors;
    if (userErrors.length === 0) return { accepted: remaining, stale: [] };
    const rejected = new Map<number, ShopifyUserError>();
    const stale = new Set<number>();
    for (const e of userErrors) {
      if (e.code && RETRY_CODES.has(e.code))
        throw new UpstreamUnavailableError(`${connectorId}: inventorySetQuantities: ${e.code}`, { connectorId, step: 'push' });
      const index = quantityIndex(e);
      if (index === null || index >= remaining.length) {
        // Not about one quantity (reason, name, directive): nothing in this call can be set.
        for (const item of remaining) failures.push({ sku: item.sku, error: rejection(connectorId, item, e) });
        return { accepted: [], stale: [] };
      }
      if (e.code && STALE_CODES.has(e.code)) stale.add(index);
      else if (!rejected.has(index)) rejected.set(index, e);
    }
    for (const [index, e] of rejected) failures.push({ sku: (remaining[index] as Item).sku, error: rejection(connectorId, remaining[index] as Item, e) });
    remaining = remaining.filter((_, i) => !rejected.has(i));
    // Nothing was set: every item left goes round again, re-read (an unchanged figure reads the same).
    if (stale.size > 0) return { accepted: [], stale: remaining };
  }
  return { accepted: [], stale: [] };
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
    field: e.code === 'INVALID_LOCATION' ? 'externalIds.locationId' : e.field?.at(-1) === 'quantity' ? 'available' : 'externalIds.inventoryItemId',
    value: e.code === 'INVALID_LOCATION' ? item.locationId : item.inventoryItemId,
  });
}
