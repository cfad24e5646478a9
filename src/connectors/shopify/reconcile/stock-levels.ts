import { z } from 'zod';
import { ConfigError, ContractError } from '../../../core/errors.js';
import { zodIssues } from '../../../core/model/index.js';
import type { ChannelStockItem } from '../../types.js';
import type { ShopifyClient } from '../client.js';
import type { ShopifySettings } from '../config.js';
import { legacyId, toGid } from '../ids.js';
import { readJsonl, runBulkQuery, type BulkOptions } from './bulk.js';

/** Items handed to the reconciler at a time from the bulk file. */
const PAGE = 500;
/** Inventory items per `nodes` call (Shopify accepts up to 250 ids). */
const IDS_PER_CALL = 100;

/** A location the reader asks about: as written in config, and as a global id. */
interface ReadLocation {
  key: string;
  gid: string;
  pushed: boolean;
}

/**
 * The Shopify locations reconciliation reads: the push location and every mapped one. Levels at
 * locations the hub has not mapped are not read (the hub knows nothing to expect there).
 */
export function readLocations(settings: ShopifySettings, connectorId: string): ReadLocation[] {
  const keys = Object.keys(settings.locations);
  const push = settings.pushLocationId ?? (keys.length === 1 ? keys[0] : undefined);
  const all = [...new Set([...(push ? [push] : []), ...keys])];
  const pushGid = push ? toGid('Location', push) : null;
  return all.map((key) => {
    const gid = toGid('Location', key);
    // The id goes into query text (bulk queries take no variables): only well-formed ids pass.
    if (!/^gid:\/\/shopify\/Location\/\d+$/.test(gid)) {
      throw new ConfigError(`${connectorId}: settings.locations key "${key}" is not a Shopify location id`, [
        { path: 'settings.locations', message: `not a location id: ${key}` },
      ]);
    }
    return { key, gid, pushed: gid === pushGid };
  });
}

/**
 * The fields of an InventoryItem read: its SKU, variant and, per location, the `available`
 * quantity through `inventoryLevel(locationId:)` under an alias. One object per item, no nested
 * connection, so each line of a bulk file is a whole item.
 * https://shopify.dev/docs/api/admin-graphql/2025-07/objects/InventoryItem
 * https://shopify.dev/docs/api/admin-graphql/2025-07/objects/InventoryLevel#field-quantities
 */
export function inventoryItemFields(locations: readonly ReadLocation[]): string {
  const levels = locations.map((l, i) => `l${i}: inventoryLevel(locationId: "${l.gid}") { quantities(names: ["available"]) { name quantity } }`);
  return `id sku tracked variant { id } ${levels.join(' ')}`;
}

const LevelSchema = z
  .object({ quantities: z.array(z.object({ name: z.string(), quantity: z.number().int() })) })
  .nullable()
  .optional();
const ItemSchema = z.looseObject({
  id: z.string(),
  sku: z.string().nullable().optional(),
  tracked: z.boolean().optional(),
  variant: z.object({ id: z.string() }).nullable().optional(),
});

/** One InventoryItem object to a channel stock item; null for an untracked item (Shopify counts nothing). */
export function toStockItem(raw: unknown, locations: readonly ReadLocation[], connectorId: string, where: string): ChannelStockItem | null {
  const parsed = ItemSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = zodIssues(parsed.error)[0];
    throw new ContractError(`${connectorId}: ${where}: unexpected inventory item at ${issue?.path}: ${issue?.message}`, { connectorId, field: issue?.path });
  }
  const item = parsed.data;
  if (item.tracked === false) return null;
  const levels: ChannelStockItem['levels'] = [];
  locations.forEach((l, i) => {
    const level = LevelSchema.safeParse(item[`l${i}`]);
    if (!level.success) throw new ContractError(`${connectorId}: ${where}: unexpected inventory level of ${item.id}`, { connectorId, field: `l${i}` });
    // Not stocked at this location: nothing is sold from there.
    if (!level.data) return;
    const available = level.data.quantities.find((q) => q.name === 'available')?.quantity ?? 0;
    levels.push({ location: l.key, available, pushed: l.pushed });
  });
  return {
    sku: item.sku ?? null,
    externalIds: { inventoryItemId: legacyId(item.id), ...(item.variant ? { variantId: legacyId(item.variant.id) } : {}) },
    levels,
  };
}

/**
 * The shop's stock for reconciliation. Without a filter: every inventory item, through a bulk
 * export streamed from its JSONL file (no cost limit, constant memory whatever the catalogue
 * size). With a filter (targeted re-sync): just those inventory items, through `nodes(ids:)`.
 */
export async function* readShopifyStockLevels(
  client: ShopifyClient,
  settings: ShopifySettings,
  connectorId: string,
  bulk: BulkOptions,
  filter?: { externalIds: Record<string, string>[] },
): AsyncGenerator<ChannelStockItem[]> {
  const locations = readLocations(settings, connectorId);
  if (filter) {
    yield* readByIds(client, locations, connectorId, filter.externalIds);
    return;
  }
  const url = await runBulkQuery(client, connectorId, `{ inventoryItems { edges { node { ${inventoryItemFields(locations)} } } } }`, bulk);
  if (url === null) return;
  let page: ChannelStockItem[] = [];
  for await (const { line, value } of readJsonl(url, connectorId, bulk.requestTimeoutMs)) {
    const item = toStockItem(value, locations, connectorId, `bulk result line ${line}`);
    if (item) page.push(item);
    if (page.length >= PAGE) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

const NodesSchema = z.object({ nodes: z.array(z.unknown().nullable()) });

/** https://shopify.dev/docs/api/admin-graphql/2025-07/queries/nodes */
async function* readByIds(
  client: ShopifyClient,
  locations: readonly ReadLocation[],
  connectorId: string,
  refs: Record<string, string>[],
): AsyncGenerator<ChannelStockItem[]> {
  const ids = refs
    .map((r) => r['inventoryItemId'])
    .filter((id): id is string => !!id)
    .map((id) => toGid('InventoryItem', id));
  const query = `query inventoryItemsByIds($ids: [ID!]!) { nodes(ids: $ids) { ... on InventoryItem { ${inventoryItemFields(locations)} } } }`;
  for (let i = 0; i < ids.length; i += IDS_PER_CALL) {
    const chunk = ids.slice(i, i + IDS_PER_CALL);
    const { nodes } = await client.graphql({
      name: 'inventoryItemsByIds',
      query,
      variables: { ids: chunk },
      data: NodesSchema,
      idempotent: true,
      estimatedCost: chunk.length * (2 + 2 * locations.length),
    });
    const items = nodes
      .flatMap((n, j) => (n ? [toStockItem(n, locations, connectorId, `inventory item ${chunk[j]}`)] : []))
      .filter((x): x is ChannelStockItem => x !== null);
    if (items.length > 0) yield items;
  }
}
