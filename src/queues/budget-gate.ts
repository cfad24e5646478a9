import type { Queryable } from '../core/store/index.js';
import { type PushBudgets, freeAt, isUrgent, paceMs, reserveOf, routineSlot } from './budget-policy.js';
import type { BudgetStore } from './budget-store.js';

/** The latest availability of one SKU on one channel, on its way to a connector. */
export interface GateItem {
  sku: string;
  channel: string;
  available: number;
  version: number;
}

/** One push job the gate lets through: item by item, or one bulk push (a feed) that spent `bulk`. */
export interface PlannedJob {
  items: GateItem[];
  bulk?: string;
}

/**
 * Decides, in the relay's transaction, which availability changes of a budgeted connector go now
 * and which wait (in `availability_held`, the latest value per SKU, until their slot).
 */
export interface AvailabilityGate {
  covers(connectorId: string): boolean;
  /** Held changes whose slot has come, for these connectors: locked and removed, to be planned again. */
  due(tx: Queryable, connectorIds: string[]): Promise<(GateItem & { connectorId: string })[]>;
  plan(tx: Queryable, connectorId: string, items: GateItem[], batchSize: number): Promise<PlannedJob[]>;
}

export interface GateDeps {
  store: BudgetStore;
  /** The push budgets of an enabled connector that has any, else undefined. */
  budgets(connectorId: string): PushBudgets | undefined;
  /** A channel's low-stock threshold: a drop to it or below is pushed at once. */
  threshold(channel: string): number;
}

const key = (i: { channel: string; sku: string }) => `${i.channel}\u0000${i.sku}`;

export function createAvailabilityGate(deps: GateDeps): AvailabilityGate {
  const { store } = deps;
  return {
    covers: (id) => deps.budgets(id) !== undefined,
    async due(tx, connectorIds) {
      if (connectorIds.length === 0) return [];
      const { rows } = await tx.query<{ connector_id: string; channel: string; sku: string; available: number; version: string }>(
        `DELETE FROM availability_held WHERE (connector_id, channel, sku) IN (
           SELECT connector_id, channel, sku FROM availability_held
           WHERE connector_id = ANY($1::text[]) AND due_ms <= $2 ORDER BY due_ms LIMIT 5000 FOR UPDATE SKIP LOCKED)
         RETURNING connector_id, channel, sku, available, version`,
        [connectorIds, store.now()],
      );
      return rows.map((r) => ({ connectorId: r.connector_id, channel: r.channel, sku: r.sku, available: r.available, version: Number(r.version) }));
    },
    async plan(tx, connectorId, items, batchSize) {
      const budgets = deps.budgets(connectorId);
      if (!budgets) return chunk(items, batchSize).map((part) => ({ items: part }));
      const now = store.now();
      const last = await lastPushed(tx, connectorId, items);
      const urgent = new Set(items.filter((i) => isUrgent(i.available, last.get(key(i)), deps.threshold(i.channel))));
      const held: { item: GateItem; dueAt: number }[] = [];
      const ready: GateItem[] = [];

      // Connector-wide call budgets: once spent, routine changes wait for room.
      let callsDue = now;
      for (const spec of budgets.calls) callsDue = Math.max(callsDue, freeAt(await store.usage(connectorId, spec), spec.max, 1, now));
      for (const item of items) {
        const isUrgentItem = urgent.has(item);
        let dueAt = isUrgentItem ? now : callsDue;
        for (const spec of budgets.perSku) {
          const usage = await store.usage(connectorId, spec, item.sku);
          dueAt = Math.max(dueAt, isUrgentItem ? freeAt(usage, spec.max, 1, now) : routineSlot(spec, usage, now));
        }
        if (dueAt > now) held.push({ item, dueAt });
        else ready.push(item);
      }

      const jobs: PlannedJob[] = [];
      const bulk = budgets.bulk;
      if (bulk && ready.length > bulk.threshold) {
        const { spec, threshold } = bulk;
        const usage = await store.usage(connectorId, spec);
        const urgentReady = ready.filter((i) => urgent.has(i));
        const routineFeed = routineSlot(spec, usage, now) <= now && (await store.take(connectorId, spec, undefined, 1, spec.max - reserveOf(spec)));
        // Urgent changes too many for item calls may spend the reserve; the routine ones ride along.
        const urgentFeed = !routineFeed && urgentReady.length > threshold && (await store.take(connectorId, spec, undefined, 1));
        if (routineFeed || urgentFeed) {
          jobs.push({ items: ready.slice(0, batchSize), bulk: spec.name });
          for (const item of ready.slice(batchSize)) held.push({ item, dueAt: now });
        } else {
          // No feed to spend: urgent changes go item by item (when the connector can), the rest wait for the next feed.
          const nextFeed = Math.max(now + 1, routineSlot(spec, usage, now));
          for (const item of ready)
            if (!urgent.has(item) || threshold === 0)
              held.push({ item, dueAt: urgent.has(item) ? Math.max(now + 1, freeAt(usage, spec.max, 1, now)) : nextFeed });
          if (threshold > 0) for (const part of chunk(urgentReady, threshold)) jobs.push({ items: part });
        }
      } else if (ready.length > 0) {
        for (const part of chunk(ready, batchSize)) jobs.push({ items: part });
      }

      // Per-SKU spends, atomically: a listing another process spent meanwhile waits for its next slot.
      for (const job of jobs) {
        const kept: GateItem[] = [];
        for (const item of job.items) {
          let ok = true;
          for (const spec of budgets.perSku) {
            const limit = urgent.has(item) ? spec.max : spec.max - reserveOf(spec);
            if (!(await store.take(connectorId, spec, item.sku, 1, limit))) {
              ok = false;
              held.push({ item, dueAt: Math.max(now + 1, freeAt(await store.usage(connectorId, spec, item.sku), limit, 1, now), now + paceMs(spec)) });
              break;
            }
          }
          if (ok) kept.push(item);
        }
        job.items = kept;
      }
      const sent = jobs.flatMap((j) => j.items);
      await hold(tx, connectorId, held);
      await release(tx, connectorId, sent);
      return jobs.filter((j) => j.items.length > 0);
    },
  };
}

async function lastPushed(db: Queryable, connectorId: string, items: GateItem[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ channel: string; sku: string; available: number }>(
    `SELECT channel, sku, available FROM availability_pushed WHERE connector_id = $1 AND sku = ANY($2::text[])`,
    [connectorId, [...new Set(items.map((i) => i.sku))]],
  );
  return new Map(rows.map((r) => [key(r), r.available]));
}

/** Keeps the latest value of each held SKU with its slot; an older value never replaces a newer one. */
async function hold(db: Queryable, connectorId: string, held: { item: GateItem; dueAt: number }[]): Promise<void> {
  if (held.length === 0) return;
  await db.query(
    `INSERT INTO availability_held (connector_id, channel, sku, available, version, due_ms)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::bigint[], $6::bigint[])
     ON CONFLICT (connector_id, channel, sku) DO UPDATE
       SET available = EXCLUDED.available, version = EXCLUDED.version, due_ms = EXCLUDED.due_ms
       WHERE availability_held.version <= EXCLUDED.version`,
    [
      connectorId,
      held.map((h) => h.item.channel),
      held.map((h) => h.item.sku),
      held.map((h) => h.item.available),
      held.map((h) => h.item.version),
      held.map((h) => h.dueAt),
    ],
  );
}

/** Held values superseded by what was just sent are dropped. */
async function release(db: Queryable, connectorId: string, sent: GateItem[]): Promise<void> {
  if (sent.length === 0) return;
  await db.query(
    `DELETE FROM availability_held h USING unnest($2::text[], $3::text[], $4::bigint[]) AS s(channel, sku, version)
     WHERE h.connector_id = $1 AND h.channel = s.channel AND h.sku = s.sku AND h.version <= s.version`,
    [connectorId, sent.map((i) => i.channel), sent.map((i) => i.sku), sent.map((i) => i.version)],
  );
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, size)) out.push(items.slice(i, i + Math.max(1, size)));
  return out;
}
