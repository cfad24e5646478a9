import { checkInstantCursor } from '../http/poll-cursor.js';
import type { EbayClient } from './client.js';
import type { EbaySettings } from './config.js';
import { EBAY_ORDER_TOPIC } from './inbound/orders.js';
import { EbayOrdersPageSchema } from './shapes.js';

/**
 * How far each poll re-reads behind its own start: an order modified while the pages were being
 * read is caught by the next poll. Orders read again unchanged are duplicates in the inbox.
 */
export const POLL_OVERLAP_MS = 2 * 60 * 1000;

/** One getOrders page: orders modified in the filter's window, `limit` from `offset`. */
export function getOrdersPage(client: EbayClient, query: { filter?: string; orderIds?: string; limit?: number; offset?: number }) {
  // https://developer.ebay.com/api-docs/sell/fulfillment/resources/order/methods/getOrders
  return client.call({
    operation: 'getOrders',
    bucket: 'fulfillment',
    method: 'GET',
    path: '/sell/fulfillment/v1/order',
    query: Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as Record<string, string | number>,
    schema: EbayOrdersPageSchema,
    idempotent: true,
  });
}

/** The `filter` of orders modified from `since` (and up to `until`), both inclusive. */
export const modifiedFilter = (since: string, until?: string) => `lastmodifieddate:[${since}..${until ?? ''}]`;

/**
 * Orders modified at or after the cursor, page by page (`offset` and `limit`), each order the raw
 * payload the `order` normalizer reads. Pages are read without an upper bound, so an order modified
 * meanwhile stays in the result set (a new order shifts later pages back: a repeat, never a skip).
 * Intermediate pages carry the old cursor (a crash re-reads the window); the last one carries the
 * poll's start less {@link POLL_OVERLAP_MS}, never earlier than the old cursor.
 */
export async function* pollOrdersSince(
  client: EbayClient,
  settings: EbaySettings,
  cursor: string | null,
  now: () => number = Date.now,
): AsyncGenerator<{ orders: unknown[]; cursor: string; topic: string }> {
  // The cursor: the instant from which the next poll reads modified orders (UTC).
  checkInstantCursor(cursor, 'ebay');
  const startedAt = now();
  const since = cursor ?? new Date(startedAt - settings.firstPollLookbackMs).toISOString();
  const next = new Date(Math.max(Date.parse(since), startedAt - POLL_OVERLAP_MS)).toISOString();
  const filter = modifiedFilter(since);
  for (let offset = 0; ;) {
    const { data: page } = await getOrdersPage(client, { filter, limit: settings.ordersPageSize, offset });
    offset += page.orders.length;
    const last = page.orders.length === 0 || offset >= page.total || page.next === undefined;
    yield { orders: page.orders, cursor: last ? next : since, topic: EBAY_ORDER_TOPIC };
    if (last) return;
  }
}
