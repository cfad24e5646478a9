import { Decimal } from 'decimal.js';
import { LosslessNumber, isSafeNumber, parse, stringify } from 'lossless-json';
import { amountText, decimalOf } from '../http/money.js';

/**
 * Parses a QuickBooks response keeping every number exactly as written: amounts are JSON numbers
 * (`"TotalAmt": 1234.50`) and a float would round some of them. Safe integers stay numbers; every
 * other number becomes its decimal text, which `toDecimalString` reads without loss.
 * https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features
 */
export function parseQboJson(text: string): unknown {
  return parse(text, undefined, (value: string) => (/^-?\d+$/.test(value) && isSafeNumber(value) ? Number(value) : value));
}

/**
 * Serializes a request body: a `Decimal` is written as a bare JSON number with its exact digits
 * (never through a float), everything else as JSON.stringify would.
 */
export function stringifyQboJson(value: unknown): string {
  return stringify(value, (_key, v) => (Decimal.isDecimal(v) ? new LosslessNumber(v.toFixed()) : v)) ?? 'null';
}

const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** True for a JSON number as parsed here (a number, or its exact text). */
export function isAmount(value: unknown): value is number | string {
  return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && DECIMAL.test(value.trim()));
}

/**
 * A canonical decimal string (at least two decimals: "12.30", "0.125"). A number that reached us
 * as a JS number is read through its shortest round-trip text, which is the text the API wrote for
 * every number a double represents exactly; anything longer arrives as text from parseQboJson.
 */
export function toDecimalString(value: number | string): string {
  return amountText(decimalOf(value));
}

export const decimal = decimalOf;
