import { z } from 'zod';
import { getInventory, getOrder, listOrderHops, listReplenishmentSuggestions } from '../../core/erp/index.js';
import { findOrders, orderHistory } from '../order-history.js';
import { ApiError } from './errors.js';
import { defineRoute, type OpsRoute } from './route.js';
import { InventorySchema, OrderResponseSchema, ReplenishmentResponseSchema } from './schemas.js';

/** Read-only views of the ERP core: stock of a SKU, an order with its history, reorder suggestions. */
export const erpRoutes: OpsRoute[] = [
  defineRoute({
    method: 'get',
    path: '/inventory/{sku}',
    tag: 'erp',
    role: 'viewer',
    summary: "A SKU's balances per location and availableToSell per channel",
    params: z.object({ sku: z.string().min(1).max(200) }),
    response: InventorySchema,
    handler: ({ deps, params }) => getInventory(deps.db, params.sku, deps.erp),
  }),
  defineRoute({
    method: 'get',
    path: '/orders/{ref}',
    tag: 'erp',
    role: 'viewer',
    summary: 'An order by external order id or order number (or internal id), with its event history and order-to-cash hops',
    description:
      'by=external (default) matches the external order id or the order number, on any channel unless `channel` is given; by=id matches the internal id. Several matches answer 409 listing them.',
    params: z.object({ ref: z.string().min(1).max(200) }),
    query: z.object({
      by: z.enum(['external', 'id']).default('external'),
      channel: z.string().min(1).optional(),
    }),
    errors: { 409: 'The reference names orders on several channels; give channel' },
    response: OrderResponseSchema,
    async handler({ deps, params, query }) {
      const found = await findOrders(deps.db, params.ref, query.by, query.channel);
      if (found.length === 0) throw new ApiError(404, 'not_found', `no order "${params.ref}"${query.channel ? ` on channel ${query.channel}` : ''}`);
      if (found.length > 1) {
        throw new ApiError(409, 'ambiguous_order', `"${params.ref}" names ${found.length} orders; give channel`, {
          candidates: found.map((o) => ({ channel: o.channel, externalOrderId: o.externalOrderId, orderNumber: o.orderNumber })),
        });
      }
      const ref = found[0]!;
      const order = await getOrder(deps.db, ref.channel, ref.externalOrderId);
      if (!order) throw new ApiError(404, 'not_found', `order ${ref.channel}/${ref.externalOrderId} vanished`);
      return { id: ref.id, order, history: await orderHistory(deps.db, ref), hops: await listOrderHops(deps.db, ref.id) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/replenishment',
    tag: 'erp',
    role: 'viewer',
    summary: 'Replenishment suggestions, newest first',
    query: z.object({ status: z.enum(['open', 'cleared']).optional(), sku: z.string().min(1).optional() }),
    response: ReplenishmentResponseSchema,
    async handler({ deps, query }) {
      return { suggestions: await listReplenishmentSuggestions(deps.db, query) };
    },
  }),
];
