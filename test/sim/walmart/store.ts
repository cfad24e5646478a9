import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';

/** One line as the simulator keeps it: statuses are quantities per status, as Walmart reports them. */
export interface SimLine {
  lineNumber: string;
  sku: string;
  productName: string;
  /** The line's PRODUCT charge (all its units), a decimal string. */
  charge: string;
  tax: string;
  quantity: number;
  statuses: {
    status: 'Created' | 'Acknowledged' | 'Shipped' | 'Cancelled';
    quantity: number;
    tracking?: Record<string, unknown>;
    cancellationReason?: string;
  }[];
  statusDate: number;
}

export interface SimOrder {
  purchaseOrderId: string;
  customerOrderId: string;
  orderDate: number;
  lastModified: number;
  lines: SimLine[];
}

export interface OrderInput {
  /** One entry per Walmart line; repeat a SKU to put it on several lines, as Walmart does. */
  lines: { sku: string; quantity?: number; price?: string; productName?: string }[];
  country?: string;
}

export interface SimFeed {
  feedId: string;
  items: { sku: string; status: 'SUCCESS' | 'DATA_ERROR'; error?: string }[];
  readyAt: number;
}

/**
 * The simulated seller account: listed items and their quantity per ship node, purchase orders,
 * and inventory feeds. Quantities written by the hub are the seller-set `inputQty`; Walmart's own
 * reservations for orders are kept apart, as on Walmart.
 */
export class WalmartStore {
  readonly orders = new Map<string, SimOrder>();
  /** sku → ship node → quantity the seller set. */
  readonly inventory = new Map<string, Map<string, number>>();
  readonly feeds = new Map<string, SimFeed>();
  private nextPo = 1796277083000;

  constructor(
    readonly defaultNode: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Lists an item (a SKU Walmart knows) with a quantity at a node. */
  addItem(sku: string, quantity = 0, node = this.defaultNode): void {
    const nodes = this.inventory.get(sku) ?? new Map<string, number>();
    nodes.set(node, quantity);
    this.inventory.set(sku, nodes);
  }

  /** The seller-set quantity of a SKU at a node (what the hub last pushed); undefined for an unlisted SKU. */
  available(sku: string, node = this.defaultNode): number | undefined {
    return this.inventory.get(sku)?.get(node);
  }

  setQuantity(sku: string, quantity: number, node = this.defaultNode): boolean {
    const nodes = this.inventory.get(sku);
    if (!nodes) return false;
    nodes.set(node, quantity);
    return true;
  }

  /** A buyer places an order: a new purchase order released to the seller, its lines in `Created`. */
  placeOrder(input: OrderInput): SimOrder {
    const t = this.now();
    this.nextPo += 1;
    const order: SimOrder = {
      purchaseOrderId: String(this.nextPo),
      customerOrderId: `2000${this.nextPo}`,
      orderDate: t,
      lastModified: t,
      lines: input.lines.map((l, i) => {
        const quantity = l.quantity ?? 1;
        const charge = new Decimal(l.price ?? '19.99').times(quantity);
        return {
          lineNumber: String(i + 1),
          sku: l.sku,
          productName: l.productName ?? l.sku,
          charge: charge.toFixed(2),
          tax: charge.times('0.08').toFixed(2),
          quantity,
          statuses: [{ status: 'Created', quantity }],
          statusDate: t,
        };
      }),
    };
    this.orders.set(order.purchaseOrderId, order);
    return order;
  }

  acknowledge(po: string): SimOrder | undefined {
    const order = this.orders.get(po);
    if (!order) return undefined;
    this.touch(order, (l) => {
      for (const s of l.statuses) if (s.status === 'Created') s.status = 'Acknowledged';
    });
    return order;
  }

  /** The buyer (or Walmart) cancels every open unit of an order. */
  cancelOrder(po: string, reason = 'CUSTOMER_REQUESTED_SELLER_TO_CANCEL'): void {
    const order = this.orders.get(po);
    if (!order) throw new Error(`no order ${po}`);
    this.touch(order, (l) => {
      for (const s of l.statuses)
        if (s.status === 'Created' || s.status === 'Acknowledged') Object.assign(s, { status: 'Cancelled', cancellationReason: reason });
    });
  }

  /** Moves `quantity` units of a line from Acknowledged to Shipped with tracking; false when not enough are open. */
  ship(po: string, lineNumber: string, quantity: number, tracking: Record<string, unknown>): boolean {
    const order = this.orders.get(po);
    const line = order?.lines.find((l) => l.lineNumber === lineNumber);
    const open = line?.statuses.find((s) => s.status === 'Acknowledged');
    if (!order || !line || !open || open.quantity < quantity) return false;
    this.touch(order, () => {
      open.quantity -= quantity;
      line.statuses.push({ status: 'Shipped', quantity, tracking });
      line.statuses = line.statuses.filter((s) => s.quantity > 0);
    }, [lineNumber]);
    return true;
  }

  submitFeed(items: { sku: string; amount: number }[], node: string, delayMs: number): SimFeed {
    const feed: SimFeed = {
      feedId: `${randomUUID().replace(/-/g, '').toUpperCase()}@AUoBAQA`,
      items: items.map((i) => {
        if (!this.setQuantity(i.sku, i.amount, node)) return { sku: i.sku, status: 'DATA_ERROR', error: 'SKU not found in the seller catalog' };
        return { sku: i.sku, status: 'SUCCESS' };
      }),
      readyAt: this.now() + delayMs,
    };
    this.feeds.set(feed.feedId, feed);
    return feed;
  }

  private touch(order: SimOrder, change: (line: SimLine) => void, only?: string[]): void {
    const t = Math.max(this.now(), order.lastModified + 1);
    for (const l of order.lines) {
      if (only && !only.includes(l.lineNumber)) continue;
      change(l);
      l.statusDate = t;
    }
    order.lastModified = t;
  }
}

/** An order in the documented getAllOrders shape. https://developer.walmart.com/us-marketplace/reference/getallorders */
export function renderOrder(order: SimOrder, country = 'USA'): Record<string, unknown> {
  return {
    purchaseOrderId: order.purchaseOrderId,
    customerOrderId: order.customerOrderId,
    customerEmailId: `${order.customerOrderId}@relay.walmart.com`,
    orderType: 'REGULAR',
    orderDate: order.orderDate,
    shippingInfo: {
      phone: '3155598681',
      estimatedDeliveryDate: order.orderDate + 5 * 86_400_000,
      estimatedShipDate: order.orderDate + 86_400_000,
      methodCode: 'Standard',
      postalAddress: { name: 'Sim Buyer', address1: '1 Main St', city: 'Bentonville', state: 'AR', postalCode: '72712', country, addressType: 'RESIDENTIAL' },
    },
    orderLines: {
      orderLine: order.lines.map((l) => ({
        lineNumber: l.lineNumber,
        item: { productName: l.productName, sku: l.sku },
        charges: {
          charge: [
            {
              chargeType: 'PRODUCT',
              chargeName: 'ItemPrice',
              chargeAmount: { currency: 'USD', amount: Number(l.charge) },
              tax: { taxName: 'Tax1', taxAmount: { currency: 'USD', amount: Number(l.tax) } },
            },
          ],
        },
        orderLineQuantity: { unitOfMeasurement: 'EACH', amount: String(l.quantity) },
        statusDate: l.statusDate,
        orderLineStatuses: {
          orderLineStatus: l.statuses.map((s) => ({
            status: s.status,
            statusQuantity: { unitOfMeasurement: 'EACH', amount: String(s.quantity) },
            ...(s.cancellationReason ? { cancellationReason: s.cancellationReason } : {}),
            ...(s.tracking ? { trackingInfo: s.tracking } : {}),
          })),
        },
        fulfillment: { fulfillmentOption: 'S2H', shipMethod: 'STANDARD' },
      })),
    },
  };
}
