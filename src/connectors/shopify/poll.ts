import { z } from 'zod';
import { checkInstantCursor } from '../http/poll-cursor.js';
import type { ShopifyClient } from './client.js';
import { legacyId } from './ids.js';

/** The normalizer that turns a polled order into canonical events. */
export const SHOPIFY_POLL_TOPIC = 'orders/updated';

/** Without a cursor, the backfill starts this far back. */
export const FIRST_POLL_LOOKBACK_MS = 24 * 60 * 60 * 1000;

// Page sizes keep one query under the 1,000-point single-query limit (orders × line items × fields).
const ORDERS_PER_PAGE = 4;
const LINES_PER_PAGE = 50;

const MONEY = 'shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }';
const LINE = `id sku title name quantity currentQuantity variant { legacyResourceId } originalUnitPriceSet { shopMoney { amount currencyCode } }`;

/** The fields of an Order the backfill reads (also read by order reconciliation). https://shopify.dev/docs/api/admin-graphql/2025-07/objects/Order */
export const ORDER_NODE_FIELDS = `id legacyResourceId name createdAt updatedAt cancelledAt cancelReason currencyCode presentmentCurrencyCode email
      totalPriceSet { ${MONEY} }
      currentTotalPriceSet { ${MONEY} }
      customer { legacyResourceId firstName lastName }
      shippingAddress { name firstName lastName company address1 address2 city province zip country countryCodeV2 phone }
      lineItems(first: $lines) { pageInfo { hasNextPage endCursor } nodes { ${LINE} } }`;

/** https://shopify.dev/docs/api/admin-graphql/2025-07/queries/orders */
export const ORDERS_UPDATED_SINCE = `query ordersUpdatedSince($first: Int!, $after: String, $query: String!, $lines: Int!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      ${ORDER_NODE_FIELDS}
    }
  }
}`;

/** https://shopify.dev/docs/api/admin-graphql/2025-07/objects/Order#connection-lineItems */
export const ORDER_LINES = `query orderLines($id: ID!, $after: String, $lines: Int!) {
  order(id: $id) { lineItems(first: $lines, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${LINE} } } }
}`;

const Money = z.object({ amount: z.string(), currencyCode: z.string() });
const MoneyBag = z.object({ shopMoney: Money, presentmentMoney: Money.optional() });
const PageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });
const Line = z.object({
  id: z.string(),
  sku: z.string().nullable(),
  title: z.string(),
  name: z.string().nullable().optional(),
  quantity: z.number().int(),
  currentQuantity: z.number().int(),
  variant: z.object({ legacyResourceId: z.string() }).nullable(),
  originalUnitPriceSet: MoneyBag,
});
const Lines = z.object({ pageInfo: PageInfo, nodes: z.array(Line) });
/** An order as {@link ORDER_NODE_FIELDS} reads it. */
export const ShopifyOrderNodeSchema = z.object({
  id: z.string(),
  legacyResourceId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  cancelledAt: z.string().nullable(),
  cancelReason: z.string().nullable(),
  currencyCode: z.string(),
  presentmentCurrencyCode: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  totalPriceSet: MoneyBag,
  currentTotalPriceSet: MoneyBag.nullable().optional(),
  customer: z.object({ legacyResourceId: z.string(), firstName: z.string().nullable(), lastName: z.string().nullable() }).nullable().optional(),
  shippingAddress: z.record(z.string(), z.string().nullable()).nullable().optional(),
  lineItems: Lines,
});
const Order = ShopifyOrderNodeSchema;
const OrdersPage = z.object({ orders: z.object({ pageInfo: PageInfo, nodes: z.array(Order) }) });
const OrderLinesPage = z.object({ order: z.object({ lineItems: Lines }).nullable() });

/**
 * Orders updated at or after `cursor`, oldest first, page by page; each page comes with the cursor
 * to resume from (the newest `updated_at` seen). The bound is inclusive so orders sharing the
 * cursor's instant are never skipped; the few re-read are duplicates for the idempotency keys.
 * Orders are returned in the webhook payload shape, so `orders/updated` normalizes them.
 * Only the last 60 days are visible without the read_all_orders scope.
 */
export async function* pollOrdersSince(
  client: ShopifyClient,
  cursor: string | null,
  now: () => number = Date.now,
): AsyncGenerator<{ orders: unknown[]; cursor: string; topic: string }> {
  // The cursor: the `updated_at` instant (UTC) up to which orders have been read.
  checkInstantCursor(cursor, 'shopify');
  let since = cursor ?? new Date(now() - FIRST_POLL_LOOKBACK_MS).toISOString();
  const query = `updated_at:>='${since}'`;
  let after: string | null = null;
  for (;;) {
    const page: z.infer<typeof OrdersPage> = await client.graphql({
      name: 'ordersUpdatedSince',
      query: ORDERS_UPDATED_SINCE,
      variables: { first: ORDERS_PER_PAGE, after, query, lines: LINES_PER_PAGE },
      data: OrdersPage,
      idempotent: true,
      estimatedCost: 820,
    });
    const orders = [];
    for (const node of page.orders.nodes) {
      const lines = [...node.lineItems.nodes, ...(await remainingLines(client, node.id, node.lineItems.pageInfo))];
      orders.push(toWebhookShape(node, lines));
      const updated = new Date(node.updatedAt).toISOString();
      if (updated > since) since = updated;
    }
    if (orders.length > 0) yield { orders, cursor: since, topic: SHOPIFY_POLL_TOPIC };
    if (!page.orders.pageInfo.hasNextPage || !page.orders.pageInfo.endCursor) return;
    after = page.orders.pageInfo.endCursor;
  }
}

/** The line items of an order beyond its first page. */
export async function remainingLines(client: ShopifyClient, orderId: string, pageInfo: z.infer<typeof PageInfo>): Promise<z.infer<typeof Line>[]> {
  const lines: z.infer<typeof Line>[] = [];
  let info = pageInfo;
  while (info.hasNextPage && info.endCursor) {
    const page = await client.graphql({
      name: 'orderLines',
      query: ORDER_LINES,
      variables: { id: orderId, after: info.endCursor, lines: 100 },
      data: OrderLinesPage,
      idempotent: true,
      estimatedCost: 400,
    });
    if (!page.order) break;
    lines.push(...page.order.lineItems.nodes);
    info = page.order.lineItems.pageInfo;
  }
  return lines;
}

const moneySet = (bag: z.infer<typeof MoneyBag>) => ({
  shop_money: { amount: bag.shopMoney.amount, currency_code: bag.shopMoney.currencyCode },
  ...(bag.presentmentMoney ? { presentment_money: { amount: bag.presentmentMoney.amount, currency_code: bag.presentmentMoney.currencyCode } } : {}),
});

/** A GraphQL order in the REST/webhook shape that `ShopifyOrderWebhookSchema` reads. */
export function toWebhookShape(order: z.infer<typeof Order>, lines: z.infer<typeof Line>[]): Record<string, unknown> {
  const a = order.shippingAddress;
  return {
    id: order.legacyResourceId,
    name: order.name,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    cancelled_at: order.cancelledAt,
    cancel_reason: order.cancelReason?.toLowerCase() ?? null,
    currency: order.currencyCode,
    presentment_currency: order.presentmentCurrencyCode ?? null,
    total_price: order.totalPriceSet.shopMoney.amount,
    total_price_set: moneySet(order.totalPriceSet),
    ...(order.currentTotalPriceSet ? { current_total_price_set: moneySet(order.currentTotalPriceSet) } : {}),
    email: order.email ?? null,
    customer: order.customer ? { id: order.customer.legacyResourceId, first_name: order.customer.firstName, last_name: order.customer.lastName } : null,
    shipping_address: a
      ? {
          name: a['name'],
          first_name: a['firstName'],
          last_name: a['lastName'],
          company: a['company'],
          address1: a['address1'],
          address2: a['address2'],
          city: a['city'],
          province: a['province'],
          zip: a['zip'],
          country: a['country'],
          country_code: a['countryCodeV2'],
          phone: a['phone'],
        }
      : null,
    line_items: lines.map((li) => ({
      id: legacyId(li.id),
      variant_id: li.variant?.legacyResourceId ?? null,
      sku: li.sku,
      title: li.title,
      name: li.name ?? null,
      quantity: li.quantity,
      current_quantity: li.currentQuantity,
      price: li.originalUnitPriceSet.shopMoney.amount,
      price_set: moneySet(li.originalUnitPriceSet),
    })),
  };
}
