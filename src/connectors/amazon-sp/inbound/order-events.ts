import type { CanonicalEvent, CanonicalEventInput } from '../../../core/model/index.js';
import { envelope, finalize } from '../../http/normalize.js';
import { type AmazonContext, channelOf } from './common.js';

/**
 * `order.cancelled`, one idempotency key per order: the poll and a notification may both report
 * it, and an order is cancelled once.
 */
export function orderCancelled(
  ctx: AmazonContext,
  topic: string,
  orderId: string,
  version: string,
  cancelledAt: string,
  reason: string | undefined,
): CanonicalEvent[] {
  const event: CanonicalEventInput = {
    ...envelope(ctx, topic, 'order.cancelled', orderId, version, `order.cancelled:${orderId}`),
    type: 'order.cancelled',
    occurredAt: cancelledAt,
    data: { channel: channelOf(ctx), externalOrderId: orderId, cancelledAt, ...(reason ? { reason } : {}) },
  };
  return finalize([event], ctx, topic);
}

/**
 * `order.cancellation.requested` by the buyer: a request the seller may accept (by cancelling on
 * Amazon, which then reports the order Canceled) or decline. It changes nothing in the ERP but the
 * order's history and the operators' list (the ERP keeps no version for it, so it can never make
 * a later state of the order look stale). One key per order: the poll and the notification that
 * report the same request are one request.
 * https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#buyerrequestedcancel
 */
export function cancellationRequested(ctx: AmazonContext, topic: string, orderId: string, requestedAt: string, reason: string | undefined): CanonicalEvent[] {
  const event: CanonicalEventInput = {
    ...envelope(ctx, topic, 'order.cancellation.requested', orderId, requestedAt, `order.cancellation.requested:${orderId}`),
    type: 'order.cancellation.requested',
    occurredAt: requestedAt,
    data: { channel: channelOf(ctx), externalOrderId: orderId, requestedAt, requestedBy: 'buyer', ...(reason ? { reason } : {}) },
  };
  return finalize([event], ctx, topic);
}
