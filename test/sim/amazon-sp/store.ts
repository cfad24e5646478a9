import { randomInt } from 'node:crypto';
import { Decimal } from 'decimal.js';

/** A listing of the simulated seller: quantity per fulfillment channel code, as patches and feeds leave it. */
export interface SimListing {
  sku: string;
  asin: string;
  productType: string;
  quantities: Record<string, number>;
  /** Every quantity written by patchListingsItem or a listings feed, oldest first. */
  pushes: number[];
}

export interface SimOrderLineInput {
  sku: string;
  quantity: number;
  /** Unit price as a decimal string (default "19.99"). */
  price?: string;
}

export interface SimOrderItem {
  ASIN: string;
  SellerSKU: string;
  OrderItemId: string;
  Title: string;
  QuantityOrdered: number;
  QuantityShipped: number;
  ItemPrice?: { CurrencyCode: string; Amount: string };
  IsGift?: 'true' | 'false';
  BuyerRequestedCancel?: { IsBuyerRequestedCancel: 'true' | 'false'; BuyerCancelReason?: string };
}

export interface SimOrder {
  AmazonOrderId: string;
  PurchaseDate: string;
  LastUpdateDate: string;
  OrderStatus: 'Pending' | 'Unshipped' | 'Shipped' | 'Canceled';
  FulfillmentChannel: 'MFN';
  OrderTotal?: { CurrencyCode: string; Amount: string };
  MarketplaceId: string;
  ShippingAddress: { City: string; StateOrRegion: string; PostalCode: string; CountryCode: string };
  items: SimOrderItem[];
  shipments: unknown[];
}

/** The seller's state on the simulated marketplace, in the documented shapes. */
export class AmazonStore {
  readonly listings = new Map<string, SimListing>();
  readonly orders = new Map<string, SimOrder>();

  constructor(
    readonly marketplaceId: string,
    private readonly now: () => number = Date.now,
    readonly currency = 'USD',
  ) {}

  addListing(sku: string, quantity = 0, fulfillmentChannelCode = 'DEFAULT'): SimListing {
    const listing: SimListing = {
      sku,
      asin: `B0${String(randomInt(1e7)).padStart(8, '0')}`,
      productType: 'PRODUCT',
      quantities: { [fulfillmentChannelCode]: quantity },
      pushes: [],
    };
    this.listings.set(sku, listing);
    return listing;
  }

  /** What the listing sells at `fulfillmentChannelCode`; undefined without a listing. */
  available(sku: string, fulfillmentChannelCode = 'DEFAULT'): number | undefined {
    return this.listings.get(sku)?.quantities[fulfillmentChannelCode];
  }

  /** A buyer orders: the order is Unshipped (or Pending, without prices), and the listing's quantity drops as on Amazon. */
  placeOrder(input: { lines: SimOrderLineInput[]; status?: 'Pending' | 'Unshipped' }): SimOrder {
    const at = new Date(this.now()).toISOString();
    const id = `${randomInt(100, 999)}-${randomInt(1e6, 1e7)}-${randomInt(1e6, 1e7)}`;
    const status = input.status ?? 'Unshipped';
    const items: SimOrderItem[] = input.lines.map((line, i) => ({
      ASIN: this.listings.get(line.sku)?.asin ?? 'B000000000',
      SellerSKU: line.sku,
      OrderItemId: `${randomInt(1e6, 1e7)}${randomInt(1e6, 1e7)}${i}`,
      Title: `Item ${line.sku}`,
      QuantityOrdered: line.quantity,
      QuantityShipped: 0,
      // ItemPrice is the line total: unit price × quantity.
      ...(status === 'Pending'
        ? {}
        : { ItemPrice: { CurrencyCode: this.currency, Amount: new Decimal(line.price ?? '19.99').times(line.quantity).toFixed(2) }, IsGift: 'false' as const }),
    }));
    const total = items.reduce((t, i) => t.plus(i.ItemPrice?.Amount ?? 0), new Decimal(0));
    const order: SimOrder = {
      AmazonOrderId: id,
      PurchaseDate: at,
      LastUpdateDate: at,
      OrderStatus: status,
      FulfillmentChannel: 'MFN',
      ...(status === 'Pending' ? {} : { OrderTotal: { CurrencyCode: this.currency, Amount: total.toFixed(2) } }),
      MarketplaceId: this.marketplaceId,
      ShippingAddress: { City: 'SEATTLE', StateOrRegion: 'WA', PostalCode: '98109', CountryCode: 'US' },
      items,
      shipments: [],
    };
    for (const line of input.lines) {
      const listing = this.listings.get(line.sku);
      if (listing) listing.quantities['DEFAULT'] = Math.max(0, (listing.quantities['DEFAULT'] ?? 0) - line.quantity);
    }
    this.orders.set(id, order);
    return order;
  }

  /** Payment authorized: a Pending order gets its prices and becomes Unshipped. */
  authorize(id: string, unitPrice = '19.99'): void {
    const order = this.orders.get(id);
    if (!order) return;
    for (const item of order.items) item.ItemPrice = { CurrencyCode: this.currency, Amount: new Decimal(unitPrice).times(item.QuantityOrdered).toFixed(2) };
    order.OrderTotal = { CurrencyCode: this.currency, Amount: order.items.reduce((t, i) => t.plus(i.ItemPrice!.Amount), new Decimal(0)).toFixed(2) };
    this.touch(order, 'Unshipped');
  }

  requestCancellation(id: string, reason = 'Found cheaper somewhere else.'): void {
    const order = this.orders.get(id);
    if (!order) return;
    for (const item of order.items) item.BuyerRequestedCancel = { IsBuyerRequestedCancel: 'true', BuyerCancelReason: reason };
    this.touch(order, order.OrderStatus);
  }

  cancel(id: string): void {
    const order = this.orders.get(id);
    if (order) this.touch(order, 'Canceled');
  }

  setQuantity(sku: string, quantity: number, code = 'DEFAULT'): boolean {
    const listing = this.listings.get(sku);
    if (!listing) return false;
    listing.quantities[code] = quantity;
    listing.pushes.push(quantity);
    return true;
  }

  private touch(order: SimOrder, status: SimOrder['OrderStatus']): void {
    order.OrderStatus = status;
    // LastUpdateDate moves forward even within one millisecond, as an update does on Amazon.
    order.LastUpdateDate = new Date(Math.max(this.now(), Date.parse(order.LastUpdateDate) + 1)).toISOString();
  }
}
