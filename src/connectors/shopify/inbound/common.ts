import type { MappingIssue } from '../../../core/errors.js';
import type { Money } from '../../../core/model/index.js';
import { mapSku } from '../../http/normalize.js';
import type { NormalizeContext } from '../../types.js';
import type { ShopifyConfig } from '../config.js';
import { toGid } from '../ids.js';
import type { ShopifyMoneySet } from '../shapes.js';

/** What every Shopify normalizer receives. */
export type ShopifyContext = NormalizeContext<ShopifyConfig>;

/** The later of two ISO instants. */
export function latest(a: string, b: string | null | undefined): string {
  return b !== undefined && b !== null && Date.parse(b) > Date.parse(a) ? b : a;
}

/** The hub location of a Shopify location, whichever id form the mapping was written with. */
export function lookupLocation(ctx: ShopifyContext, shopifyLocationId: string): string | null {
  return ctx.lookup.location(shopifyLocationId) ?? ctx.lookup.location(toGid('Location', shopifyLocationId));
}

/** Money in the shop currency: from the money set when present, else the bare amount. */
export function shopMoney(set: ShopifyMoneySet | undefined, amount: string, currency: string): Money {
  return set ? { amount: set.shop_money.amount, currency: set.shop_money.currency_code } : { amount, currency };
}

/** The ERP SKU of a payload line (its SKU, else its variant through the catalogue), or null after recording why. */
export function mapLineSku(
  ctx: ShopifyContext,
  item: { sku?: string | null; variant_id?: string | null },
  where: string,
  field: string,
  issues: MappingIssue[],
): string | null {
  return mapSku(ctx, { sku: item.sku, externalIds: { variantId: item.variant_id ?? null } }, { where, field, issues });
}
