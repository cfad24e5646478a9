import { deterministicEventId } from '../../http/signatures.js';
import { Decimal } from 'decimal.js';
import type { z } from 'zod';
import { MappingError, type MappingIssue, ValidationError } from '../../../core/errors.js';
import { type CanonicalEvent, type CanonicalEventInput, CanonicalEventSchema, type Money, zodIssues } from '../../../core/model/index.js';
import type { NormalizeContext } from '../../types.js';
import type { EbayConfig } from '../config.js';
import type { EbayAmount } from '../shapes.js';

/** What every eBay normalizer receives. */
export type EbayContext = NormalizeContext<EbayConfig>;

/**
 * Parses a payload with its shape; a mismatch is a ValidationError naming the connector, topic and
 * field path (prefixed with `at`, e.g. `orders[2]`, when the payload sits inside a page).
 */
export function parseShape<T>(schema: z.ZodType<T>, body: unknown, ctx: EbayContext, topic: string, at: readonly PropertyKey[] = []): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = zodIssues(result.error, at);
  const first = issues[0] ?? { path: '(root)', message: 'invalid payload' };
  throw new ValidationError(`${ctx.connectorId}: ${topic} payload: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    code: first.message === 'required' ? 'missing_field' : 'invalid_value',
    connectorId: ctx.connectorId,
    step: 'normalize',
    field: first.path,
  });
}

/** Validates built events; a failure names the event field, e.g. `data.lines[0].quantity`. */
export function finalize(events: CanonicalEventInput[], ctx: EbayContext, topic: string): CanonicalEvent[] {
  return events.map((event) => {
    const result = CanonicalEventSchema.safeParse(event);
    if (result.success) return result.data;
    const issues = zodIssues(result.error);
    throw new ValidationError(`${ctx.connectorId}: ${topic} gives an invalid ${event.type}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      connectorId: ctx.connectorId,
      step: 'normalize',
      field: issues[0]?.path,
    });
  });
}

/** Throws one MappingError carrying every issue found, if any. */
export function assertMapped(issues: MappingIssue[], ctx: EbayContext): void {
  if (issues.length > 0) throw new MappingError(issues, { connectorId: ctx.connectorId, step: 'normalize' });
}

/** An instant as ISO 8601 UTC. */
export const toUtc = (timestamp: string): string => new Date(timestamp).toISOString();


/** The envelope fields shared by every eBay event. */
export function envelope(ctx: EbayContext, topic: string, type: CanonicalEvent['type'], externalId: string, version: string, key: string) {
  return {
    id: eventId(ctx.connectorId, topic, type, externalId, version),
    idempotencyKey: `${ctx.connectorId}:${key}`,
    source: { connector: ctx.connectorId, connectorType: ctx.connectorType, externalId, version },
  };
}

/** Money from an eBay Amount, its decimal string kept as written. */
export const money = (amount: EbayAmount): Money => ({ amount: amount.value, currency: amount.currency });

/** Money in the buyer's currency, when eBay converted the amount; undefined otherwise. */
export function buyerMoney(amount: EbayAmount | undefined): Money | undefined {
  return amount?.convertedFromValue !== undefined && amount.convertedFromCurrency ? { amount: amount.convertedFromValue, currency: amount.convertedFromCurrency } : undefined;
}

/** The absolute value of an amount eBay writes as negative (discounts). */
export const magnitude = (amount: EbayAmount): Money => ({ amount: new Decimal(amount.value).abs().toFixed(scaleOf(amount.value)), currency: amount.currency });

/** Digits after the decimal point as written ("12.30" → 2, "0.0" → 1, "5" → 0). */
export const scaleOf = (value: string): number => value.split('.')[1]?.length ?? 0;

/**
 * The unit price of a line whose cost is the line total: total ÷ quantity with decimal.js, keeping
 * the written scale when the division is exact ("30.00" ÷ 3 → "10.00") and at most 4 places when not.
 */
export function unitPriceOf(lineTotal: EbayAmount, quantity: number): Money {
  const scale = scaleOf(lineTotal.value);
  const unit = new Decimal(lineTotal.value).div(quantity).toDecimalPlaces(Math.max(scale, 4), Decimal.ROUND_HALF_EVEN);
  return { amount: unit.toFixed(Math.max(scale, unit.decimalPlaces())), currency: lineTotal.currency };
}

/** The sum of amounts in one currency, at the widest written scale; undefined for none. */
export function sum(amounts: EbayAmount[]): Money | undefined {
  const first = amounts[0];
  if (!first) return undefined;
  const total = amounts.reduce((acc, a) => acc.plus(a.value), new Decimal(0));
  return { amount: total.toFixed(Math.max(...amounts.map((a) => scaleOf(a.value)))), currency: first.currency };
}

/** A deterministic event id from its parts: normalizing the same payload twice gives the same ids. */
export const eventId = deterministicEventId;
