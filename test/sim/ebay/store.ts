import { Decimal } from 'decimal.js';

/**
 * The simulated seller account: listings (an inventory item with its SKU, offer and legacy item id,
 * or a legacy listing without a SKU) with their ship-to-home quantity, orders in the Fulfillment
 * API's shape, and shipping fulfilments. A sale lowers the listing's quantity, as eBay does.
 */
export interface SimListing {
  sku: string | null;
  legacyItemId: string;
  offerId: string;
  title: string;
  price: string;
  quantity: number;
  /** Quantity revisions per UTC day (eBay allows 250 per listing per calendar day). */
  revisions: Map<string, number>;
}
export interface SimEbayLine {
  lineItemId: string;
  listing: SimListing;
  quantity: number;
}
export interface SimEbayOrder {
  orderId: string;
  createdAt: number;
  modifiedAt: number;
  cancelState: 'NONE_REQUESTED' | 'IN_PROGRESS' | 'CANCELED';
  cancelledAt: number | null;
  /** Collect-and-remit sales tax rate (e.g. "0.0825"), inside the totals. */
  taxRate: string | null;
  shippingCost: string;
  lines: SimEbayLine[];
  fulfillments: { fulfillmentId: string; trackingNumber: string; carrier: string; shippedDate: string; lineItems: { lineItemId: string }[] }[];
}
export interface OrderInput {
  /** Each line by SKU, or by legacy item id for a legacy listing. */
  lines: ({ sku: string; quantity: number } | { legacyItemId: string; quantity: number })[];
  taxRate?: string;
  shippingCost?: string;
}

export class EbayStore {
  readonly listings: SimListing[] = [];
  readonly orders: SimEbayOrder[] = [];
  /** Every quantity bulkUpdatePriceQuantity set, in order. */
  readonly pushes: { sku: string | null; quantity: number; at: number }[] = [];
  private seq = 0;

  constructor(
    private readonly now: () => number = Date.now,
    readonly currency = 'USD',
  ) {}

  private next(): number {
    return ++this.seq;
  }

  /** A listing; `sku: null` makes a legacy listing whose order lines carry no sku key. */
  addListing(input: { sku: string | null; quantity: number; price?: string; title?: string }): SimListing {
    const n = this.next();
    const listing: SimListing = {
      sku: input.sku,
      legacyItemId: String(110000000000 + n),
      offerId: String(5000000000 + n),
      title: input.title ?? `Listing ${input.sku ?? n}`,
      price: input.price ?? '10.00',
      quantity: input.quantity,
      revisions: new Map(),
    };
    this.listings.push(listing);
    return listing;
  }

  listing(sku: string): SimListing | undefined {
    return this.listings.find((l) => l.sku === sku);
  }

  /** The listing's ship-to-home quantity: what the hub last pushed, less sales since. */
  available(sku: string): number | undefined {
    return this.listing(sku)?.quantity;
  }

  /** Quantity revisions of a listing on the current UTC day (eBay's cap is 250 per listing per day). */
  revisionsToday(sku: string): number {
    return this.listing(sku)?.revisions.get(new Date(this.now()).toISOString().slice(0, 10)) ?? 0;
  }

  /** Sets a quantity as bulkUpdatePriceQuantity does, counting the day's revisions. */
  revise(listing: SimListing, quantity: number): void {
    listing.quantity = quantity;
    this.pushes.push({ sku: listing.sku, quantity, at: this.now() });
    const day = new Date(this.now()).toISOString().slice(0, 10);
    listing.revisions.set(day, (listing.revisions.get(day) ?? 0) + 1);
  }

  /** A buyer checks out: the order appears in getOrders and the listings' quantities drop. */
  placeOrder(input: OrderInput): SimEbayOrder {
    const t = this.now();
    const orderNo = this.next();
    const lines = input.lines.map((l, i) => {
      const listing = 'sku' in l ? this.listing(l.sku) : this.listings.find((x) => x.legacyItemId === l.legacyItemId);
      if (!listing) throw new Error(`no listing for ${JSON.stringify(l)}`);
      listing.quantity = Math.max(0, listing.quantity - l.quantity);
      return { lineItemId: String(10000000000000 + orderNo * 100 + i), listing, quantity: l.quantity };
    });
    const order: SimEbayOrder = {
      orderId: `${String(orderNo).padStart(2, '0')}-${String(10000 + orderNo)}-${String(orderNo).padStart(5, '0')}`,
      createdAt: t,
      modifiedAt: t,
      cancelState: 'NONE_REQUESTED',
      cancelledAt: null,
      taxRate: input.taxRate ?? null,
      shippingCost: input.shippingCost ?? '0.0',
      lines,
      fulfillments: [],
    };
    this.orders.push(order);
    return order;
  }

  order(orderId: string): SimEbayOrder | undefined {
    return this.orders.find((o) => o.orderId === orderId);
  }

  /** The seller cancels: quantities go back to the listings. */
  cancelOrder(orderId: string): void {
    const o = this.order(orderId);
    if (!o) throw new Error(`no order ${orderId}`);
    o.cancelState = 'CANCELED';
    o.cancelledAt = o.modifiedAt = this.now();
    for (const l of o.lines) l.listing.quantity += l.quantity;
  }

  /** The buyer asks to cancel; the order stands until the seller decides. */
  requestCancel(orderId: string): void {
    const o = this.order(orderId);
    if (!o) throw new Error(`no order ${orderId}`);
    o.cancelState = 'IN_PROGRESS';
    o.modifiedAt = this.now();
  }

  /** The order as getOrders/getOrder return it. https://developer.ebay.com/api-docs/sell/fulfillment/types/sel:Order */
  render(o: SimEbayOrder): Record<string, unknown> {
    const amount = (value: Decimal.Value) => ({ value: new Decimal(value).toFixed(2), currency: this.currency });
    let subtotal = new Decimal(0);
    let taxTotal = new Decimal(0);
    const lineItems = o.lines.map((l) => {
      const cost = new Decimal(l.listing.price).times(l.quantity);
      const tax = o.taxRate ? cost.times(o.taxRate).toDecimalPlaces(2) : new Decimal(0);
      subtotal = subtotal.plus(cost);
      taxTotal = taxTotal.plus(tax);
      return {
        lineItemId: l.lineItemId,
        legacyItemId: l.listing.legacyItemId,
        ...(l.listing.sku !== null ? { sku: l.listing.sku } : {}),
        title: l.listing.title,
        quantity: l.quantity,
        lineItemCost: amount(cost),
        total: amount(cost.plus(tax)),
        deliveryCost: { shippingCost: { value: '0.0', currency: this.currency } },
        appliedPromotions: [],
        taxes: o.taxRate ? [{ amount: amount(tax), taxType: 'STATE_SALES_TAX' }] : [],
        ...(o.taxRate ? { ebayCollectAndRemitTaxes: [{ taxType: 'STATE_SALES_TAX', amount: amount(tax), collectionMethod: 'NET' }] } : {}),
        soldFormat: 'FIXED_PRICE',
        lineItemFulfillmentStatus: o.fulfillments.length > 0 ? 'FULFILLED' : 'NOT_STARTED',
      };
    });
    return {
      orderId: o.orderId,
      legacyOrderId: `${o.lines[0]?.listing.legacyItemId ?? '0'}-${o.orderId.slice(-5)}`,
      creationDate: new Date(o.createdAt).toISOString(),
      lastModifiedDate: new Date(o.modifiedAt).toISOString(),
      orderFulfillmentStatus: o.fulfillments.length > 0 ? 'FULFILLED' : 'NOT_STARTED',
      orderPaymentStatus: o.cancelState === 'CANCELED' ? 'FULLY_REFUNDED' : 'PAID',
      sellerId: 'sim_seller',
      buyer: { username: 'sim_buyer' },
      cancelStatus: { cancelState: o.cancelState, cancelRequests: [], ...(o.cancelledAt ? { cancelledDate: new Date(o.cancelledAt).toISOString() } : {}) },
      pricingSummary: {
        priceSubtotal: amount(subtotal),
        deliveryCost: { value: o.shippingCost, currency: this.currency },
        total: amount(subtotal.plus(o.shippingCost).plus(taxTotal)),
      },
      ...(o.taxRate ? { ebayCollectAndRemitTax: true } : {}),
      fulfillmentStartInstructions: [
        {
          fulfillmentInstructionsType: 'SHIP_TO',
          shippingStep: {
            shippingCarrierCode: 'USPS',
            shipTo: {
              fullName: 'Sim Buyer',
              contactAddress: { addressLine1: '1 Main St', city: 'San Jose', stateOrProvince: 'CA', postalCode: '95125', countryCode: 'US' },
            },
          },
        },
      ],
      fulfillmentHrefs: o.fulfillments.map((f) => `/sell/fulfillment/v1/order/${o.orderId}/shipping_fulfillment/${f.fulfillmentId}`),
      lineItems,
    };
  }
}
