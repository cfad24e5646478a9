import { z } from 'zod';
import { ContractError } from '../../core/errors.js';
import type { WalmartClient } from './client.js';
import { MAX_ORDERS_PER_PAGE } from './limits.js';
import { type WalmartOrder, WalmartOrderEnvelopeSchema, WalmartOrderSchema, WalmartOrdersPageSchema } from './shapes.js';

/** One getAllOrders page: the raw orders (as Walmart wrote them) and the query of the next page. */
export interface OrdersPage {
  orders: unknown[];
  next: string | null;
}

/**
 * Purchase orders modified in a window, page by page, following `meta.nextCursor` (a ready-made
 * query string). https://developer.walmart.com/us-marketplace/reference/getallorders
 */
export async function* modifiedOrders(client: WalmartClient, window: { since: string; until?: string }): AsyncGenerator<OrdersPage> {
  let rawQuery: string | undefined;
  for (;;) {
    const page = await client.call({
      operation: 'getAllOrders',
      method: 'GET',
      path: '/v3/orders',
      ...(rawQuery
        ? { rawQuery }
        : { query: { lastModifiedStartDate: window.since, lastModifiedEndDate: window.until, limit: MAX_ORDERS_PER_PAGE, shipNodeType: 'SellerFulfilled' } }),
      schema: WalmartOrdersPageSchema,
      idempotent: true,
    });
    const next = page.list.meta.nextCursor || null;
    yield { orders: page.list.elements.order, next };
    if (!next) return;
    rawQuery = next.startsWith('?') ? next : `?${next}`;
  }
}

/** One purchase order; null when Walmart does not know it. https://developer.walmart.com/us-marketplace/reference/getanorder */
export async function getOrder(client: WalmartClient, purchaseOrderId: string): Promise<WalmartOrder | null> {
  try {
    const { order } = await client.call({
      operation: 'getAnOrder',
      method: 'GET',
      path: `/v3/orders/${encodeURIComponent(purchaseOrderId)}`,
      schema: WalmartOrderEnvelopeSchema,
      idempotent: true,
    });
    return order;
  } catch (err) {
    if (err instanceof ContractError && err.code === 'not_found') return null;
    throw err;
  }
}

/**
 * Acknowledges a whole purchase order: Walmart expects it for every order released to the seller
 * (lines in `Created`), within hours, and before shipping.
 * https://developer.walmart.com/us-marketplace/reference/acknowledgeorders
 */
export async function acknowledgeOrder(client: WalmartClient, purchaseOrderId: string): Promise<void> {
  await client.call({
    operation: 'acknowledgeOrders',
    method: 'POST',
    path: `/v3/orders/${encodeURIComponent(purchaseOrderId)}/acknowledge`,
    schema: z.unknown(),
    // Acknowledging twice leaves the order acknowledged.
    idempotent: true,
  });
}

/** True when some line of a raw order still waits in `Created` (released, not acknowledged). */
export function awaitsAcknowledgement(raw: unknown): { purchaseOrderId: string } | null {
  const parsed = WalmartOrderSchema.safeParse(raw);
  if (!parsed.success) return null;
  const created = parsed.data.orderLines.orderLine.some((l) => l.orderLineStatuses.orderLineStatus.some((s) => s.status === 'Created'));
  return created ? { purchaseOrderId: parsed.data.purchaseOrderId } : null;
}

/** A raw order as a one-order getAllOrders page: the payload the `orders` topic reads. */
export function asOrdersPage(raw: unknown): { list: { meta: { totalCount: number; limit: number }; elements: { order: unknown[] } } } {
  return { list: { meta: { totalCount: 1, limit: 1 }, elements: { order: [raw] } } };
}
