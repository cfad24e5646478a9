import { Decimal } from 'decimal.js';
import type { Money } from '../../../core/model/index.js';
import { scaleOf, sumAmounts, unitPriceOf as unitPrice } from '../../http/money.js';
import type { NormalizeContext } from '../../types.js';
import type { EbayConfig } from '../config.js';
import type { EbayAmount } from '../shapes.js';

/** What every eBay normalizer receives. */
export type EbayContext = NormalizeContext<EbayConfig>;

/** Money from an eBay Amount, its decimal string kept as written. */
export const money = (amount: EbayAmount): Money => ({ amount: amount.value, currency: amount.currency });

/** Money in the buyer's currency, when eBay converted the amount; undefined otherwise. */
export function buyerMoney(amount: EbayAmount | undefined): Money | undefined {
  return amount?.convertedFromValue !== undefined && amount.convertedFromCurrency
    ? { amount: amount.convertedFromValue, currency: amount.convertedFromCurrency }
    : undefined;
}

/** The absolute value of an amount eBay writes as negative (discounts). */
export const magnitude = (amount: EbayAmount): Money => ({ amount: new Decimal(amount.value).abs().toFixed(scaleOf(amount.value)), currency: amount.currency });

/** The unit price of a line whose cost is the line total, at most 4 places when the division does not end. */
export const unitPriceOf = (lineTotal: EbayAmount, quantity: number): Money => unitPrice(money(lineTotal), quantity, 4);

/** The sum of amounts in one currency, at the widest written scale; undefined for none. */
export function sum(amounts: EbayAmount[]): Money | undefined {
  const first = amounts[0];
  return first ? { amount: sumAmounts(amounts.map((a) => a.value)), currency: first.currency } : undefined;
}
