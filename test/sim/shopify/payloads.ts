import { LosslessNumber } from 'lossless-json';
import type { SimFulfillment, SimLevel, SimOrder, SimProduct, ShopifyStore } from './store.js';

/**
 * Webhook bodies in the REST resource shapes Shopify documents, serialized with ids as bare JSON
 * numbers (beyond 2^53) and times in the shop's UTC offset, as Shopify writes them.
 * Order: https://shopify.dev/docs/api/admin-rest/2025-07/resources/order
 * Product: https://shopify.dev/docs/api/admin-rest/2025-07/resources/product
 * InventoryLevel: https://shopify.dev/docs/api/admin-rest/2025-07/resources/inventorylevel
 * Fulfillment: https://shopify.dev/docs/api/admin-rest/2025-07/resources/fulfillment
 */

const id = (value: string | null) => (value === null ? null : new LosslessNumber(value));
const money = (shop: string, currency: string, presentment: string, presentmentCurrency: string) => ({
  shop_money: { amount: shop, currency_code: currency },
  presentment_money: { amount: presentment, currency_code: presentmentCurrency },
});

/** "2026-11-24T03:00:00-05:00" for an instant and an offset in minutes. */
export function localTime(ms: number, offsetMinutes: number): string {
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export class PayloadRenderer {
  constructor(
    private readonly store: ShopifyStore,
    private readonly offsetMinutes: number,
  ) {}

  private t(ms: number | null): string | null {
    return ms === null ? null : localTime(ms, this.offsetMinutes);
  }

  order(order: SimOrder): Record<string, unknown> {
    const pres = (amount: number) => (amount * order.rate).toFixed(2);
    const total = order.lines.reduce((sum, l) => sum + Number(l.price) * l.quantity, 0);
    const current = order.cancelledAt ? 0 : order.lines.reduce((sum, l) => sum + Number(l.price) * l.currentQuantity, 0);
    const m = (amount: number) => money(amount.toFixed(2), order.currency, pres(amount), order.presentmentCurrency);
    return {
      id: id(order.id),
      admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
      name: order.name,
      order_number: order.number,
      email: order.email,
      created_at: this.t(order.createdAt),
      updated_at: this.t(order.updatedAt),
      processed_at: this.t(order.createdAt),
      cancelled_at: this.t(order.cancelledAt),
      cancel_reason: order.cancelReason,
      currency: order.currency,
      presentment_currency: order.presentmentCurrency,
      financial_status: 'paid',
      fulfillment_status: order.lines.every((l) => l.fulfilled >= l.currentQuantity) ? 'fulfilled' : null,
      total_price: total.toFixed(2),
      total_price_set: m(total),
      current_total_price: current.toFixed(2),
      current_total_price_set: m(current),
      customer: { id: id(order.customer.id), email: order.email, first_name: order.customer.firstName, last_name: order.customer.lastName },
      shipping_address: {
        first_name: order.customer.firstName,
        last_name: order.customer.lastName,
        name: `${order.customer.firstName} ${order.customer.lastName}`,
        address1: '1 Simulated Street',
        city: 'Springfield',
        zip: '62701',
        country: 'United States',
        country_code: 'US',
      },
      line_items: order.lines.map((l) => ({
        id: id(l.id),
        admin_graphql_api_id: `gid://shopify/LineItem/${l.id}`,
        variant_id: id(l.variantId),
        product_id: id(l.productId),
        sku: l.sku,
        title: l.title,
        variant_title: l.variantTitle,
        name: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title,
        quantity: l.quantity,
        current_quantity: l.currentQuantity,
        fulfillable_quantity: Math.max(0, l.currentQuantity - l.fulfilled),
        fulfillment_status: l.fulfilled === 0 ? null : l.fulfilled >= l.currentQuantity ? 'fulfilled' : 'partial',
        price: l.price,
        price_set: money(l.price, order.currency, l.presentmentPrice, order.presentmentCurrency),
        requires_shipping: true,
        gift_card: false,
      })),
    };
  }

  product(product: SimProduct): Record<string, unknown> {
    return {
      id: id(product.id),
      admin_graphql_api_id: `gid://shopify/Product/${product.id}`,
      title: product.title,
      status: product.status,
      created_at: this.t(product.createdAt),
      updated_at: this.t(product.updatedAt),
      variants: product.variants.map((v, i) => ({
        id: id(v.id),
        product_id: id(product.id),
        title: v.title,
        sku: v.sku,
        price: v.price,
        barcode: v.barcode,
        position: i + 1,
        inventory_item_id: id(v.inventoryItemId),
        inventory_quantity: this.store.locations.reduce((sum, loc) => sum + (this.store.level(v.inventoryItemId, loc.id)?.available ?? 0), 0),
        updated_at: this.t(v.updatedAt),
        admin_graphql_api_id: `gid://shopify/ProductVariant/${v.id}`,
      })),
    };
  }

  level(level: SimLevel): Record<string, unknown> {
    return {
      inventory_item_id: id(level.inventoryItemId),
      location_id: id(level.locationId),
      available: level.available,
      updated_at: this.t(level.updatedAt),
      admin_graphql_api_id: `gid://shopify/InventoryLevel/${level.locationId}?inventory_item_id=${level.inventoryItemId}`,
    };
  }

  fulfillment(f: SimFulfillment): Record<string, unknown> {
    const order = this.store.order(f.orderId);
    return {
      id: id(f.id),
      admin_graphql_api_id: `gid://shopify/Fulfillment/${f.id}`,
      order_id: id(f.orderId),
      status: 'success',
      location_id: id(f.locationId),
      created_at: this.t(f.createdAt),
      updated_at: this.t(f.createdAt),
      tracking_company: f.tracking?.company ?? null,
      tracking_number: f.tracking?.number ?? null,
      tracking_numbers: f.tracking?.number ? [f.tracking.number] : [],
      tracking_url: f.tracking?.url ?? null,
      tracking_urls: f.tracking?.url ? [f.tracking.url] : [],
      line_items: f.lines.map(({ lineId, quantity }) => {
        const line = order?.lines.find((l) => l.id === lineId);
        return {
          id: id(lineId),
          variant_id: id(line?.variantId ?? null),
          sku: line?.sku ?? null,
          title: line?.title ?? '',
          quantity,
          price: line?.price ?? '0.00',
        };
      }),
    };
  }
}
