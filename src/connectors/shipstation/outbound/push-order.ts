import { Decimal } from 'decimal.js';
import { ContractError, MappingError, ValidationError } from '../../../core/errors.js';
import type { Order } from '../../../core/model/index.js';
import type { ShipStationClient } from '../client.js';
import type { ShipStationSettings } from '../config.js';
import { utcToLocal } from '../dates.js';
import { orderKeyOf } from '../order-key.js';
import { ShipStationOrderSchema, ShipStationOrdersPageSchema } from '../shapes.js';

/** What ShipStation holds for a pushed order. */
export interface ShipStationPushedOrder {
  /** ShipStation's order id (the external id to record on the order's history). */
  orderId: string;
  /** The hub's reference, `<channel>/<externalOrderId>`. */
  orderKey: string;
  orderStatus: string;
  /** True when the order had already shipped or been cancelled there, so it was left as it is. */
  alreadyClosed: boolean;
}

/** Statuses in which ShipStation refuses createorder; a replay that meets one is done, not failed. */
const CLOSED = new Set(['shipped', 'cancelled']);

/**
 * Creates, or updates, the order in ShipStation for the warehouse serving `location`. The orderKey
 * is the hub's order reference, so a retry or replay updates the same order, never a second one.
 * Lines that move no stock (`sku: null`) are not sent. createorder refuses shipped and cancelled
 * orders; that refusal on an order that already holds this key is reported as `alreadyClosed`.
 * https://docs.shipstation.com/apis/shipstation-v1/docs/orders/create-update-order
 */
export async function pushOrder(
  client: ShipStationClient,
  settings: ShipStationSettings,
  connectorId: string,
  order: Order,
  options: { location: string },
): Promise<ShipStationPushedOrder> {
  const warehouseId = Object.keys(settings.locations)
    .sort()
    .find((id) => settings.locations[id] === options.location);
  if (warehouseId === undefined) {
    throw new MappingError(
      [
        {
          code: 'unmapped_location',
          field: 'location',
          value: options.location,
          message: `location ${options.location} is not served by this 3PL (settings.locations)`,
        },
      ],
      { connectorId, step: 'push' },
    );
  }
  const orderKey = orderKeyOf(order.channel, order.externalOrderId);
  const body = createOrderBody(order, orderKey, warehouseId, settings, connectorId);
  try {
    const created = await client.request({
      name: 'createorder',
      method: 'POST',
      path: '/orders/createorder',
      body,
      response: ShipStationOrderSchema,
      idempotent: true,
    });
    return { orderId: created.orderId, orderKey, orderStatus: created.orderStatus, alreadyClosed: false };
  } catch (err) {
    if (!(err instanceof ContractError) || err.code !== 'contract_rejected') throw err;
    // https://docs.shipstation.com/apis/shipstation-v1/docs/orders/list-orders
    const found = await client.request({
      name: 'listOrders',
      method: 'GET',
      path: '/orders',
      query: { orderNumber: order.orderNumber },
      response: ShipStationOrdersPageSchema,
      idempotent: true,
    });
    const existing = found.orders.find((o) => o.orderKey === orderKey && CLOSED.has(o.orderStatus));
    if (!existing) throw err;
    return { orderId: existing.orderId, orderKey, orderStatus: existing.orderStatus, alreadyClosed: true };
  }
}

const num = (amount: string) => new Decimal(amount).toNumber();

function createOrderBody(order: Order, orderKey: string, warehouseId: string, settings: ShipStationSettings, connectorId: string) {
  const lines = order.lines.filter((l) => l.sku !== null);
  if (lines.length === 0)
    throw new ValidationError(`${connectorId}: order ${orderKey} has no line that moves stock; nothing to ship`, { connectorId, step: 'push', field: 'lines' });
  if (order.orderNumber.length > 50)
    throw new ValidationError(`${connectorId}: order ${orderKey}: orderNumber is longer than ShipStation's 50 characters`, {
      connectorId,
      step: 'push',
      field: 'orderNumber',
    });
  const to = order.shipTo ?? {};
  const name = to.name ?? order.customer?.name ?? order.orderNumber;
  const id = (v: string) => (/^\d+$/.test(v) ? Number(v) : v);
  return {
    orderNumber: order.orderNumber,
    orderKey,
    orderDate: utcToLocal(order.placedAt, settings.sourceTimeZone),
    orderStatus: 'awaiting_shipment',
    ...(order.customer?.email ? { customerEmail: order.customer.email, customerUsername: order.customer.email } : {}),
    billTo: { name },
    shipTo: {
      name,
      company: to.company ?? null,
      street1: to.address1 ?? null,
      street2: to.address2 ?? null,
      city: to.city ?? null,
      state: to.province ?? null,
      postalCode: to.postalCode ?? null,
      country: to.country ?? null,
      phone: to.phone ?? null,
    },
    items: lines.map((l) => ({ lineItemKey: l.externalLineId, sku: l.sku, name: l.title || l.sku, quantity: l.quantity, unitPrice: num(l.unitPrice.amount) })),
    amountPaid: num(order.total.amount),
    advancedOptions: {
      warehouseId: id(warehouseId),
      ...(settings.storeId ? { storeId: Number(settings.storeId) } : {}),
      source: 'commerce-hub',
      customField1: orderKey,
    },
  };
}
