import { z } from 'zod';
import type { ChannelOrderPayload, ChannelOrderSummary, ChannelStockItem } from '../types.js';
import type { EbayClient } from './client.js';
import type { EbaySettings } from './config.js';
import { EBAY_ORDER_TOPIC } from './inbound/orders.js';
import { getOrdersPage, modifiedFilter } from './poll.js';
import { EbayBulkGetInventoryItemResponseSchema, EbayInventoryItemsPageSchema } from './shapes.js';

/** getInventoryItems page size (documented range 1 to 100). */
const ITEMS_PER_PAGE = 100;
/** SKUs per bulkGetInventoryItem call (documented maximum 25). */
const SKUS_PER_CALL = 25;
/** Order ids per getOrders call (documented maximum 50). */
const IDS_PER_CALL = 50;

/** The location name of eBay's single ship-to-home quantity in reconciliation reads. */
export const shipToLocation = (settings: EbaySettings): string => Object.keys(settings.locations)[0] ?? 'default';

/**
 * The seller's stock as eBay sells it: each inventory item's ship-to-home quantity. Without a filter,
 * every item through getInventoryItems, following eBay's `next` link (its `offset` counts pages, not
 * items); with a filter, just those SKUs through bulkGetInventoryItem.
 * https://developer.ebay.com/api-docs/sell/inventory/resources/inventory_item/methods/getInventoryItems
 * https://developer.ebay.com/api-docs/sell/inventory/resources/inventory_item/methods/bulkGetInventoryItem
 */
export async function* readEbayStockLevels(
  client: EbayClient,
  settings: EbaySettings,
  filter?: { externalIds: Record<string, string>[] },
): AsyncGenerator<ChannelStockItem[]> {
  const location = shipToLocation(settings);
  const toItem = (sku: string, quantity: number | undefined): ChannelStockItem => ({
    sku,
    externalIds: { sku },
    levels: [{ location, available: quantity ?? 0, pushed: true }],
  });
  if (filter) {
    const skus = filter.externalIds.map((ids) => ids['sku']).filter((s): s is string => !!s);
    for (let i = 0; i < skus.length; i += SKUS_PER_CALL) {
      const { data } = await client.call({
        operation: 'bulkGetInventoryItem',
        bucket: 'inventory',
        method: 'POST',
        path: '/sell/inventory/v1/bulk_get_inventory_item',
        body: { requests: skus.slice(i, i + SKUS_PER_CALL).map((sku) => ({ sku })) },
        schema: EbayBulkGetInventoryItemResponseSchema,
        idempotent: true,
      });
      const items = data.responses
        .filter((r) => r.statusCode === 200 && r.sku)
        .map((r) => toItem(r.sku as string, r.inventoryItem?.availability?.shipToLocationAvailability?.quantity));
      if (items.length > 0) yield items;
    }
    return;
  }
  let query: Record<string, string | number> = { limit: ITEMS_PER_PAGE, offset: 0 };
  for (;;) {
    const { data } = await client.call({
      operation: 'getInventoryItems',
      bucket: 'inventory',
      method: 'GET',
      path: '/sell/inventory/v1/inventory_item',
      query,
      schema: EbayInventoryItemsPageSchema,
      idempotent: true,
    });
    const items = data.inventoryItems.map((it) => toItem(it.sku, it.availability?.shipToLocationAvailability?.quantity));
    if (items.length > 0) yield items;
    if (!data.next || items.length === 0) return;
    query = Object.fromEntries(new URL(data.next, 'https://api.ebay.com').searchParams);
  }
}

const SummarySchema = z.looseObject({ orderId: z.string(), lastModifiedDate: z.string(), cancelStatus: z.looseObject({ cancelState: z.string() }).optional() });

/** Orders modified in the window, page by page, as summaries. */
export async function* listEbayOrders(
  client: EbayClient,
  settings: EbaySettings,
  window: { since: string; until?: string },
): AsyncGenerator<ChannelOrderSummary[]> {
  const filter = modifiedFilter(window.since, window.until);
  for (let offset = 0; ;) {
    const { data: page } = await getOrdersPage(client, { filter, limit: settings.ordersPageSize, offset });
    offset += page.orders.length;
    const summaries = page.orders.flatMap((o) => {
      const s = SummarySchema.safeParse(o);
      return s.success
        ? [
            {
              externalOrderId: s.data.orderId,
              orderNumber: s.data.orderId,
              updatedAt: new Date(s.data.lastModifiedDate).toISOString(),
              cancelled: s.data.cancelStatus?.cancelState === 'CANCELED',
            },
          ]
        : [];
    });
    if (summaries.length > 0) yield summaries;
    if (page.orders.length === 0 || offset >= page.total || page.next === undefined) return;
  }
}

/** Full orders by id (50 per call), in the shape the `order` normalizer reads. */
export async function readEbayOrders(client: EbayClient, ids: string[]): Promise<ChannelOrderPayload[]> {
  const out: ChannelOrderPayload[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_CALL) {
    const { data } = await getOrdersPage(client, { orderIds: ids.slice(i, i + IDS_PER_CALL).join(',') });
    for (const o of data.orders) {
      const id = (o as { orderId?: unknown } | null)?.orderId;
      if (typeof id === 'string') out.push({ externalOrderId: id, topic: EBAY_ORDER_TOPIC, body: o });
    }
  }
  return out;
}
