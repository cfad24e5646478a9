import type { Normalizer } from '../../types.js';
import type { AmazonSpConfig } from '../config.js';
import { AmazonOrderChangeNotificationSchema } from '../shapes.js';
import { unwrapNotification } from '../verify.js';
import { parseShape, toUtc } from '../../http/normalize.js';
import { cancellationRequested, orderCancelled } from './order-events.js';

export const ORDER_CHANGE_TOPIC = 'ORDER_CHANGE';

/**
 * ORDER_CHANGE notification (as the relay delivers it: the notification itself or an EventBridge
 * event around it) → canonical events. The notification summarizes the order without prices, so
 * it cannot carry a whole order; it reports what it can say exactly:
 * - `OrderStatus` Canceled → `order.cancelled` at TimeOfOrderChange (else EventTime);
 * - a buyer's cancellation request (`OrderChangeType` BuyerRequestedChange with an item whose
 *   `IsBuyerRequestedCancel` is the JSON boolean true) → `order.cancellation.requested`, never a
 *   cancellation;
 * - anything else (a new or changed order) → nothing: the order poll (getOrders + getOrderItems)
 *   reads the priced order, so poll often enough (getOrders allows one call a minute).
 * Amazon-fulfilled (AFN) orders ship from Amazon's stock and are skipped.
 * https://developer-docs.amazon.com/sp-api/docs/notification-type-values#order_change
 */
export const normalizeOrderChange: Normalizer<Pick<AmazonSpConfig, 'settings'>> = (body, ctx) => {
  const n = parseShape(AmazonOrderChangeNotificationSchema, unwrapNotification(body) ?? body, ctx, ORDER_CHANGE_TOPIC);
  const change = n.Payload.OrderChangeNotification;
  if (change.Summary.FulfillmentType === 'AFN') return [];
  const at = toUtc(change.OrderChangeTrigger.TimeOfOrderChange ?? n.EventTime);
  const id = change.AmazonOrderId;
  if (change.Summary.OrderStatus === 'Canceled')
    return orderCancelled(ctx, ORDER_CHANGE_TOPIC, id, at, at, change.OrderChangeTrigger.ChangeReason || undefined);
  const requested = change.OrderChangeType === 'BuyerRequestedChange' && change.Summary.OrderItems.some((i) => i.IsBuyerRequestedCancel === true);
  if (requested) return cancellationRequested(ctx, ORDER_CHANGE_TOPIC, id, at, change.OrderChangeTrigger.ChangeReason || undefined);
  return [];
};
