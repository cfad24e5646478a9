import { z } from 'zod';
import type { ChannelOrderPayload, ChannelOrderSummary } from '../../types.js';
import type { ShopifyClient } from '../client.js';
import { toGid } from '../ids.js';
import { ORDER_NODE_FIELDS, SHOPIFY_POLL_TOPIC, ShopifyOrderNodeSchema, remainingLines, toWebhookShape } from '../poll.js';

/** A light listing: ids, versions and cancellation only (cost about 1 point per order). */
const LIST_PER_PAGE = 250;
/** Full orders per call, as the backfill reads them (keeps a query under the 1,000-point limit). */
const FULL_PER_CALL = 4;
const LINES_PER_PAGE = 50;

/** https://shopify.dev/docs/api/admin-graphql/2025-07/queries/orders */
export const ORDERS_CHANGED_IN_WINDOW = `query ordersChangedInWindow($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { legacyResourceId name updatedAt cancelledAt }
  }
}`;

/** https://shopify.dev/docs/api/admin-graphql/2025-07/queries/nodes */
export const ORDERS_BY_IDS = `query ordersByIds($ids: [ID!]!, $lines: Int!) {
  nodes(ids: $ids) { ... on Order { ${ORDER_NODE_FIELDS} } }
}`;

const ListPage = z.object({
  orders: z.object({
    pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
    nodes: z.array(z.object({ legacyResourceId: z.string(), name: z.string(), updatedAt: z.string(), cancelledAt: z.string().nullable() })),
  }),
});
const Nodes = z.object({ nodes: z.array(ShopifyOrderNodeSchema.nullable()) });

/**
 * Orders updated within the window (inclusive; open-ended without `until`), oldest first, page by
 * page. Shopify search syntax; only the last 60 days are visible without the read_all_orders scope.
 * https://shopify.dev/docs/api/usage/search-syntax
 */
export async function* listShopifyOrders(client: ShopifyClient, window: { since: string; until?: string }): AsyncGenerator<ChannelOrderSummary[]> {
  const query = `updated_at:>='${window.since}'${window.until ? ` updated_at:<='${window.until}'` : ''}`;
  let after: string | null = null;
  for (;;) {
    const page: z.infer<typeof ListPage> = await client.graphql({
      name: 'ordersChangedInWindow',
      query: ORDERS_CHANGED_IN_WINDOW,
      variables: { first: LIST_PER_PAGE, after, query },
      data: ListPage,
      idempotent: true,
      estimatedCost: 2 + LIST_PER_PAGE,
    });
    const orders = page.orders.nodes.map((o) => ({
      externalOrderId: o.legacyResourceId,
      orderNumber: o.name,
      updatedAt: new Date(o.updatedAt).toISOString(),
      cancelled: o.cancelledAt !== null,
    }));
    if (orders.length > 0) yield orders;
    if (!page.orders.pageInfo.hasNextPage || !page.orders.pageInfo.endCursor) return;
    after = page.orders.pageInfo.endCursor;
  }
}

/** Full orders by id, in the webhook shape `orders/updated` normalizes; unknown ids are left out. */
export async function readShopifyOrders(client: ShopifyClient, externalOrderIds: readonly string[]): Promise<ChannelOrderPayload[]> {
  const out: ChannelOrderPayload[] = [];
  for (let i = 0; i < externalOrderIds.length; i += FULL_PER_CALL) {
    const ids = externalOrderIds.slice(i, i + FULL_PER_CALL).map((id) => toGid('Order', id));
    const { nodes } = await client.graphql({
      name: 'ordersByIds',
      query: ORDERS_BY_IDS,
      variables: { ids, lines: LINES_PER_PAGE },
      data: Nodes,
      idempotent: true,
      estimatedCost: 820,
    });
    for (const node of nodes) {
      if (!node) continue;
      const lines = [...node.lineItems.nodes, ...(await remainingLines(client, node.id, node.lineItems.pageInfo))];
      out.push({ externalOrderId: node.legacyResourceId, topic: SHOPIFY_POLL_TOPIC, body: toWebhookShape(node, lines) });
    }
  }
  return out;
}
