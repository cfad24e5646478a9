import { deterministicEventId } from '../../http/signatures.js';
import { Decimal } from 'decimal.js';
import type { z } from 'zod';
import { type MappingIssue, MappingError, ValidationError } from '../../../core/errors.js';
import { type CanonicalEvent, type CanonicalEventInput, CanonicalEventSchema, type Money, zodIssues } from '../../../core/model/index.js';
import type { NormalizeContext } from '../../types.js';
import type { AmazonSpConfig } from '../config.js';
import type { AmazonMoney } from '../shapes.js';

/** What every normalizer receives. The preview passes settings unparsed, so only `channel` is relied on. */
export type AmazonContext = NormalizeContext<Pick<AmazonSpConfig, 'settings'>>;

/** Parses a payload with its shape; a mismatch is a ValidationError naming the connector, topic and field path. */
export function parseShape<T>(schema: z.ZodType<T>, body: unknown, ctx: AmazonContext, topic: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = zodIssues(result.error);
  const first = issues[0] ?? { path: '(root)', message: 'invalid payload' };
  throw new ValidationError(`${ctx.connectorId}: ${topic} payload: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    code: first.message === 'required' || /received undefined/.test(first.message) ? 'missing_field' : 'invalid_value',
    connectorId: ctx.connectorId,
    step: 'normalize',
    field: first.path,
  });
}

/** Validates the events a normalizer built; a failure names the event field. */
export function finalize(events: CanonicalEventInput[], ctx: AmazonContext, topic: string): CanonicalEvent[] {
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

export function assertMapped(issues: MappingIssue[], ctx: AmazonContext): void {
  if (issues.length > 0) throw new MappingError(issues, { connectorId: ctx.connectorId, step: 'normalize' });
}

export function invalid(ctx: AmazonContext, topic: string, field: string, message: string, code: 'missing_field' | 'invalid_value' = 'invalid_value'): ValidationError {
  return new ValidationError(`${ctx.connectorId}: ${topic} payload: ${field}: ${message}`, { code, connectorId: ctx.connectorId, step: 'normalize', field });
}

/** An instant as ISO 8601 UTC. */
export function toUtc(timestamp: string): string {
  return new Date(timestamp).toISOString();
}


/** The envelope fields shared by every event of this connector. */
export function envelope(ctx: AmazonContext, topic: string, type: string, externalId: string, version: string | null, key: string) {
  return {
    id: eventId(ctx.connectorId, topic, type, externalId, version ?? key),
    idempotencyKey: `${ctx.connectorId}:${key}`,
    source: { connector: ctx.connectorId, connectorType: ctx.connectorType, externalId, version },
  };
}

export function channelOf(ctx: AmazonContext): string {
  return ctx.config.settings.channel;
}

/** Amazon money as canonical money: the string amount is kept as written, never through a float. */
export function money(m: AmazonMoney): Money {
  return { amount: m.Amount, currency: m.CurrencyCode };
}

/**
 * The unit price of a line whose `ItemPrice` is the line total (price × quantity): the total
 * divided by the quantity, exactly, with decimal.js. A quotient that does not terminate (10.00 / 3)
 * keeps 10 decimal places; it is never multiplied back.
 */
export function unitPriceOf(lineTotal: AmazonMoney, quantity: number): Money {
  const unit = new Decimal(lineTotal.Amount).div(quantity);
  const places = Math.max(decimalPlaces(lineTotal.Amount), Math.min(unit.decimalPlaces(), 10));
  return { amount: unit.toFixed(places, Decimal.ROUND_HALF_EVEN), currency: lineTotal.CurrencyCode };
}

/** Decimal places as written ("21.50" has 2; decimal.js would say 1). */
export function decimalPlaces(amount: string): number {
  const dot = amount.indexOf('.');
  return dot < 0 ? 0 : amount.length - dot - 1;
}

/** The ERP SKU of an order item (its seller SKU, else its ASIN through the catalogue), or null after recording why. */
export function mapSellerSku(
  ctx: AmazonContext,
  item: { sellerSku?: string | undefined; asin?: string | undefined },
  where: string,
  field: string,
  issues: MappingIssue[],
): string | null {
  const channelSku = item.sellerSku?.trim() || null;
  const sku = ctx.lookup.sku({ sku: channelSku, externalIds: { sellerSku: channelSku, asin: item.asin } });
  if (sku !== null) return sku;
  issues.push(
    channelSku === null
      ? { code: 'missing_field', field, value: null, message: `${where} has no SellerSKU` }
      : { code: 'unknown_sku', field, value: channelSku, message: `${where} has unknown SellerSKU "${channelSku}"` },
  );
  return null;
}

/** A deterministic event id from its parts: normalizing the same payload twice gives the same ids. */
export const eventId = deterministicEventId;
