import { randomUUID } from 'node:crypto';

/**
 * The simulated shop's data: locations, products with variants and inventory items, inventory
 * levels, orders with fulfilment orders and fulfilments. Every change a merchant or a customer
 * makes is announced as an action (one event id, one or more webhook topics), which the webhook
 * sender turns into signed deliveries. Ids start above 2^53, like real Shopify ids, so every
 * consumer must keep them exact.
 */

export interface SimLocation {
  id: string;
  name: string;
}
export interface SimVariant {
  id: string;
  productId: string;
  sku: string | null;
  title: string;
  price: string;
  barcode: string | null;
  inventoryItemId: string;
  updatedAt: number;
}
export interface SimProduct {
  id: string;
  title: string;
  status: 'active' | 'draft' | 'archived';
  createdAt: number;
  updatedAt: number;
  variants: SimVariant[];
}
export interface SimLevel {
  inventoryItemId: string;
  locationId: string;
  available: number;
  updatedAt: number;
}
export interface SimLine {
  id: string;
  fulfillmentOrderLineId: string;
  variantId: string | null;
  productId: string | null;
  sku: string | null;
  title: string;
  variantTitle: string | null;
  quantity: number;
  currentQuantity: number;
  fulfilled: number;
  price: string;
  presentmentPrice: string;
}
export interface SimFulfillment {
  id: string;
  orderId: string;
  locationId: string;
  createdAt: number;
  tracking: { number?: string; company?: string; url?: string } | null;
  lines: { lineId: string; quantity: number }[];
}
export interface SimOrder {
  id: string;
  number: number;
  name: string;
  fulfillmentOrderId: string;
  locationId: string;
  createdAt: number;
  updatedAt: number;
  cancelledAt: number | null;
  cancelReason: string | null;
  currency: string;
  presentmentCurrency: string;
  /** Presentment amount per shop unit (1 when both currencies are the same). */
  rate: number;
  email: string;
  customer: { id: string; firstName: string; lastName: string };
  lines: SimLine[];
  fulfillments: SimFulfillment[];
}

/** One merchant or customer action: the topics it triggers share its event id. */
export interface SimAction {
  eventId: string;
  at: number;
  changes: SimChange[];
}
export type SimChange =
  | { topic: 'orders/create' | 'orders/updated' | 'orders/cancelled'; order: SimOrder }
  | { topic: 'products/create' | 'products/update'; product: SimProduct }
  | { topic: 'inventory_levels/update'; level: SimLevel }
  | { topic: 'fulfillments/create'; fulfillment: SimFulfillment };

export interface ProductInput {
  title: string;
  status?: SimProduct['status'];
  variants: { sku: string | null; title?: string; price?: string; barcode?: string; available?: number | Record<string, number> }[];
}
export interface OrderInput {
  lines: { sku: string; quantity: number; price?: string }[];
  locationId?: string;
  currency?: string;
  /** The customer's currency and how many of its units one shop unit is worth. */
  presentment?: { currency: string; rate: number };
  email?: string;
}

export class ShopifyStore {
  readonly locations: SimLocation[] = [];
  readonly products: SimProduct[] = [];
  readonly orders: SimOrder[] = [];
  private readonly levels = new Map<string, SimLevel>();
  /** Lookups by SKU and inventory item, so a 100,000-SKU shop answers in constant time. */
  private readonly bySku = new Map<string, SimVariant>();
  private readonly byItem = new Map<string, SimVariant>();
  private readonly listeners: ((action: SimAction) => void)[] = [];
  private nextId = 9_007_199_254_741_000n;
  private orderNumber = 1000;
  private lastStamp = 0;

  constructor(
    private readonly now: () => number = Date.now,
    readonly currency = 'USD',
  ) {}

  id(): string {
    this.nextId += 1n;
    return this.nextId.toString();
  }

  /**
   * The timestamp of a change, in whole seconds as Shopify writes them. Per entity: a change to an
   * entity last stamped `previous` moves it at least one second forward (so its versions stay
   * distinct); a new entity takes the current second. The store's clock thus never runs ahead of
   * real time, however many entities change in one second (only one entity changed several times
   * within a second is briefly ahead, by those seconds).
   */
  stamp(previous = 0): number {
    const t = Math.max(Math.floor(this.now() / 1000) * 1000, previous > 0 ? previous + 1000 : 0);
    this.lastStamp = Math.max(this.lastStamp, t);
    return t;
  }

  onAction(listener: (action: SimAction) => void): void {
    this.listeners.push(listener);
  }

  emit(changes: SimChange[]): SimAction {
    const action = { eventId: randomUUID(), at: this.now(), changes };
    for (const listener of this.listeners) listener(action);
    return action;
  }

  addLocation(name: string): SimLocation {
    const location = { id: this.id(), name };
    this.locations.push(location);
    for (const product of this.products) for (const v of product.variants) this.stock(v.inventoryItemId, location.id, 0);
    return location;
  }

  /** Adds a product, stocked at every location; `available` as a number lands at the first location. */
  addProduct(input: ProductInput): SimProduct {
    const at = this.stamp();
    const product: SimProduct = { id: this.id(), title: input.title, status: input.status ?? 'active', createdAt: at, updatedAt: at, variants: [] };
    for (const v of input.variants) {
      const variant: SimVariant = {
        id: this.id(),
        productId: product.id,
        sku: v.sku,
        title: v.title ?? 'Default Title',
        price: v.price ?? '10.00',
        barcode: v.barcode ?? null,
        inventoryItemId: this.id(),
        updatedAt: at,
      };
      product.variants.push(variant);
      this.index(variant);
      for (const location of this.locations) {
        const available = typeof v.available === 'number' ? (location === this.locations[0] ? v.available : 0) : (v.available?.[location.id] ?? 0);
        this.stock(variant.inventoryItemId, location.id, available);
      }
    }
    this.products.push(product);
    this.emit([{ topic: 'products/create', product }]);
    return product;
  }

  updateProduct(id: string, patch: { title?: string; status?: SimProduct['status'] }): SimProduct {
    const product = this.products.find((p) => p.id === id);
    if (!product) throw new Error(`no product ${id}`);
    Object.assign(product, patch, { updatedAt: this.stamp(product.updatedAt) });
    this.emit([{ topic: 'products/update', product }]);
    return product;
  }

  variantBySku(sku: string): SimVariant | undefined {
    const hit = this.bySku.get(sku);
    if (hit?.sku === sku) return hit;
    return this.products.flatMap((p) => p.variants).find((v) => v.sku === sku);
  }

  variantByInventoryItem(inventoryItemId: string): SimVariant | undefined {
    return this.byItem.get(inventoryItemId) ?? this.products.flatMap((p) => p.variants).find((v) => v.inventoryItemId === inventoryItemId);
  }

  private index(variant: SimVariant): void {
    if (variant.sku !== null && !this.bySku.has(variant.sku)) this.bySku.set(variant.sku, variant);
    this.byItem.set(variant.inventoryItemId, variant);
  }

  /** Every variant's inventory item, in catalogue order (what a bulk export of inventory items lists). */
  *inventoryItems(): Generator<SimVariant> {
    for (const product of this.products) yield* product.variants;
  }

  /**
   * Seeds a large catalogue without webhooks (for benchmarks and reconciliation tests): one product
   * per SKU with one variant, `levels[i]` its available units per location (in `locations` order).
   */
  seedProducts(items: readonly { sku: string; levels: readonly number[] }[]): SimVariant[] {
    const at = this.stamp();
    return items.map(({ sku, levels }) => {
      const product: SimProduct = { id: this.id(), title: sku, status: 'active', createdAt: at, updatedAt: at, variants: [] };
      const variant: SimVariant = {
        id: this.id(),
        productId: product.id,
        sku,
        title: 'Default Title',
        price: '10.00',
        barcode: null,
        inventoryItemId: this.id(),
        updatedAt: at,
      };
      product.variants.push(variant);
      this.index(variant);
      this.locations.forEach((location, i) => this.stock(variant.inventoryItemId, location.id, levels[i] ?? 0));
      this.products.push(product);
      return variant;
    });
  }

  /** Injects drift: someone changes stock behind the hub's back and no webhook is sent. */
  driftLevel(sku: string, available: number, locationId = this.locations[0]?.id ?? ''): SimLevel {
    const variant = this.variantBySku(sku);
    if (!variant) throw new Error(`no variant with SKU ${sku}`);
    return this.writeLevel(variant.inventoryItemId, locationId, available);
  }

  level(inventoryItemId: string, locationId: string): SimLevel | undefined {
    return this.levels.get(`${inventoryItemId}|${locationId}`);
  }

  /** Available units of a SKU at a location (default: the first location). */
  available(sku: string, locationId = this.locations[0]?.id ?? ''): number {
    const variant = this.variantBySku(sku);
    return variant ? (this.level(variant.inventoryItemId, locationId)?.available ?? 0) : 0;
  }

  /** A merchant edits stock in the Shopify admin. */
  setAvailable(sku: string, available: number, locationId = this.locations[0]?.id ?? ''): SimLevel {
    const variant = this.variantBySku(sku);
    if (!variant) throw new Error(`no variant with SKU ${sku}`);
    const level = this.writeLevel(variant.inventoryItemId, locationId, available);
    this.emit([{ topic: 'inventory_levels/update', level }]);
    return level;
  }

  /** Sets a level and returns it (no webhook): the API handlers announce their own changes. */
  writeLevel(inventoryItemId: string, locationId: string, available: number): SimLevel {
    const level = this.levels.get(`${inventoryItemId}|${locationId}`);
    if (!level) throw new Error(`inventory item ${inventoryItemId} is not stocked at ${locationId}`);
    level.available = available;
    level.updatedAt = this.stamp(level.updatedAt);
    return level;
  }

  private stock(inventoryItemId: string, locationId: string, available: number): void {
    this.levels.set(`${inventoryItemId}|${locationId}`, { inventoryItemId, locationId, available, updatedAt: this.lastStamp || this.now() });
  }

  /** A customer checks out: the order is created and its units leave `available` at its location. */
  placeOrder(input: OrderInput): SimOrder {
    const at = this.stamp();
    const locationId = input.locationId ?? this.locations[0]?.id;
    if (!locationId) throw new Error('the shop has no location');
    this.orderNumber += 1;
    const rate = input.presentment?.rate ?? 1;
    const order: SimOrder = {
      id: this.id(),
      number: this.orderNumber,
      name: `#${this.orderNumber}`,
      fulfillmentOrderId: this.id(),
      locationId,
      createdAt: at,
      updatedAt: at,
      cancelledAt: null,
      cancelReason: null,
      currency: input.currency ?? this.currency,
      presentmentCurrency: input.presentment?.currency ?? input.currency ?? this.currency,
      rate,
      email: input.email ?? 'customer@example.com',
      customer: { id: this.id(), firstName: 'Sim', lastName: 'Customer' },
      lines: [],
      fulfillments: [],
    };
    const levels: SimLevel[] = [];
    for (const l of input.lines) {
      const variant = this.variantBySku(l.sku);
      const price = l.price ?? variant?.price ?? '10.00';
      order.lines.push({
        id: this.id(),
        fulfillmentOrderLineId: this.id(),
        variantId: variant?.id ?? null,
        productId: variant?.productId ?? null,
        sku: l.sku,
        title: this.products.find((p) => p.id === variant?.productId)?.title ?? l.sku,
        variantTitle: variant && variant.title !== 'Default Title' ? variant.title : null,
        quantity: l.quantity,
        currentQuantity: l.quantity,
        fulfilled: 0,
        price,
        presentmentPrice: (Number(price) * rate).toFixed(2),
      });
      const level = variant && this.level(variant.inventoryItemId, locationId);
      if (level) levels.push(this.writeLevel(variant.inventoryItemId, locationId, level.available - l.quantity));
    }
    this.orders.push(order);
    this.emit([{ topic: 'orders/create', order }, ...levels.map((level) => ({ topic: 'inventory_levels/update' as const, level }))]);
    return order;
  }

  order(id: string): SimOrder | undefined {
    return this.orders.find((o) => o.id === id);
  }

  /** The merchant cancels an order; unfulfilled units go back to `available` when restocked. */
  cancelOrder(id: string, reason = 'customer', restock = true): SimOrder {
    const order = this.order(id);
    if (!order) throw new Error(`no order ${id}`);
    const at = this.stamp(order.updatedAt);
    order.cancelledAt = at;
    order.cancelReason = reason;
    order.updatedAt = at;
    const levels: SimLevel[] = [];
    for (const line of order.lines) {
      const open = line.currentQuantity - line.fulfilled;
      const variant = line.variantId ? this.products.flatMap((p) => p.variants).find((v) => v.id === line.variantId) : undefined;
      const level = variant && this.level(variant.inventoryItemId, order.locationId);
      if (restock && level && open > 0) levels.push(this.writeLevel(level.inventoryItemId, level.locationId, level.available + open));
    }
    this.emit([
      { topic: 'orders/cancelled', order },
      { topic: 'orders/updated', order },
      ...levels.map((level) => ({ topic: 'inventory_levels/update' as const, level })),
    ]);
    return order;
  }

  /** Any other change to an order (a note, a tag): a new `updated_at` and an orders/updated. */
  touchOrder(id: string): SimOrder {
    const order = this.order(id);
    if (!order) throw new Error(`no order ${id}`);
    order.updatedAt = this.stamp(order.updatedAt);
    this.emit([{ topic: 'orders/updated', order }]);
    return order;
  }
}
