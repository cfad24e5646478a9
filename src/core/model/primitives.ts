import { z } from 'zod';

/**
 * Bounds of the store: quantities live in PostgreSQL `integer` columns (int4), so a count beyond
 * them would pass validation and then fail in the database on every retry.
 */
export const MAX_STORED_INT = 2_147_483_647;
export const MIN_STORED_INT = -2_147_483_648;

/** A decimal amount as a string, never a float: "59.90", "-3", "0.125". At most 20 integer and 12 fraction digits. */
export const DecimalStringSchema = z
  .string()
  .regex(/^-?\d{1,20}(\.\d{1,12})?$/, 'must be a decimal string such as "59.90" (at most 20 digits before the point and 12 after)')
  .describe('Decimal amount as a string, never a float');

/** ISO 4217 currency code, upper case. */
export const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"');

/** Money: `{ "amount": "59.90", "currency": "USD" }`. */
export const MoneySchema = z.object({
  amount: DecimalStringSchema,
  currency: CurrencySchema,
});
export type Money = z.infer<typeof MoneySchema>;

/** A count of units: an integer, zero or more. */
export const QuantitySchema = z
  .number()
  .int('must be a whole number of units')
  .nonnegative('must not be negative')
  .max(MAX_STORED_INT, `must be at most ${MAX_STORED_INT}`);

/** A signed count of units, for deltas and variances. */
export const DeltaSchema = z
  .number()
  .int('must be a whole number of units')
  .min(-MAX_STORED_INT, `must be at least -${MAX_STORED_INT}`)
  .max(MAX_STORED_INT, `must be at most ${MAX_STORED_INT}`);

/** A strictly positive count of units, for order lines and bundle components. */
export const PositiveQuantitySchema = z
  .number()
  .int('must be a whole number of units')
  .positive('must be at least 1')
  .max(MAX_STORED_INT, `must be at most ${MAX_STORED_INT}`);

/** A stored signed count (a balance): within the store's integer column. */
export const StoredIntSchema = z.number().int('must be a whole number').min(MIN_STORED_INT).max(MAX_STORED_INT);

/** An instant as an ISO 8601 UTC string ending in Z, e.g. "2026-11-24T08:00:00.000Z". */
export const IsoUtcSchema = z.iso.datetime({ message: 'must be an ISO 8601 UTC timestamp ending in Z' });

/** An identifier as the source system wrote it. Always a string: numeric ids may exceed 2^53. */
export const ExternalIdSchema = z.string().min(1, 'must not be empty').max(500, 'must be at most 500 characters');

/** An ERP SKU. */
export const SkuSchema = z.string().min(1, 'must not be empty').max(200);

/** A configured id (location, channel, connector instance): lower-case kebab. */
export const SlugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, ".", "_" or "-"')
  .max(100);
