import { ContractError, type HubError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import type { AvailabilityUpdate, PushFailure, PushResult } from '../../types.js';
import type { WalmartClient } from '../client.js';
import { type WalmartSettings, pushShipNode } from '../config.js';
import { MAX_FEED_ITEMS_PER_PAGE } from '../limits.js';
import { type WalmartFeedStatus, WalmartFeedStatusSchema, WalmartFeedSubmittedSchema, WalmartInventorySchema } from '../shapes.js';

/** One SKU's quantity as Walmart will be told it. */
export interface InventoryItem {
  sku: string;
  walmartSku: string;
  quantity: number;
  version: number;
}

export interface PushDeps {
  client: WalmartClient;
  settings: WalmartSettings;
  connectorId: string;
  logger: Logger;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

/**
 * Writes each SKU's availableToSell as Walmart's absolute inventory quantity (EACH) at the push
 * ship node. The Walmart SKU is `externalIds.sellerSku` when the catalogue has one, else the ERP
 * SKU. Up to `settings.singleUpdateMax` SKUs go one by one through the single-item update; more go
 * in one bulk inventory feed (10 per hour), whose per-SKU results are read back.
 * A SKU Walmart rejects (unknown item, bad data) is a permanent failure of that SKU only; a
 * retryable failure is thrown, and the push, being absolute, is simply sent again.
 */
export async function pushAvailability(deps: PushDeps, updates: AvailabilityUpdate[]): Promise<PushResult> {
  const latest = new Map<string, InventoryItem>();
  const copies = new Map<string, number>();
  for (const u of updates) {
    const item = { sku: u.sku, walmartSku: u.externalIds['sellerSku'] || u.sku, quantity: Math.max(0, Math.trunc(u.available)), version: u.version };
    copies.set(item.walmartSku, (copies.get(item.walmartSku) ?? 0) + 1);
    const seen = latest.get(item.walmartSku);
    if (!seen || item.version >= seen.version) latest.set(item.walmartSku, item);
  }
  const items = [...latest.values()];
  const calls0 = deps.client.stats.calls;
  const failures: PushFailure[] = [];
  const accepted = items.length > deps.settings.singleUpdateMax ? await pushFeed(deps, items, failures) : await pushSingles(deps, items, failures);
  const pushed = accepted.reduce((n, i) => n + (copies.get(i.walmartSku) ?? 1), 0);
  return { pushed, calls: deps.client.stats.calls - calls0, failures };
}

/** https://developer.walmart.com/us-marketplace/reference/updateinventoryforanitem */
async function pushSingles(deps: PushDeps, items: InventoryItem[], failures: PushFailure[]): Promise<InventoryItem[]> {
  const node = pushShipNode(deps.settings);
  const done: InventoryItem[] = [];
  for (const item of items) {
    try {
      await deps.client.call({
        operation: 'updateInventory',
        method: 'PUT',
        path: '/v3/inventory',
        query: { sku: item.walmartSku, shipNode: node },
        json: { sku: item.walmartSku, quantity: { unit: 'EACH', amount: item.quantity } },
        schema: WalmartInventorySchema,
        idempotent: true,
      });
      done.push(item);
    } catch (err) {
      // A 4xx about this item fails it alone; auth, throttling and outages stop the whole push.
      if (err instanceof ContractError) failures.push({ sku: item.sku, error: rejection(deps.connectorId, item, err.message, err.code) });
      else throw err;
    }
  }
  return done;
}

/**
 * Submits one inventory feed (spec 1.4, one ship node), then reads its per-SKU ingestion status.
 * DATA_ERROR fails that SKU; SYSTEM_ERROR and TIMEOUT_ERROR are sent again one by one. A feed not
 * processed within `feedMaxWaitMs` counts as accepted (Walmart took it; reconciliation checks it).
 * https://developer.walmart.com/us-marketplace/reference/updatebulkinventory
 * https://developer.walmart.com/us-marketplace/reference/getfeeditemstatus
 */
async function pushFeed(deps: PushDeps, items: InventoryItem[], failures: PushFailure[]): Promise<InventoryItem[]> {
  const node = pushShipNode(deps.settings);
  const file = JSON.stringify({
    InventoryHeader: { version: '1.4' },
    Inventory: items.map((i) => ({ sku: i.walmartSku, quantity: { unit: 'EACH', amount: i.quantity } })),
  });
  const { feedId } = await deps.client.call({
    operation: 'bulkInventoryFeed',
    method: 'POST',
    path: '/v3/feeds',
    query: { feedType: 'inventory', shipNode: node },
    file: { name: 'inventory.json', content: file },
    schema: WalmartFeedSubmittedSchema,
    // A second submission spends another of the 10 feeds an hour: never resent in-call.
    idempotent: false,
  });
  const status = await awaitFeed(deps, feedId);
  if (!status) {
    deps.logger.warn({ connectorId: deps.connectorId, feedId, items: items.length }, 'walmart inventory feed still processing; counted as accepted');
    return items;
  }
  if (status.feedStatus === 'ERROR') {
    const why = status.ingestionErrors?.ingestionError.map((e) => `${e.code} ${e.description ?? ''}`.trim()).join('; ') || 'feed rejected';
    for (const item of items) failures.push({ sku: item.sku, error: rejection(deps.connectorId, item, `feed ${feedId}: ${why}`) });
    return [];
  }
  const bySku = await feedItems(deps, feedId, status);
  const done: InventoryItem[] = [];
  const again: InventoryItem[] = [];
  items.forEach((item, index) => {
    const result = bySku.get(item.walmartSku) ?? bySku.get(`#${index}`);
    if (!result || result.ingestionStatus === 'SUCCESS') return void done.push(item);
    if (result.ingestionStatus === 'DATA_ERROR') {
      const why = result.ingestionErrors?.ingestionError.map((e) => `${e.code} ${e.description ?? ''}`.trim()).join('; ') || 'DATA_ERROR';
      return void failures.push({ sku: item.sku, error: rejection(deps.connectorId, item, `feed ${feedId}: ${why}`) });
    }
    again.push(item);
  });
  return [...done, ...(again.length > 0 ? await pushSingles(deps, again, failures) : [])];
}

type ItemStatus = NonNullable<WalmartFeedStatus['itemDetails']>['itemIngestionStatus'][number];

async function awaitFeed(deps: PushDeps, feedId: string): Promise<WalmartFeedStatus | null> {
  const deadline = deps.now() + deps.settings.feedMaxWaitMs;
  for (;;) {
    const status = await readFeed(deps, feedId, 0);
    if (status.feedStatus === 'PROCESSED' || status.feedStatus === 'ERROR') return status;
    if (deps.now() + deps.settings.feedPollIntervalMs > deadline) return null;
    await deps.sleep(deps.settings.feedPollIntervalMs);
  }
}

function readFeed(deps: PushDeps, feedId: string, offset: number): Promise<WalmartFeedStatus> {
  return deps.client.call({
    operation: 'getFeedStatus',
    method: 'GET',
    path: `/v3/feeds/${encodeURIComponent(feedId)}`,
    query: { includeDetails: 'true', offset, limit: MAX_FEED_ITEMS_PER_PAGE },
    schema: WalmartFeedStatusSchema,
    idempotent: true,
  });
}

/** Every item status of a processed feed, by Walmart SKU (and `#<index>` when the SKU is absent). */
async function feedItems(deps: PushDeps, feedId: string, first: WalmartFeedStatus): Promise<Map<string, ItemStatus>> {
  const out = new Map<string, ItemStatus>();
  let page = first;
  let offset = 0;
  for (;;) {
    const list = page.itemDetails?.itemIngestionStatus ?? [];
    for (const s of list) {
      if (s.sku) out.set(s.sku, s);
      if (s.index !== undefined) out.set(`#${s.index}`, s);
    }
    offset += list.length;
    if (list.length < MAX_FEED_ITEMS_PER_PAGE || offset >= (page.itemsReceived ?? 0)) return out;
    page = await readFeed(deps, feedId, offset);
  }
}

function rejection(connectorId: string, item: InventoryItem, message: string, code: 'not_found' | 'contract_rejected' = 'contract_rejected'): HubError {
  return new ContractError(`${connectorId}: walmart rejected inventory of SKU ${item.sku} (Walmart SKU ${item.walmartSku}): ${message.slice(0, 300)}`, {
    code,
    connectorId,
    step: 'push',
    field: 'externalIds.sellerSku',
    value: item.walmartSku,
  });
}
