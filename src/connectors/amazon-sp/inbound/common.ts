import type { MappingIssue } from '../../../core/errors.js';
import type { Money } from '../../../core/model/index.js';
import { mapSku } from '../../http/normalize.js';
import type { NormalizeContext } from '../../types.js';
import type { AmazonSpConfig } from '../config.js';
import type { AmazonMoney } from '../shapes.js';
import { unitPriceOf as unitPrice } from '../../http/money.js';

/** What every normalizer receives. The preview passes settings unparsed, so only `channel` is relied on. */
export type AmazonContext = NormalizeContext<Pick<AmazonSpConfig, 'settings'>>;

export function channelOf(ctx: AmazonContext): string {
  return ctx.config.settings.channel;
}

/** Amazon money as canonical money: the string amount is kept as written, never through a float. */
export function money(m: AmazonMoney): Money {
  return { amount: m.Amount, currency: m.CurrencyCode };
}

/**
 * The unit price of a line whose `ItemPrice` is the line total (price × quantity): the total
 * divided by the quantity, exactly; a quotient that does not terminate (10.00 / 3) keeps 10
 * decimal places. It is never multiplied back.
 */
export const unitPriceOf = (lineTotal: AmazonMoney, quantity: number): Money => unitPrice(money(lineTotal), quantity, 10);

/** The ERP SKU of an order item (its seller SKU, else its ASIN through the catalogue), or null after recording why. */
export function mapSellerSku(
  ctx: AmazonContext,
  item: { sellerSku?: string | undefined; asin?: string | undefined },
  where: string,
  field: string,
  issues: MappingIssue[],
): string | null {
  const sellerSku = item.sellerSku?.trim() || null;
  return mapSku(ctx, { sku: sellerSku, externalIds: { sellerSku, asin: item.asin } }, { where, field, issues, label: 'SellerSKU' });
}
