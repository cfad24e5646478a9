import type { CanonicalEventInput } from '../../../core/model/index.js';
import type { Normalizer } from '../../types.js';
import type { ShopifyConfig } from '../config.js';
import { ShopifyProductWebhookSchema } from '../shapes.js';
import { envelope, finalize, parseShape, toUtc } from '../../http/normalize.js';
import { latest } from './common.js';

/** Shopify's title of the single variant of a product without options. */
const DEFAULT_VARIANT_TITLE = 'Default Title';

/**
 * products/create and products/update → one `product.upserted` per variant that has a SKU, carrying
 * the ids the connector needs to push stock: `externalIds[<connectorId>] = { productId, variantId,
 * inventoryItemId }`. A variant without a SKU cannot be keyed and is skipped. A SKU the mapping does
 * not know is a new product: its ERP SKU is the variant's SKU as written (this is how the catalogue
 * learns it), while a mapped SKU takes its ERP name.
 * The version is the later of the product's and the variant's `updated_at`, so a product-level change
 * (title, status) is applied even when the variant itself did not change.
 * Price is left out: the product payload does not say which currency its prices are in.
 * https://shopify.dev/docs/api/admin-rest/2025-07/resources/product
 */
export function normalizeProductUpsert(topic: string): Normalizer<ShopifyConfig> {
  return (body, ctx) => {
    const product = parseShape(ShopifyProductWebhookSchema, body, ctx, topic);
    const productVersion = toUtc(product.updated_at);
    const active = (product.status ?? 'active') === 'active';
    const events: CanonicalEventInput[] = [];
    for (const variant of product.variants) {
      const channelSku = variant.sku?.trim();
      if (!channelSku) continue;
      const sku = ctx.lookup.sku({ sku: channelSku, externalIds: { variantId: variant.id } }) ?? channelSku;
      const version = latest(productVersion, variant.updated_at ? toUtc(variant.updated_at) : null);
      const title = variant.title && variant.title !== DEFAULT_VARIANT_TITLE ? `${product.title} - ${variant.title}` : product.title;
      events.push({
        ...envelope(ctx, topic, 'product.upserted', variant.id, version, `product:${variant.id}:${version}`),
        type: 'product.upserted',
        occurredAt: version,
        data: {
          sku,
          title,
          ...(variant.barcode ? { barcode: variant.barcode } : {}),
          active,
          externalIds: { [ctx.connectorId]: { productId: product.id, variantId: variant.id, inventoryItemId: variant.inventory_item_id } },
        },
      });
    }
    return finalize(events, ctx, topic);
  };
}
