import { ContractError } from '../../core/errors.js';
import type { ChannelOrderPayload, ChannelOrderSummary, ChannelStockItem } from '../types.js';
import type { WalmartClient } from './client.js';
import { type WalmartSettings, pushShipNode } from './config.js';
import { WALMART_ORDERS_TOPIC } from './inbound/orders.js';
import { MAX_INVENTORIES_PER_PAGE } from './limits.js';
import { asOrdersPage, getOrder, modifiedOrders } from './orders-api.js';
import { WalmartInventoriesPageSchema, WalmartOrderSchema, WalmartSkuNodesSchema } from './shapes.js';

type Nodes = { sku: string; nodes: { shipNode: string; inputQty?: { amount: number } | undefined }[] };

/**
 * One item's levels at the ship nodes the hub knows (the push node and every mapped one). The level
 * is `inputQty`, the quantity the seller set (what the hub pushes), not `availToSellQty`, which
 * Walmart lowers for orders it has not released yet and the hub may already have allocated.
 */
function toStockItem(item: Nodes, settings: WalmartSettings): ChannelStockItem {
  const push = pushShipNode(settings);
  const known = new Set([...(push ? [push] : []), ...Object.keys(settings.locations)]);
  // Without a push node or a mapped one, pushes go to the default virtual node: every node counts.
  const levels = item.nodes
    .filter((n) => known.size === 0 || known.has(n.shipNode))
    .map((n) => ({ location: n.shipNode, available: n.inputQty?.amount ?? 0, pushed: push === undefined || n.shipNode === push }));
  return { sku: item.sku, externalIds: { sellerSku: item.sku }, levels };
}

/**
 * Channel truth for reconciliation: every item across ship nodes, 50 a page
 * (https://developer.walmart.com/us-marketplace/reference/getmultinodeinventoryforallskuandallshipnodes);
 * with a filter, just those SKUs (https://developer.walmart.com/us-marketplace/reference/getmultinodeinventoryforskuandallshipnodes).
 */
export async function* readWalmartStockLevels(
  client: WalmartClient,
  settings: WalmartSettings,
  filter?: { externalIds: Record<string, string>[] },
): AsyncGenerator<ChannelStockItem[]> {
  if (filter) {
    const skus = [...new Set(filter.externalIds.map((ids) => ids['sellerSku'] ?? ids['sku']).filter((s): s is string => !!s))];
    const items: ChannelStockItem[] = [];
    for (const sku of skus) {
      try {
        const nodes = await client.call({
          operation: 'getInventory',
          method: 'GET',
          path: `/v3/inventories/${encodeURIComponent(sku)}`,
          schema: WalmartSkuNodesSchema,
          idempotent: true,
        });
        items.push(toStockItem(nodes, settings));
      } catch (err) {
        if (!(err instanceof ContractError && err.code === 'not_found')) throw err;
      }
    }
    if (items.length > 0) yield items;
    return;
  }
  let nextCursor: string | undefined;
  for (;;) {
    const page = await client.call({
      operation: 'getInventories',
      method: 'GET',
      path: '/v3/inventories',
      query: { limit: MAX_INVENTORIES_PER_PAGE, nextCursor },
      schema: WalmartInventoriesPageSchema,
      idempotent: true,
    });
    const items = page.elements.inventories.map((i) => toStockItem(i, settings));
    if (items.length > 0) yield items;
    const next = page.meta?.nextCursor;
    if (!next || page.elements.inventories.length === 0) return;
    nextCursor = next;
  }
}

/** Orders modified in the window, as summaries; the version is the latest line statusDate, as the normalizer's. */
export async function* listWalmartOrders(client: WalmartClient, window: { since: string; until?: string }): AsyncGenerator<ChannelOrderSummary[]> {
  for await (const page of modifiedOrders(client, window)) {
    const summaries = page.orders.flatMap((raw) => {
      const o = WalmartOrderSchema.safeParse(raw);
      if (!o.success) return [];
      const lines = o.data.orderLines.orderLine;
      const updated = Math.max(o.data.orderDate, ...lines.map((l) => l.statusDate));
      const cancelled = lines.every((l) => l.orderLineStatuses.orderLineStatus.every((s) => s.status === 'Cancelled'));
      return [{ externalOrderId: o.data.purchaseOrderId, orderNumber: o.data.customerOrderId, updatedAt: new Date(updated).toISOString(), cancelled }];
    });
    if (summaries.length > 0) yield summaries;
  }
}

/** Full orders by purchase order id, as one-order pages for the `orders` normalizer; unknown ids are left out. */
export async function readWalmartOrders(client: WalmartClient, ids: readonly string[]): Promise<ChannelOrderPayload[]> {
  const out: ChannelOrderPayload[] = [];
  for (const id of ids) {
    const order = await getOrder(client, id);
    if (order) out.push({ externalOrderId: id, topic: WALMART_ORDERS_TOPIC, body: asOrdersPage(order) });
  }
  return out;
}
