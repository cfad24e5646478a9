import type { ChannelOrderPayload, ChannelOrderSummary, ChannelStockItem } from '../types.js';
import type { AmazonClient } from './client.js';
import type { AmazonSpSettings } from './config.js';
import { ORDERS_TOPIC } from './inbound/orders.js';
import { orderPages, orderPayload } from './poll.js';
import { ItemSearchResultsSchema } from './shapes.js';

/** searchListingsItems answers at most 20 items a page and takes at most 20 identifiers. */
const PAGE_SIZE = 20;

/**
 * Channel truth for stock reconciliation: each listing's quantity per fulfillment channel, from
 * searchListingsItems (all listings, page by page, or only the seller SKUs of `filter`).
 * https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference#searchlistingsitems
 */
export async function* readAmazonStockLevels(
  client: AmazonClient,
  settings: AmazonSpSettings,
  filter?: { externalIds: Record<string, string>[] },
): AsyncGenerator<ChannelStockItem[]> {
  const wanted = filter ? [...new Set(filter.externalIds.map((ids) => ids['sellerSku']).filter((s): s is string => !!s))] : undefined;
  const batches = wanted ? chunk(wanted, PAGE_SIZE).map((ids) => ({ identifiers: ids.join(','), identifiersType: 'SKU' })) : [{}];
  for (const batch of batches) {
    let pageToken: string | undefined;
    do {
      const page = await client.call({
        operation: 'searchListingsItems',
        method: 'GET',
        path: `/listings/2021-08-01/items/${encodeURIComponent(settings.sellerId)}`,
        query: { marketplaceIds: settings.marketplaceId, includedData: 'summaries,fulfillmentAvailability', pageSize: String(PAGE_SIZE), pageToken, ...batch },
        response: ItemSearchResultsSchema,
        idempotent: true,
      });
      const items = page.items.map((item): ChannelStockItem => {
        const asin = item.summaries?.find((s) => s.marketplaceId === settings.marketplaceId)?.asin;
        return {
          sku: item.sku,
          externalIds: { sellerSku: item.sku, ...(asin ? { asin } : {}) },
          levels: (item.fulfillmentAvailability ?? [])
            .filter((f) => f.quantity !== undefined)
            .map((f) => ({ location: f.fulfillmentChannelCode, available: f.quantity!, pushed: f.fulfillmentChannelCode === settings.fulfillmentChannelCode })),
        };
      });
      if (items.length > 0) yield items;
      pageToken = page.pagination?.nextToken || undefined;
    } while (pageToken);
  }
}

/** Orders updated in the window, as summaries. */
export async function* listAmazonOrders(
  client: AmazonClient,
  settings: AmazonSpSettings,
  window: { since: string; until?: string },
): AsyncGenerator<ChannelOrderSummary[]> {
  for await (const orders of orderPages(client, settings, { LastUpdatedAfter: window.since, LastUpdatedBefore: window.until })) {
    const rows = orders
      .filter((o) => o.FulfillmentChannel !== 'AFN' && o.OrderStatus !== 'Pending' && o.OrderStatus !== 'PendingAvailability')
      .map((o) => ({
        externalOrderId: o.AmazonOrderId,
        orderNumber: o.AmazonOrderId,
        updatedAt: new Date(o.LastUpdateDate).toISOString(),
        cancelled: o.OrderStatus === 'Canceled',
      }));
    if (rows.length > 0) yield rows;
  }
}

/** Full payloads of these orders, 50 ids per getOrders call (the documented maximum). */
export async function readAmazonOrders(client: AmazonClient, settings: AmazonSpSettings, ids: string[]): Promise<ChannelOrderPayload[]> {
  const out: ChannelOrderPayload[] = [];
  for (const batch of chunk([...new Set(ids)], 50)) {
    for await (const orders of orderPages(client, settings, { AmazonOrderIds: batch.join(',') })) {
      for (const order of orders) out.push({ externalOrderId: order.AmazonOrderId, topic: ORDERS_TOPIC, body: await orderPayload(client, order) });
    }
  }
  return out;
}

function chunk<T>(values: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
