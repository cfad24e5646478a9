import { Decimal } from 'decimal.js';
import type { Money } from '../../core/model/index.js';

/**
 * Money helpers for normalizers: amounts stay decimal strings and every sum or quotient goes
 * through decimal.js, never a float.
 */

/** Digits after the decimal point as written (`"12.30"` → 2, `"0.0"` → 1, `"5"` → 0); decimal.js would drop trailing zeros. */
export function scaleOf(amount: string): number {
  return amount.split('.')[1]?.length ?? 0;
}

/**
 * An amount as a decimal. A JSON number is read through its shortest round-trip text, which is the
 * text the source wrote for every number a double holds exactly (longer ones arrive as text from
 * `parseJsonPreservingIds`).
 */
export function decimalOf(amount: number | string): Decimal {
  return new Decimal(typeof amount === 'number' ? String(amount) : amount.trim());
}

/** A decimal as a canonical amount string with at least cents (`10` → `"10.00"`, `0.125` → `"0.125"`). */
export function amountText(value: Decimal): string {
  return value.decimalPlaces() < 2 ? value.toFixed(2) : value.toFixed();
}

/** The sum of decimal strings at the widest written scale (`"1.5"` + `"2.25"` → `"3.75"`). */
export function sumAmounts(amounts: readonly string[]): string {
  const total = amounts.reduce((acc, a) => acc.plus(a), new Decimal(0));
  return total.toFixed(Math.max(0, ...amounts.map(scaleOf)));
}

/**
 * The unit price of a line whose amount is the line total: total ÷ quantity with decimal.js,
 * keeping the written scale when the division is exact (`"30.00"` ÷ 3 → `"10.00"`) and rounding
 * half-even to at most `maxPlaces` (default 4) when it is not (`"10.00"` ÷ 3 → `"3.3333"`). Never
 * multiplied back.
 */
export function unitPriceOf(lineTotal: Money, quantity: number, maxPlaces = 4): Money {
  const scale = scaleOf(lineTotal.amount);
  const unit = new Decimal(lineTotal.amount).div(quantity).toDecimalPlaces(Math.max(scale, maxPlaces), Decimal.ROUND_HALF_EVEN);
  return { amount: unit.toFixed(Math.max(scale, unit.decimalPlaces())), currency: lineTotal.currency };
}
