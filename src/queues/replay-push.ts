import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { availableToSell } from '../core/erp/index.js';
import type { ErpContext } from '../core/erp/context.js';
import { ShipmentSchema } from '../core/model/index.js';
import type { Queryable } from '../core/store/index.js';
import type { PushJobData } from './outbound.js';

/** External ids an operator may correct before a push is replayed (`variantId`, `orderId`, ...). */
const ExternalIdsSchema = z.record(z.string().min(1), z.string().min(1).max(500));

const AvailabilityItemSchema = z.object({
  sku: z.string().min(1),
  channel: z.string().min(1),
  available: z.number().int().min(0),
  version: z.number().int(),
  externalIds: ExternalIdsSchema.optional(),
});

export const PushPayloadSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('availability'), connectorId: z.string().min(1), items: z.array(AvailabilityItemSchema).min(1) }),
  z.object({ kind: z.literal('fulfillment'), connectorId: z.string().min(1), shipment: ShipmentSchema, externalIds: ExternalIdsSchema.optional() }),
]);
export type PushPayload = z.infer<typeof PushPayloadSchema>;

/** Why an edited push payload is refused; names the field. */
export class PushEditRefused extends Error {}

const parse = (value: unknown, what: string): PushPayload => {
  const parsed = PushPayloadSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new PushEditRefused(`${what}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
};

/**
 * The push to replay: the dead letter's own, with at most its external ids changed by an edit.
 * Connector, kind, SKUs, channels and the shipment are the original's; an edit that changes them,
 * or any quantity or version, is refused naming the field.
 */
export function editedPush(original: unknown, edit: unknown): PushPayload {
  const base = parse(original, 'stored payload');
  if (edit === undefined) return base;
  const next = parse(edit, 'edited payload');
  const refuse = (field: string) => {
    throw new PushEditRefused(`${field} cannot be edited; only external ids can (quantities and versions are recomputed from the ledger at replay)`);
  };
  if (next.kind !== base.kind) refuse('kind');
  if (next.connectorId !== base.connectorId) refuse('connectorId');
  if (base.kind === 'fulfillment' && next.kind === 'fulfillment') {
    if (!isDeepStrictEqual(next.shipment, base.shipment)) refuse('shipment');
    return { ...base, ...(next.externalIds ? { externalIds: next.externalIds } : {}) };
  }
  if (base.kind !== 'availability' || next.kind !== 'availability') return base;
  if (next.items.length !== base.items.length) refuse('items');
  return {
    ...base,
    items: base.items.map((item, i) => {
      const e = next.items[i]!;
      for (const field of ['sku', 'channel', 'available', 'version'] as const) if (e[field] !== item[field]) refuse(`items[${i}].${field}`);
      return { ...item, ...(e.externalIds ? { externalIds: e.externalIds } : {}) };
    }),
  };
}

/**
 * The job that replays a push: availability items carry the ledger's current value and version
 * (a dead letter's own may be long stale, and a forged version would hide every later push).
 */
export async function pushJobFromLedger(q: Queryable, erp: ErpContext, push: PushPayload, replayOf: number): Promise<PushJobData> {
  if (push.kind === 'fulfillment') return { ...push, replayOf };
  const items = [];
  for (const item of push.items) {
    const { rows } = await q.query<{ available: number | null; version: number }>(
      'SELECT available, version FROM availability_state WHERE sku = $1 AND channel = $2',
      [item.sku, item.channel],
    );
    const available = rows[0]?.available ?? (await availableToSell(q, item.sku, item.channel, erp));
    items.push({ ...item, available, version: rows[0]?.version ?? 0 });
  }
  return { kind: 'availability', connectorId: push.connectorId, items, replayOf };
}
