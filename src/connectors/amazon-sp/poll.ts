import { checkInstantCursor } from '../http/poll-cursor.js';
import type { AmazonClient } from './client.js';
import type { AmazonSpSettings } from './config.js';
import { ORDERS_TOPIC } from './inbound/orders.js';
import { type AmazonGetOrderItemsResponse, AmazonGetOrderItemsResponseSchema, AmazonGetOrdersResponseSchema, type AmazonOrder } from './shapes.js';

/** Without a cursor, the backfill starts this far back. */
export const FIRST_POLL_LOOKBACK_MS = 24 * 60 * 60 * 1000;

/**
 * getOrders shows an update about two minutes after it happens, so the cursor never passes
 * "now − 2 min": an order updated just before a poll but not yet visible is read by the next one.
 * https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-use-case-guide
 */
export const VISIBILITY_DELAY_MS = 2 * 60 * 1000;

export interface OrdersQuery {
  LastUpdatedAfter?: string;
  LastUpdatedBefore?: string;
  AmazonOrderIds?: string;
}

/** getOrders pages for `query`, NextToken after NextToken. https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#getorders */
export async function* orderPages(client: AmazonClient, settings: AmazonSpSettings, query: OrdersQuery): AsyncGenerator<AmazonOrder[]> {
  let nextToken: string | undefined;
  do {
    const page = await client.call({
      operation: 'getOrders',
      method: 'GET',
      path: '/orders/v0/orders',
      query: nextToken
        ? { MarketplaceIds: settings.marketplaceId, NextToken: nextToken }
        : { MarketplaceIds: settings.marketplaceId, MaxResultsPerPage: '100', ...query },
      response: AmazonGetOrdersResponseSchema,
      idempotent: true,
    });
    yield page.payload.Orders;
    nextToken = page.payload.NextToken || undefined;
  } while (nextToken);
}

/** Every item of an order, all pages joined into one getOrderItems answer. https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#getorderitems */
export async function orderItems(client: AmazonClient, orderId: string): Promise<AmazonGetOrderItemsResponse> {
  const items: AmazonGetOrderItemsResponse['payload']['OrderItems'] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.call({
      operation: 'getOrderItems',
      method: 'GET',
      path: `/orders/v0/orders/${encodeURIComponent(orderId)}/orderItems`,
      query: { NextToken: nextToken },
      response: AmazonGetOrderItemsResponseSchema,
      idempotent: true,
    });
    items.push(...page.payload.OrderItems);
    nextToken = page.payload.NextToken || undefined;
  } while (nextToken);
  return { payload: { AmazonOrderId: orderId, OrderItems: items } };
}

/** One order in the `orders` topic's shape: a one-order getOrders page with its items (none needed when nothing will be read from them). */
export async function orderPayload(client: AmazonClient, order: AmazonOrder): Promise<unknown> {
  const needsItems =
    order.OrderStatus !== 'Canceled' && order.OrderStatus !== 'Pending' && order.OrderStatus !== 'PendingAvailability' && order.FulfillmentChannel !== 'AFN';
  const items = needsItems ? { [order.AmazonOrderId]: await orderItems(client, order.AmazonOrderId) } : {};
  return { orders: { payload: { Orders: [order] } }, orderItems: items };
}

/**
 * Orders updated at or after `cursor`, page by page, each as its own `orders` payload. Pending
 * orders are skipped without reading their items (they normalize to nothing; the poll after they
 * are paid sees them again). getOrders has no documented sort order, so pages before the last keep
 * the old cursor; the last moves it to "now − 2 min" (never backwards).
 */
export async function* pollAmazonOrders(
  client: AmazonClient,
  settings: AmazonSpSettings,
  cursor: string | null,
  now: () => number,
): AsyncGenerator<{ orders: unknown[]; cursor: string; topic: string }> {
  checkInstantCursor(cursor, 'amazon-sp');
  const startedAt = now();
  const since = cursor ?? new Date(startedAt - FIRST_POLL_LOOKBACK_MS).toISOString();
  const safe = new Date(Math.max(Date.parse(since), startedAt - VISIBILITY_DELAY_MS)).toISOString();
  let pending: unknown[] | undefined;
  for await (const page of orderPages(client, settings, { LastUpdatedAfter: since })) {
    if (pending) yield { orders: pending, cursor: since, topic: ORDERS_TOPIC };
    pending = [];
    for (const order of page) {
      if (order.OrderStatus === 'Pending' || order.OrderStatus === 'PendingAvailability') continue;
      pending.push(await orderPayload(client, order));
    }
  }
  yield { orders: pending ?? [], cursor: safe, topic: ORDERS_TOPIC };
}
