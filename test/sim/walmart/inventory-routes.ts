import type { ServerResponse } from 'node:http';
import type { WalmartSimCounters } from './server.js';
import type { WalmartStore } from './store.js';

export interface InventoryRouteDeps {
  store: WalmartStore;
  shipNode: string;
  counters: WalmartSimCounters;
  feedDelayMs: number;
  send(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void;
  error(res: ServerResponse, status: number, code: string, description: string): void;
  count(operation: string): void;
}

/**
 * Inventory routes of the simulator: single-item update and read, inventories across ship nodes,
 * bulk inventory feeds and their item status. Returns false when the request is none of them.
 * https://developer.walmart.com/us-marketplace/reference/updateinventoryforanitem
 * https://developer.walmart.com/us-marketplace/reference/updatebulkinventory
 * https://developer.walmart.com/us-marketplace/reference/getfeeditemstatus
 */
export function routeInventory(d: InventoryRouteDeps, method: string, path: string, q: URLSearchParams, raw: string, res: ServerResponse): boolean {
  let m: RegExpExecArray | null = null;
  const reply = (r: ServerResponse, status: number, body: unknown) => (d.send(r, status, body), true);
  const fail = (r: ServerResponse, status: number, code: string, description: string) => (d.error(r, status, code, description), true);
  if (path === '/v3/inventory') {
    const sku = q.get('sku') ?? '';
    const node = q.get('shipNode') ?? d.shipNode;
    if (method === 'PUT') {
      d.count('updateInventory');
      const body = JSON.parse(raw) as { sku?: string; quantity?: { amount?: number } };
      if (body.sku !== sku || !Number.isInteger(body.quantity?.amount))
        return fail(res, 400, 'INVALID_REQUEST_CONTENT.GMP_INVENTORY_API', 'bad inventory body');
      if (!d.store.setQuantity(sku, body.quantity?.amount as number, node))
        return fail(res, 404, 'CONTENT_NOT_FOUND.GMP_INVENTORY_API', `sku ${sku} not found`);
      d.counters.inventoryUpdates += 1;
      return reply(res, 200, { sku, quantity: { unit: 'EACH', amount: body.quantity?.amount } });
    }
    d.count('getInventory');
    const amount = d.store.available(sku, node);
    return amount === undefined
      ? fail(res, 404, 'CONTENT_NOT_FOUND.GMP_INVENTORY_API', 'not found')
      : reply(res, 200, { sku, quantity: { unit: 'EACH', amount } });
  }
  if (method === 'GET' && (path === '/v3/inventories' || (m = /^\/v3\/inventories\/([^/]+)$/.exec(path)))) {
    d.count('getInventories');
    const nodesOf = (sku: string) =>
      [...(d.store.inventory.get(sku) ?? new Map<string, number>())].map(([n, amount]) => ({
        shipNode: n,
        inputQty: { unit: 'EACH', amount },
        availToSellQty: { unit: 'EACH', amount },
        reservedQty: { unit: 'EACH', amount: 0 },
      }));
    if (m) {
      const sku = decodeURIComponent(m[1] as string);
      return d.store.inventory.has(sku) ? reply(res, 200, { sku, nodes: nodesOf(sku) }) : fail(res, 404, 'CONTENT_NOT_FOUND.GMP_INVENTORY_API', 'not found');
    }
    const skus = [...d.store.inventory.keys()].sort();
    const limit = Math.min(50, Number(q.get('limit') ?? 10));
    const start = Number(Buffer.from(q.get('nextCursor') ?? '', 'base64').toString() || 0);
    const next = start + limit < skus.length ? Buffer.from(String(start + limit)).toString('base64') : null;
    return reply(res, 200, {
      meta: { totalCount: skus.length, nextCursor: next },
      elements: { inventories: skus.slice(start, start + limit).map((sku) => ({ sku, nodes: nodesOf(sku) })) },
    });
  }
  if (method === 'POST' && path === '/v3/feeds') {
    d.count('bulkInventoryFeed');
    if (q.get('feedType') !== 'inventory') return fail(res, 400, 'INVALID_REQUEST_PARAM', 'feedType');
    // A multipart body with one JSON file: read the JSON between the part boundaries.
    const json = JSON.parse(raw.slice(raw.indexOf('{'), raw.lastIndexOf('}') + 1)) as { Inventory: { sku: string; quantity: { amount: number } }[] };
    const feed = d.store.submitFeed(
      json.Inventory.map((i) => ({ sku: i.sku, amount: i.quantity.amount })),
      q.get('shipNode') ?? d.shipNode,
      d.feedDelayMs,
    );
    d.counters.feeds += 1;
    return reply(res, 200, { feedId: feed.feedId });
  }
  if (method === 'GET' && (m = /^\/v3\/feeds\/([^/]+)$/.exec(path))) {
    d.count('getFeedStatus');
    const feed = d.store.feeds.get(decodeURIComponent(m[1] as string));
    if (!feed) return fail(res, 404, 'CONTENT_NOT_FOUND.GMP_FEED_API', 'feed not found');
    const ready = Date.now() >= feed.readyAt;
    const offset = Number(q.get('offset') ?? 0);
    const limit = Math.min(50, Number(q.get('limit') ?? 50));
    return reply(res, 200, {
      feedId: feed.feedId,
      feedStatus: ready ? 'PROCESSED' : 'INPROGRESS',
      itemsReceived: feed.items.length,
      itemsSucceeded: ready ? feed.items.filter((i) => i.status === 'SUCCESS').length : 0,
      itemsFailed: ready ? feed.items.filter((i) => i.status !== 'SUCCESS').length : 0,
      itemsProcessing: ready ? 0 : feed.items.length,
      offset,
      limit,
      itemDetails: {
        itemIngestionStatus: ready
          ? feed.items.slice(offset, offset + limit).map((i, j) => ({
              sku: i.sku,
              index: offset + j,
              ingestionStatus: i.status,
              ...(i.error ? { ingestionErrors: { ingestionError: [{ type: 'DATA_ERROR', code: 'ERR_PDI_0034', description: i.error }] } } : {}),
            }))
          : [],
      },
    });
  }
  return false;
}
