import { ContractError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { checkInstantCursor } from '../http/poll-cursor.js';
import type { WalmartClient } from './client.js';
import type { WalmartSettings } from './config.js';
import { WALMART_ORDERS_TOPIC } from './inbound/orders.js';
import { acknowledgeOrder, asOrdersPage, awaitsAcknowledgement, modifiedOrders } from './orders-api.js';

/** Without a cursor, the first poll reads this far back. */
export const FIRST_POLL_LOOKBACK_MS = 24 * 60 * 60 * 1000;
/**
 * Orders carry no modification time of their own, so the next poll starts from this poll's start
 * minus an overlap (clock skew, orders committed while the poll ran). Orders read twice unchanged
 * are duplicates in the inbox; changed ones are new versions.
 */
export const POLL_OVERLAP_MS = 5 * 60 * 1000;

/**
 * Purchase orders modified since `cursor`, page by page, each as a one-order getAllOrders page for
 * the `orders` normalizer. New orders (lines in `Created`) are acknowledged before their page is
 * handed over: the cursor only moves once the hub has recorded the page, so a crash after the
 * acknowledgement re-reads the order rather than losing it, and a failed acknowledgement fails
 * the poll before the cursor moves. An order Walmart refuses to acknowledge (cancelled meanwhile)
 * is logged and still recorded.
 */
export async function* pollWalmartOrders(
  client: WalmartClient,
  settings: Pick<WalmartSettings, 'acknowledgeOrders'>,
  cursor: string | null,
  deps: { now: () => number; logger: Logger; connectorId: string },
): AsyncGenerator<{ orders: unknown[]; cursor: string; topic: string }> {
  // The cursor: the `lastModifiedStartDate` (ISO UTC) the next poll reads from.
  checkInstantCursor(cursor, 'walmart', deps.connectorId);
  const startedAt = deps.now();
  const since = cursor ?? new Date(startedAt - FIRST_POLL_LOOKBACK_MS).toISOString();
  const nextCursor = new Date(Math.max(Date.parse(since), startedAt - POLL_OVERLAP_MS)).toISOString();
  for await (const page of modifiedOrders(client, { since })) {
    if (settings.acknowledgeOrders) {
      for (const raw of page.orders) {
        const pending = awaitsAcknowledgement(raw);
        if (!pending) continue;
        try {
          await acknowledgeOrder(client, pending.purchaseOrderId);
        } catch (err) {
          if (!(err instanceof ContractError)) throw err;
          deps.logger.warn(
            { connectorId: deps.connectorId, purchaseOrderId: pending.purchaseOrderId, code: err.code },
            'walmart refused to acknowledge an order',
          );
        }
      }
    }
    // Intermediate pages keep the old cursor: only a finished read may move it.
    yield { orders: page.orders.map(asOrdersPage), cursor: page.next ? since : nextCursor, topic: WALMART_ORDERS_TOPIC };
  }
}
