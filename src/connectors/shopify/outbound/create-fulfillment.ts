import { z } from 'zod';
import { ContractError } from '../../../core/errors.js';
import type { Shipment } from '../../../core/model/index.js';
import type { ShopifyClient } from '../client.js';
import type { ShopifySettings } from '../config.js';
import { legacyId, toGid } from '../ids.js';
import { ShopifyUserErrorSchema } from '../shapes.js';

/**
 * Sized to stay well under the 1,000-point single-query limit (connections cost their `first` times
 * their selection). https://shopify.dev/docs/api/admin-graphql/2025-07/objects/Order#field-Order.fields.fulfillmentOrders
 */
export const FULFILLMENT_STATE = `query fulfillmentState($id: ID!) {
  order(id: $id) {
    id
    fulfillments(first: 10) { id trackingInfo(first: 3) { number } }
    fulfillmentOrders(first: 5) {
      nodes { id status lineItems(first: 50) { nodes { id remainingQuantity lineItem { id sku } } } }
    }
  }
}`;

/** https://shopify.dev/docs/api/admin-graphql/2025-07/mutations/fulfillmentCreate */
export const FULFILLMENT_CREATE = `mutation fulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}`;

const StateSchema = z.object({
  order: z
    .object({
      fulfillments: z.array(z.object({ trackingInfo: z.array(z.object({ number: z.string().nullable() })) })),
      fulfillmentOrders: z.object({
        nodes: z.array(
          z.object({
            id: z.string(),
            status: z.string(),
            lineItems: z.object({
              nodes: z.array(
                z.object({ id: z.string(), remainingQuantity: z.number().int(), lineItem: z.object({ id: z.string(), sku: z.string().nullable() }) }),
              ),
            }),
          }),
        ),
      }),
    })
    .nullable(),
});

const CreateSchema = z.object({
  fulfillmentCreate: z.object({ fulfillment: z.object({ id: z.string() }).nullable(), userErrors: z.array(ShopifyUserErrorSchema) }),
});

/** Fulfilment orders that accept a fulfilment now. https://shopify.dev/docs/api/admin-graphql/2025-07/enums/FulfillmentOrderStatus */
const FULFILLABLE = new Set(['OPEN', 'IN_PROGRESS']);

/**
 * Records a shipment confirmed elsewhere (a 3PL, a warehouse) as a Shopify fulfilment with its
 * tracking number, company and URL.
 *
 * The create is not idempotent, so it is never retried in-call; instead every attempt first reads
 * the order: a fulfilment already carrying this tracking number means an earlier attempt succeeded
 * (done, nothing sent). Shipment lines are matched to fulfilment-order lines by Shopify line item id
 * (`externalLineId`), else by SKU, taking remaining quantities in order. A line with nothing left to
 * fulfil, or an unknown order, is a permanent ContractError naming it.
 */
export async function createFulfillment(
  client: ShopifyClient,
  settings: ShopifySettings,
  connectorId: string,
  shipment: Shipment,
  externalIds: Record<string, string>,
): Promise<void> {
  const orderId = toGid('Order', externalIds['orderId'] ?? shipment.externalOrderId);
  const refuse = (message: string, field?: string) =>
    new ContractError(`${connectorId}: fulfillmentCreate for order ${legacyId(orderId)}: ${message}`, { connectorId, step: 'push', field });
  const state = await client.graphql({
    name: 'fulfillmentState',
    query: FULFILLMENT_STATE,
    variables: { id: orderId },
    data: StateSchema,
    idempotent: true,
    estimatedCost: 560,
  });
  if (!state.order)
    throw new ContractError(`${connectorId}: order ${legacyId(orderId)} not found in Shopify`, {
      connectorId,
      step: 'push',
      code: 'not_found',
      field: 'externalOrderId',
    });

  const number = shipment.tracking?.number;
  if (number && state.order.fulfillments.some((f) => f.trackingInfo.some((t) => t.number === number))) return;

  const open = state.order.fulfillmentOrders.nodes.filter((fo) => FULFILLABLE.has(fo.status));
  const left = new Map(open.flatMap((fo) => fo.lineItems.nodes.map((li) => [li.id, li.remainingQuantity] as const)));
  const byOrder = new Map<string, { id: string; quantity: number }[]>();
  shipment.lines.forEach((line, i) => {
    let wanted = line.quantity;
    for (const fo of open) {
      for (const li of fo.lineItems.nodes) {
        const same = line.externalLineId ? legacyId(li.lineItem.id) === legacyId(line.externalLineId) : li.lineItem.sku === line.sku;
        const take = Math.min(wanted, left.get(li.id) ?? 0);
        if (!same || take <= 0) continue;
        left.set(li.id, (left.get(li.id) ?? 0) - take);
        byOrder.set(fo.id, [...(byOrder.get(fo.id) ?? []), { id: li.id, quantity: take }]);
        wanted -= take;
      }
    }
    if (wanted > 0) throw refuse(`line ${i + 1} (SKU ${line.sku}) has ${wanted} of ${line.quantity} units with nothing left to fulfil`, `lines[${i}]`);
  });

  const tracking = shipment.tracking;
  const result = await client.graphql({
    name: 'fulfillmentCreate',
    query: FULFILLMENT_CREATE,
    variables: {
      fulfillment: {
        notifyCustomer: settings.notifyCustomerOnShipment,
        lineItemsByFulfillmentOrder: [...byOrder].map(([fulfillmentOrderId, fulfillmentOrderLineItems]) => ({ fulfillmentOrderId, fulfillmentOrderLineItems })),
        ...(tracking
          ? {
              trackingInfo: {
                number: tracking.number,
                ...(tracking.company ? { company: tracking.company } : {}),
                ...(tracking.url ? { url: tracking.url } : {}),
              },
            }
          : {}),
      },
    },
    data: CreateSchema,
    idempotent: false,
    estimatedCost: 10,
  });
  const errors = result.fulfillmentCreate.userErrors;
  if (errors.length > 0) throw refuse(errors.map((e) => `${(e.field ?? []).join('.')}: ${e.message}`.slice(0, 200)).join('; '));
}
