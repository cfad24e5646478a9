import type { AppInstallation } from './admin.js';
import { BulkOperations } from './bulk.js';
import type { ShopifyStore, SimFulfillment, SimLevel, SimOrder } from './store.js';

/**
 * The subset of the GraphQL Admin API the connector uses, answered from the store by root field
 * (there is no schema validation: response objects carry the fields the connector selects).
 * - mutation inventorySetQuantities: https://shopify.dev/docs/api/admin-graphql/2025-07/mutations/inventorySetQuantities
 * - mutation fulfillmentCreate: https://shopify.dev/docs/api/admin-graphql/2025-07/mutations/fulfillmentCreate
 * - query orders / order: https://shopify.dev/docs/api/admin-graphql/2025-07/queries/orders
 * - query nodes (orders, inventory items): https://shopify.dev/docs/api/admin-graphql/2025-07/queries/nodes
 * - mutation bulkOperationRunQuery, query node (a BulkOperation): see bulk.ts
 */

export interface GraphqlOutcome {
  operation: string;
  data?: Record<string, unknown>;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  /** Quantities set by this call (for counters). */
  itemsSet?: number;
  /** A compared quantity was stale. */
  staleRejected?: boolean;
  /** Inventory levels were read. */
  inventoryRead?: boolean;
}

/** Idempotency keys seen by inventorySetQuantities: the parameters sent and the answer given. */
export type IdempotencyStore = Map<string, { params: string; outcome: GraphqlOutcome }>;

export interface GraphqlContext {
  store: ShopifyStore;
  apiVersion: string;
  /** Bulk operations and the simulator's base URL (for result file links). */
  bulk?: BulkOperations;
  baseUrl?: string;
  idempotency?: IdempotencyStore;
  /** Values written by inventorySetQuantities, per SKU. */
  writes?: Map<string, number[]>;
  /** Scopes and webhook subscriptions (see admin.ts). */
  app?: AppInstallation;
}

/** Reasons Shopify accepts for quantity changes. https://shopify.dev/docs/apps/build/orders-fulfillment/inventory-management-apps#inventory-state-change-reasons */
const REASONS = new Set([
  'correction',
  'cycle_count_available',
  'damaged',
  'movement_created',
  'movement_updated',
  'movement_received',
  'movement_canceled',
  'other',
  'promotion',
  'quality_control',
  'received',
  'reservation_created',
  'reservation_deleted',
  'reservation_updated',
  'restock',
  'safety_stock',
  'shrinkage',
]);
const MAX_INPUT_ARRAY = 250;

const gidNumber = (gid: unknown, type: string): string | null => {
  const match = new RegExp(`^gid://shopify/${type}/(\\d+)$`).exec(String(gid));
  return match ? (match[1] as string) : null;
};
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace('.000Z', 'Z'));

export function handleGraphql(ctx: GraphqlContext, query: string, variables: Record<string, unknown>): GraphqlOutcome {
  const app = ctx.app?.handle(query, variables);
  if (app) return app;
  if (/\binventorySetQuantities\s*\(/.test(query)) return idempotentSet(ctx, query, variables);
  if (/\bfulfillmentCreate\s*\(/.test(query)) return fulfillmentCreate(ctx, variables);
  if (/\bbulkOperationRunQuery\s*\(/.test(query)) return bulkRun(ctx, variables);
  if (/\bnodes\s*\(/.test(query)) return nodes(ctx, query, variables);
  if (/\bnode\s*\(/.test(query)) return node(ctx, query, variables);
  if (/\borders\s*\(/.test(query)) return orders(ctx, query, variables);
  if (/\border\s*\(/.test(query)) return order(ctx, query, variables);
  const field = /{\s*(\w+)/.exec(query)?.[1] ?? 'unknown';
  return { operation: field, errors: [{ message: `Field '${field}' doesn't exist on type 'QueryRoot'`, extensions: { code: 'undefinedField' } }] };
}

/** From 2026-04 the per-quantity `changeFromQuantity` and the `@idempotent` directive replace the compare flags. */
const changeFromVersion = (v: string) => v === 'unstable' || v >= '2026-04';

/**
 * The version checks Shopify makes before running the mutation, then its idempotency: a key seen
 * with the same parameters answers the first outcome again without running; with other parameters
 * it is refused.
 * - From 2026-04 `compareQuantity`/`ignoreCompareQuantity` are not fields of the input any more (a
 *   variable with them is invalid), and a call without `@idempotent(key:)` fails.
 * https://shopify.dev/docs/api/admin-graphql/2026-04/mutations/inventorySetQuantities
 * https://shopify.dev/docs/api/usage/implementing-idempotency
 */
function idempotentSet(ctx: GraphqlContext, query: string, variables: Record<string, unknown>): GraphqlOutcome {
  const operation = 'inventorySetQuantities';
  const keyArg = /@idempotent\s*\(\s*key\s*:\s*(\$\w+|"[^"]*")\s*\)/.exec(query)?.[1];
  const key = keyArg === undefined ? undefined : keyArg.startsWith('$') ? variables[keyArg.slice(1)] : keyArg.slice(1, -1);
  if (changeFromVersion(ctx.apiVersion)) {
    const input = (variables['input'] ?? {}) as Record<string, unknown>;
    const old =
      'ignoreCompareQuantity' in input
        ? 'ignoreCompareQuantity'
        : ((input['quantities'] ?? []) as Record<string, unknown>[]).some((q) => 'compareQuantity' in q)
          ? 'compareQuantity'
          : null;
    if (old) {
      return {
        operation,
        errors: [
          {
            message: `Variable $input of type InventorySetQuantitiesInput! was provided invalid value for ${old} (Field is not defined on ${old === 'compareQuantity' ? 'InventoryQuantityInput' : 'InventorySetQuantitiesInput'})`,
            extensions: { code: 'INVALID_VARIABLE' },
          },
        ],
      };
    }
    if (typeof key !== 'string' || key === '') {
      return { operation, errors: [{ message: 'The @idempotent directive with a key is required for this mutation.', extensions: { code: 'BAD_REQUEST' } }] };
    }
  }
  if (typeof key !== 'string' || !ctx.idempotency) return inventorySetQuantities(ctx, variables);
  const params = JSON.stringify(variables['input'] ?? {});
  const seen = ctx.idempotency.get(key);
  if (seen && seen.params !== params) {
    return {
      operation,
      data: {
        inventorySetQuantities: {
          inventoryAdjustmentGroup: null,
          userErrors: [
            {
              field: null,
              message: 'The same idempotency key cannot be used with different operation parameters.',
              code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH',
            },
          ],
        },
      },
    };
  }
  if (seen) return { ...seen.outcome, itemsSet: 0 };
  const outcome = inventorySetQuantities(ctx, variables);
  ctx.idempotency.set(key, { params, outcome });
  return outcome;
}

function inventorySetQuantities(ctx: GraphqlContext, variables: Record<string, unknown>): GraphqlOutcome {
  const operation = 'inventorySetQuantities';
  const input = (variables['input'] ?? {}) as Record<string, unknown>;
  const quantities = (input['quantities'] ?? []) as Record<string, unknown>[];
  if (quantities.length > MAX_INPUT_ARRAY) {
    return {
      operation,
      errors: [
        {
          message: `The input array size of ${quantities.length} is greater than the maximum allowed of ${MAX_INPUT_ARRAY}.`,
          extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' },
        },
      ],
    };
  }
  const perQuantityCompare = changeFromVersion(ctx.apiVersion);
  const userErrors: { field: string[]; message: string; code: string }[] = [];
  const err = (field: string[], code: string, message: string) => userErrors.push({ field, message, code });
  if (input['name'] !== 'available' && input['name'] !== 'on_hand')
    err(['input', 'name'], 'INVALID_NAME', "The quantity name must be either 'available' or 'on_hand'.");
  if (!REASONS.has(String(input['reason']))) err(['input', 'reason'], 'INVALID_REASON', 'The specified reason is invalid.');
  const seen = new Set<string>();
  const writes: { level: SimLevel; quantity: number }[] = [];
  quantities.forEach((q, i) => {
    const at = (f: string) => ['input', 'quantities', String(i), f];
    const itemId = gidNumber(q['inventoryItemId'], 'InventoryItem');
    const locationId = gidNumber(q['locationId'], 'Location');
    const quantity = Number(q['quantity']);
    if (!itemId || !ctx.store.variantByInventoryItem(itemId))
      return err(at('inventoryItemId'), 'INVALID_INVENTORY_ITEM', 'The specified inventory item could not be found.');
    if (!locationId || !ctx.store.locations.some((l) => l.id === locationId))
      return err(at('locationId'), 'INVALID_LOCATION', 'The specified location could not be found.');
    const level = ctx.store.level(itemId, locationId);
    if (!level) return err(at('locationId'), 'ITEM_NOT_STOCKED_AT_LOCATION', 'The specified inventory item is not stocked at the location.');
    if (seen.has(`${itemId}|${locationId}`))
      return err(at('inventoryItemId'), 'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR', 'The combination of inventoryItemId and locationId must be unique.');
    seen.add(`${itemId}|${locationId}`);
    if (!Number.isInteger(quantity) || quantity < 0) return err(at('quantity'), 'INVALID_QUANTITY_NEGATIVE', "The quantity can't be negative.");
    if (quantity > 1_000_000_000) return err(at('quantity'), 'INVALID_QUANTITY_TOO_HIGH', "The total quantity can't be higher than 1,000,000,000.");
    if (perQuantityCompare) {
      if (!('changeFromQuantity' in q))
        return err(at('changeFromQuantity'), 'COMPARE_QUANTITY_REQUIRED', 'changeFromQuantity must be given to each quantity, or null to skip the check.');
      if (q['changeFromQuantity'] !== null && q['changeFromQuantity'] !== level.available)
        return err(at('changeFromQuantity'), 'CHANGE_FROM_QUANTITY_STALE', 'The changeFromQuantity value does not match persisted value.');
    } else if (input['ignoreCompareQuantity'] !== true) {
      if (q['compareQuantity'] === undefined || q['compareQuantity'] === null)
        return err(
          at('compareQuantity'),
          'COMPARE_QUANTITY_REQUIRED',
          'The compareQuantity argument must be given to each quantity or ignored using ignoreCompareQuantity.',
        );
      if (q['compareQuantity'] !== level.available)
        return err(at('compareQuantity'), 'COMPARE_QUANTITY_STALE', 'The compareQuantity value does not match persisted value.');
    }
    writes.push({ level, quantity });
  });
  // All or nothing: one rejected quantity and the call changes nothing.
  if (userErrors.length > 0) {
    const staleRejected = userErrors.some((e) => e.code.endsWith('_STALE'));
    return { operation, staleRejected, data: { inventorySetQuantities: { inventoryAdjustmentGroup: null, userErrors } } };
  }
  for (const w of writes) {
    const sku = ctx.store.variantByInventoryItem(w.level.inventoryItemId)?.sku ?? w.level.inventoryItemId;
    ctx.writes?.set(sku, [...(ctx.writes.get(sku) ?? []), w.quantity]);
  }
  const changed = writes
    .filter((w) => w.level.available !== w.quantity)
    .map((w) => ctx.store.writeLevel(w.level.inventoryItemId, w.level.locationId, w.quantity));
  if (changed.length > 0) ctx.store.emit(changed.map((level) => ({ topic: 'inventory_levels/update' as const, level })));
  return {
    operation,
    itemsSet: writes.length,
    data: { inventorySetQuantities: { inventoryAdjustmentGroup: { id: `gid://shopify/InventoryAdjustmentGroup/${ctx.store.id()}` }, userErrors: [] } },
  };
}

function fulfillmentCreate(ctx: GraphqlContext, variables: Record<string, unknown>): GraphqlOutcome {
  const operation = 'fulfillmentCreate';
  const input = (variables['fulfillment'] ?? {}) as {
    lineItemsByFulfillmentOrder?: { fulfillmentOrderId: string; fulfillmentOrderLineItems?: { id: string; quantity: number }[] }[];
    trackingInfo?: SimFulfillment['tracking'];
  };
  const refuse = (message: string) => ({ operation, data: { fulfillmentCreate: { fulfillment: null, userErrors: [{ field: ['fulfillment'], message }] } } });
  const groups = input.lineItemsByFulfillmentOrder ?? [];
  if (groups.length === 0) return refuse('lineItemsByFulfillmentOrder must not be empty.');
  const takes: { order: SimOrder; lineId: string; quantity: number }[] = [];
  for (const group of groups) {
    const foId = gidNumber(group.fulfillmentOrderId, 'FulfillmentOrder');
    const order = ctx.store.orders.find((o) => o.fulfillmentOrderId === foId);
    if (!order) return refuse(`Fulfillment order ${group.fulfillmentOrderId} does not exist.`);
    if (order.cancelledAt !== null) return refuse('Fulfillment order is cancelled.');
    const items =
      group.fulfillmentOrderLineItems ??
      order.lines.map((l) => ({ id: `gid://shopify/FulfillmentOrderLineItem/${l.fulfillmentOrderLineId}`, quantity: l.currentQuantity - l.fulfilled }));
    for (const item of items) {
      const line = order.lines.find((l) => l.fulfillmentOrderLineId === gidNumber(item.id, 'FulfillmentOrderLineItem'));
      if (!line) return refuse(`Fulfillment order line item ${item.id} does not exist.`);
      if (item.quantity < 1 || item.quantity > line.currentQuantity - line.fulfilled) return refuse('Invalid fulfillment order line item quantity requested.');
      takes.push({ order, lineId: line.id, quantity: item.quantity });
    }
  }
  const order = takes[0]?.order as SimOrder;
  const fulfillment: SimFulfillment = {
    id: ctx.store.id(),
    orderId: order.id,
    locationId: order.locationId,
    createdAt: ctx.store.stamp(order.updatedAt),
    tracking: input.trackingInfo ?? null,
    lines: takes.map((t) => ({ lineId: t.lineId, quantity: t.quantity })),
  };
  for (const t of takes) {
    const line = t.order.lines.find((l) => l.id === t.lineId);
    if (line) line.fulfilled += t.quantity;
  }
  order.fulfillments.push(fulfillment);
  order.updatedAt = fulfillment.createdAt;
  ctx.store.emit([
    { topic: 'fulfillments/create', fulfillment },
    { topic: 'orders/updated', order },
  ]);
  return { operation, data: { fulfillmentCreate: { fulfillment: { id: `gid://shopify/Fulfillment/${fulfillment.id}`, status: 'SUCCESS' }, userErrors: [] } } };
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const decode = <T>(cursor: unknown): T | null => (typeof cursor === 'string' ? (JSON.parse(Buffer.from(cursor, 'base64').toString()) as T) : null);
const arg = (query: string, field: string, name: string, variables: Record<string, unknown>): unknown => {
  const args = new RegExp(`\\b${field}\\s*\\(([^)]*)\\)`).exec(query)?.[1] ?? '';
  const raw = new RegExp(`\\b${name}\\s*:\\s*(\\$?\\w+|"[^"]*")`).exec(args)?.[1];
  if (raw === undefined) return undefined;
  if (raw.startsWith('$')) return variables[raw.slice(1)];
  return raw.startsWith('"') ? raw.slice(1, -1) : Number(raw);
};

function orders(ctx: GraphqlContext, query: string, variables: Record<string, unknown>): GraphqlOutcome {
  const first = Number(arg(query, 'orders', 'first', variables) ?? 50);
  const searchArg = arg(query, 'orders', 'query', variables);
  const search = typeof searchArg === 'string' ? searchArg : '';
  const bound = /updated_at:(>=?)'?([^'\s]+)'?/.exec(search);
  const since = bound ? Date.parse(bound[2] as string) : -Infinity;
  const inclusive = bound?.[1] === '>=';
  const upper = /updated_at:(<=?)'?([^'\s]+)'?/.exec(search);
  const until = upper ? Date.parse(upper[2] as string) : Infinity;
  const below = (o: SimOrder) => (upper?.[1] === '<=' ? o.updatedAt <= until : o.updatedAt < until);
  const after = decode<{ u: number; id: string }>(arg(query, 'orders', 'after', variables));
  const sorted = ctx.store.orders
    .filter((o) => (inclusive ? o.updatedAt >= since : o.updatedAt > since) && below(o))
    .sort((a, b) => a.updatedAt - b.updatedAt || (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  const start = after ? sorted.findIndex((o) => o.updatedAt > after.u || (o.updatedAt === after.u && BigInt(o.id) > BigInt(after.id))) : 0;
  const page = start < 0 ? [] : sorted.slice(start, start + first);
  const last = page.at(-1);
  const hasNextPage = start >= 0 && start + first < sorted.length;
  return {
    operation: 'orders',
    data: {
      orders: {
        pageInfo: { hasNextPage, endCursor: last ? encode({ u: last.updatedAt, id: last.id }) : null },
        nodes: page.map((o) => renderOrder(o, query, variables)),
      },
    },
  };
}

function order(ctx: GraphqlContext, query: string, variables: Record<string, unknown>): GraphqlOutcome {
  const id = gidNumber(arg(query, 'order', 'id', variables), 'Order');
  const found = id ? ctx.store.order(id) : undefined;
  return { operation: 'order', data: { order: found ? renderOrder(found, query, variables) : null } };
}

export function renderOrder(o: SimOrder, query: string, variables: Record<string, unknown>): Record<string, unknown> {
  const linesFirst = Number(arg(query, 'lineItems', 'first', variables) ?? 50);
  const linesAfter = decode<{ i: number }>(arg(query, 'lineItems', 'after', variables));
  const from = linesAfter ? linesAfter.i + 1 : 0;
  const lines = o.lines.slice(from, from + linesFirst);
  const bag = (amount: number) => ({
    shopMoney: { amount: amount.toFixed(2), currencyCode: o.currency },
    presentmentMoney: { amount: (amount * o.rate).toFixed(2), currencyCode: o.presentmentCurrency },
  });
  const total = o.lines.reduce((s, l) => s + Number(l.price) * l.quantity, 0);
  const current = o.cancelledAt ? 0 : o.lines.reduce((s, l) => s + Number(l.price) * l.currentQuantity, 0);
  return {
    id: `gid://shopify/Order/${o.id}`,
    legacyResourceId: o.id,
    name: o.name,
    createdAt: iso(o.createdAt),
    updatedAt: iso(o.updatedAt),
    cancelledAt: iso(o.cancelledAt),
    cancelReason: o.cancelReason?.toUpperCase() ?? null,
    currencyCode: o.currency,
    presentmentCurrencyCode: o.presentmentCurrency,
    email: o.email,
    totalPriceSet: bag(total),
    currentTotalPriceSet: bag(current),
    customer: { legacyResourceId: o.customer.id, email: o.email, firstName: o.customer.firstName, lastName: o.customer.lastName },
    shippingAddress: {
      name: `${o.customer.firstName} ${o.customer.lastName}`,
      firstName: o.customer.firstName,
      lastName: o.customer.lastName,
      company: null,
      address1: '1 Simulated Street',
      address2: null,
      city: 'Springfield',
      province: null,
      zip: '62701',
      country: 'United States',
      countryCodeV2: 'US',
      phone: null,
    },
    lineItems: {
      pageInfo: { hasNextPage: from + linesFirst < o.lines.length, endCursor: lines.length ? encode({ i: from + lines.length - 1 }) : null },
      nodes: lines.map((l) => ({
        id: `gid://shopify/LineItem/${l.id}`,
        sku: l.sku,
        title: l.title,
        name: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title,
        quantity: l.quantity,
        currentQuantity: o.cancelledAt ? 0 : l.currentQuantity,
        variant: l.variantId ? { legacyResourceId: l.variantId } : null,
        originalUnitPriceSet: {
          shopMoney: { amount: l.price, currencyCode: o.currency },
          presentmentMoney: { amount: l.presentmentPrice, currencyCode: o.presentmentCurrency },
        },
      })),
    },
    fulfillments: o.fulfillments.map((f) => ({
      id: `gid://shopify/Fulfillment/${f.id}`,
      trackingInfo: f.tracking ? [{ number: f.tracking.number ?? null, company: f.tracking.company ?? null, url: f.tracking.url ?? null }] : [],
    })),
    fulfillmentOrders: {
      nodes: [
        {
          id: `gid://shopify/FulfillmentOrder/${o.fulfillmentOrderId}`,
          status: o.cancelledAt
            ? 'CANCELLED'
            : o.lines.every((l) => l.fulfilled >= l.currentQuantity)
              ? 'CLOSED'
              : o.lines.some((l) => l.fulfilled > 0)
                ? 'IN_PROGRESS'
                : 'OPEN',
          lineItems: {
            nodes: o.lines.map((l) => ({
              id: `gid://shopify/FulfillmentOrderLineItem/${l.fulfillmentOrderLineId}`,
              remainingQuantity: Math.max(0, l.currentQuantity - l.fulfilled),
              lineItem: { id: `gid://shopify/LineItem/${l.id}`, sku: l.sku },
            })),
          },
        },
      ],
    },
  };
}

function bulkRun(ctx: GraphqlContext, variables: Record<string, unknown>): GraphqlOutcome {
  const operation = 'bulkOperationRunQuery';
  if (!ctx.bulk) return { operation, errors: [{ message: 'bulk operations are not available', extensions: { code: 'ACCESS_DENIED' } }] };
  return { operation, data: { bulkOperationRunQuery: ctx.bulk.run(typeof variables['query'] === 'string' ? variables['query'] : '') } };
}

/** `node(id:)`: bulk operations only. */
function node(ctx: GraphqlContext, query: string, variables: Record<string, unknown>): GraphqlOutcome {
  const id = gidNumber(arg(query, 'node', 'id', variables), 'BulkOperation');
  const op = id && ctx.bulk ? ctx.bulk.find(id) : undefined;
  return { operation: 'node', data: { node: op && ctx.bulk ? ctx.bulk.render(op, ctx.baseUrl ?? '') : null } };
}

/** `nodes(ids:)`: orders and inventory items; unknown ids answer null, as Shopify does. */
function nodes(ctx: GraphqlContext, query: string, variables: Record<string, unknown>): GraphqlOutcome {
  const ids = (arg(query, 'nodes', 'ids', variables) ?? []) as unknown[];
  const aliases = BulkOperations.aliases(query, variables);
  const bulk = ctx.bulk ?? new BulkOperations(ctx.store);
  return {
    operation: 'nodes',
    inventoryRead: aliases.length > 0,
    data: {
      nodes: ids.map((gid) => {
        const orderId = gidNumber(gid, 'Order');
        if (orderId) {
          const o = ctx.store.order(orderId);
          return o ? renderOrder(o, query, variables) : null;
        }
        const itemId = gidNumber(gid, 'InventoryItem');
        const variant = itemId ? ctx.store.variantByInventoryItem(itemId) : undefined;
        return variant ? bulk.item(variant, aliases) : null;
      }),
    },
  };
}
