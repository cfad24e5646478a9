import { deterministicEventId } from '../../http/signatures.js';
import type { z } from 'zod';
import { type MappingIssue, MappingError, ValidationError } from '../../../core/errors.js';
import { type CanonicalEvent, type CanonicalEventInput, CanonicalEventSchema, type Money, zodIssues } from '../../../core/model/index.js';
import type { NormalizeContext } from '../../types.js';
import type { ShopifyConfig } from '../config.js';
import { toGid } from '../ids.js';
import type { ShopifyMoneySet } from '../shapes.js';

/** What every Shopify normalizer receives. */
export type ShopifyContext = NormalizeContext<ShopifyConfig>;

/** Parses a webhook body with its shape; a mismatch is a ValidationError naming the connector, topic and field. */
export function parseShape<T>(schema: z.ZodType<T>, body: unknown, ctx: ShopifyContext, topic: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = zodIssues(result.error);
  const first = issues[0] ?? { path: '(root)', message: 'invalid payload' };
  const value = valueAt(body, result.error.issues[0]?.path ?? []);
  throw new ValidationError(`${ctx.connectorId}: ${topic} payload: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
    code: first.message === 'required' ? 'missing_field' : 'invalid_value',
    connectorId: ctx.connectorId,
    step: 'normalize',
    field: first.path,
    // Only plain scalars are echoed back: payload strings may hold customer data.
    ...(typeof value === 'number' || typeof value === 'boolean' || value === null ? { value } : {}),
  });
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = body;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Validates the events a normalizer built; a failure names the event field, e.g. `data.lines[0].quantity`. */
export function finalize(events: CanonicalEventInput[], ctx: ShopifyContext, topic: string): CanonicalEvent[] {
  return events.map((event) => {
    const result = CanonicalEventSchema.safeParse(event);
    if (result.success) return result.data;
    const issues = zodIssues(result.error);
    throw new ValidationError(
      `${ctx.connectorId}: ${topic} gives an invalid ${event.type}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      { connectorId: ctx.connectorId, step: 'normalize', field: issues[0]?.path },
    );
  });
}

/** Throws one MappingError carrying every issue found, if any. */
export function assertMapped(issues: MappingIssue[], ctx: ShopifyContext): void {
  if (issues.length > 0) throw new MappingError(issues, { connectorId: ctx.connectorId, step: 'normalize' });
}

/** An instant as ISO 8601 UTC: Shopify writes local offsets ("…T03:00:00-05:00"), the hub compares instants. */
export function toUtc(timestamp: string): string {
  return new Date(timestamp).toISOString();
}

/** The later of two ISO instants. */
export function latest(a: string, b: string | null | undefined): string {
  return b !== undefined && b !== null && Date.parse(b) > Date.parse(a) ? b : a;
}

/** A deterministic event id from its parts: normalizing the same payload twice gives the same ids. */
export const eventId = deterministicEventId;

/** The hub location of a Shopify location, whichever id form the mapping was written with. */
export function lookupLocation(ctx: ShopifyContext, shopifyLocationId: string): string | null {
  return ctx.lookup.location(shopifyLocationId) ?? ctx.lookup.location(toGid('Location', shopifyLocationId));
}

/** Money in the shop currency: from the money set when present, else the bare amount. */
export function shopMoney(set: ShopifyMoneySet | undefined, amount: string, currency: string): Money {
  return set ? { amount: set.shop_money.amount, currency: set.shop_money.currency_code } : { amount, currency };
}

/** The envelope fields shared by every Shopify event. */
export function envelope(ctx: ShopifyContext, topic: string, type: CanonicalEvent['type'], externalId: string, version: string, key: string) {
  return {
    id: eventId(ctx.connectorId, topic, type, externalId, version),
    idempotencyKey: `${ctx.connectorId}:${key}`,
    source: { connector: ctx.connectorId, connectorType: ctx.connectorType, externalId, version },
  };
}

/**
 * The ERP SKU of a payload line, or null after recording why: no SKU at all (`missing_field`) or a
 * SKU the mapping does not know (`unknown_sku`). `where` names the line for people, `field` for tools.
 */
export function mapLineSku(
  ctx: ShopifyContext,
  item: { sku?: string | null; variant_id?: string | null },
  where: string,
  field: string,
  issues: MappingIssue[],
): string | null {
  const channelSku = item.sku?.trim() || null;
  const sku = ctx.lookup.sku({ sku: channelSku, externalIds: { variantId: item.variant_id ?? null } });
  if (sku !== null) return sku;
  issues.push(
    channelSku === null
      ? { code: 'missing_field', field, value: null, message: `${where} has no SKU` }
      : { code: 'unknown_sku', field, value: channelSku, message: `${where} has unknown SKU "${channelSku}"` },
  );
  return null;
}
