import { Decimal } from 'decimal.js';
import type { CanonicalEvent } from '../model/index.js';
import type { Tx, WritePart } from '../store/index.js';
import { carrierKey } from './shipments.js';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMERIC = /^-?\d+(\.\d+)?$/;

/**
 * Orders two source versions: as instants when both are ISO timestamps, numerically when both
 * are numbers (counters may exceed 2^53, hence decimals), else as strings.
 */
export function compareVersions(a: string, b: string): number {
  if (ISO_INSTANT.test(a) && ISO_INSTANT.test(b)) {
    const ta = Date.parse(a);
    const tb = Date.parse(b);
    if (Number.isFinite(ta) && Number.isFinite(tb)) return Math.sign(ta - tb);
  }
  if (NUMERIC.test(a) && NUMERIC.test(b)) return new Decimal(a).cmp(new Decimal(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The entity whose state an event overwrites, scoped by source connector because versions are
 * only comparable within one source. `null` for deltas (`inventory.adjusted`): nothing to overwrite.
 */
export function entityKey(event: CanonicalEvent): string | null {
  const c = event.source.connector;
  switch (event.type) {
    case 'order.upserted':
    case 'order.cancelled':
      return `${c}:order/${event.data.channel}/${event.data.externalOrderId}`;
    case 'product.upserted':
      return `${c}:product/${event.data.sku}`;
    case 'inventory.level.reported':
      return `${c}:level/${event.data.sku}/${event.data.location}/${event.data.state}`;
    case 'shipment.confirmed':
      return `${c}:shipment/${event.data.channel}/${event.data.externalShipmentId}`;
    case 'shipment.tracking.updated':
      return event.data.externalShipmentId !== undefined
        ? `${c}:shipment/${event.data.channel}/${event.data.externalShipmentId}`
        : `${c}:tracking/${carrierKey(event.data.tracking.company)}/${event.data.tracking.number}`;
    case 'return.received':
      return `${c}:return/${event.data.channel}/${event.data.externalReturnId}`;
    case 'refund.created':
      return `${c}:refund/${event.data.channel}/${event.data.externalRefundId}`;
    case 'invoice.posted':
      return `${c}:invoice/${event.data.externalInvoiceId}`;
    case 'invoice.payment.recorded':
      return `${c}:invoice-payment/${event.data.externalPaymentId}/${event.data.externalInvoiceId}`;
    case 'inventory.adjusted':
    case 'order.cancellation.requested':
      return null;
  }
}

/** An entity's applied version as the transaction knows it: `null` = none before it. */
export interface EntityState {
  version: string | null;
  eventId: string | null;
  /** What its row holds now (a new row holds its first event's version). */
  stored: { version: string; eventId: string };
}

/**
 * The stale guard, step one: locks the version rows of every entity the fresh events (one, or a
 * batch) overwrite, in ONE statement in entity order (creating the missing ones), and answers
 * what each held. Events then compare against these in memory, in inbox order
 * ({@link checkStaleIn}), and {@link entityVersionsPart} stores the outcome. Equal versions are
 * not stale: the idempotency key decides about exact repeats.
 */
export async function lockEntityVersions(tx: Tx, events: readonly CanonicalEvent[]): Promise<Map<string, EntityState>> {
  const first = new Map<string, CanonicalEvent>();
  for (const e of events) {
    const entity = entityKey(e);
    if (e.source.version !== null && entity !== null && !first.has(entity)) first.set(entity, e);
  }
  const out = new Map<string, EntityState>();
  if (first.size === 0) return out;
  const entities = [...first.keys()].sort();
  // A no-op update locks an existing row and returns what it holds; a new row holds the first
  // event's version, and is written again only if a later event moves it on.
  const { rows } = await tx.query<{ entity: string; version: string; event_id: string; inserted: boolean }>(
    `INSERT INTO erp_entity_version AS v (entity, version, event_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ORDER BY 1
     ON CONFLICT (entity) DO UPDATE SET entity = v.entity
     RETURNING v.entity, v.version, v.event_id, (v.xmax = 0) AS inserted`,
    [entities, entities.map((k) => first.get(k)!.source.version), entities.map((k) => first.get(k)!.id)],
  );
  for (const r of rows) {
    const stored = { version: r.version, eventId: r.event_id };
    out.set(r.entity, r.inserted ? { version: null, eventId: null, stored } : { ...stored, stored });
  }
  return out;
}

/**
 * The stale guard for one event against the versions {@link lockEntityVersions} locked: a message
 * when the event is older than what was applied; otherwise it records the event's version.
 */
export function checkStaleIn(entities: Map<string, EntityState>, event: CanonicalEvent): string | null {
  const version = event.source.version;
  const entity = entityKey(event);
  if (version === null || entity === null) return null;
  const state = entities.get(entity);
  if (!state) throw new Error(`version of ${entity} read without its lock`);
  if (state.version !== null && compareVersions(version, state.version) < 0) {
    return `stale: source version ${version} is older than ${state.version} already applied for ${entity}`;
  }
  Object.assign(state, { version, eventId: event.id });
  return null;
}

/** The last version applied for each entity whose row holds another, as one write (`null`: none moved). */
export function entityVersionsPart(entities: Map<string, EntityState> | undefined): WritePart | null {
  const changed = [...(entities ?? [])].filter(([, st]) => st.version !== null && (st.version !== st.stored.version || st.eventId !== st.stored.eventId));
  if (changed.length === 0) return null;
  return {
    steps: [
      [
        'versions',
        `UPDATE erp_entity_version v SET version = c.version, event_id = c.event_id, updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::text[]) AS c(entity, version, event_id) WHERE v.entity = c.entity`,
      ],
    ],
    params: [changed.map(([k]) => k), changed.map(([, st]) => st.version), changed.map(([, st]) => st.eventId)],
  };
}
