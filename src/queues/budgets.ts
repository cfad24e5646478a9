import type { Redis } from 'ioredis';
import type { BudgetSpec } from '../connectors/types.js';
import type { Queryable } from '../core/store/index.js';
import type { BoundConnector } from './bind.js';
import { type AvailabilityGate, createAvailabilityGate } from './budget-gate.js';
import { type PushBudgets, freeAt, gatesAvailability, isTracked, pushBudgets } from './budget-policy.js';
import { type BudgetStore, createBudgetStore } from './budget-store.js';
import type { PushJobData } from './outbound.js';

/** One declared budget of a connector instance, as operators see it. */
export interface BudgetStatus {
  name: string;
  per: 'connector' | 'sku';
  operation: string;
  max: number;
  windowMs: number;
  doc: string;
  /** Whether the hub counts it; an untracked budget (token grants, say) is shown as declared. */
  tracked: boolean;
  /** Spent in the rolling window: for a per-SKU budget, by the listing that spent most. */
  used: number | null;
  remaining: number | null;
  /** The listing that spent most of a per-SKU budget. */
  sku: string | null;
  /** When the next spend falls out of the window (ISO UTC), while anything is counted. */
  nextFreeAt: string | null;
}

/** Budgets of every connector: the store, the relay's gate, the worker's spends and the operators' view. */
export interface HubBudgets {
  readonly store: BudgetStore;
  gate(connectors: () => ReadonlyMap<string, BoundConnector>, threshold: (channel: string) => number): AvailabilityGate;
  spend(bound: BoundConnector, data: PushJobData, what: { retry: true } | { calls: number }): Promise<void>;
  status(bound: Pick<BoundConnector, 'id' | 'definition' | 'instance'>): Promise<BudgetStatus[]>;
  /** Changes waiting for budget, per connector id. */
  held(db: Queryable): Promise<Map<string, number>>;
  close(): Promise<void>;
}

const cache = new WeakMap<object, PushBudgets>();
/** Push budgets of a binding, computed once per binding (a reload makes a new one). */
export function budgetsOf(bound: Pick<BoundConnector, 'definition' | 'instance'>): PushBudgets {
  let b = cache.get(bound);
  if (!b) cache.set(bound, (b = pushBudgets(bound.definition, bound.instance)));
  return b;
}

/** `redis` is opened lazily by the caller's factory and closed with the hub; `now` is the hub's clock. */
export function createHubBudgets(redis: () => Redis, prefix: string, now: () => number, close: () => Promise<void>): HubBudgets {
  let store: BudgetStore | undefined;
  const lazy = (): BudgetStore => (store ??= createBudgetStore(redis(), prefix, now));
  const proxy: BudgetStore = {
    now,
    usage: (...a) => lazy().usage(...a),
    take: (...a) => lazy().take(...a),
    spend: (...a) => lazy().spend(...a),
    peak: (...a) => lazy().peak(...a),
  };
  return {
    store: proxy,
    close,
    gate: (connectors, threshold) =>
      createAvailabilityGate({
        store: proxy,
        threshold,
        budgets: (id) => {
          const bound = connectors().get(id);
          const b = bound ? budgetsOf(bound) : undefined;
          return b && gatesAvailability(b) ? b : undefined;
        },
      }),
    async spend(bound, data, what) {
      const b = budgetsOf(bound);
      if (data.kind === 'fulfillment') {
        for (const spec of b.fulfillment) await proxy.spend(bound.id, spec, undefined, 'calls' in what ? what.calls : 1);
        return;
      }
      // Order-to-cash steps (3PL orders, trackers, invoices) spend no availability budget.
      if (data.kind !== 'availability') return;
      if ('calls' in what) {
        for (const spec of b.calls) if (what.calls > 0) await proxy.spend(bound.id, spec, undefined, what.calls);
        return;
      }
      // A job run again may revise each listing again, and submits another feed.
      for (const spec of b.perSku) for (const item of data.items) await proxy.spend(bound.id, spec, item.sku, 1);
      if (data.bulk && b.bulk?.spec.name === data.bulk) await proxy.spend(bound.id, b.bulk.spec, undefined, 1);
    },
    async status(bound) {
      const b = budgetsOf(bound);
      return Promise.all((bound.definition.budgets ?? []).map((spec) => statusOf(proxy, bound.id, spec, isTracked(b, spec))));
    },
    async held(db) {
      const { rows } = await db.query<{ connector_id: string; n: number }>(
        `SELECT connector_id, count(*)::int AS n FROM availability_held GROUP BY connector_id`,
      );
      return new Map(rows.map((r) => [r.connector_id, Number(r.n)]));
    },
  };
}

async function statusOf(store: BudgetStore, connectorId: string, spec: BudgetSpec, tracked: boolean): Promise<BudgetStatus> {
  const base = { name: spec.name, per: spec.per, operation: spec.operation, max: spec.max, windowMs: spec.windowMs, doc: spec.doc, tracked };
  if (!tracked) return { ...base, used: null, remaining: null, sku: null, nextFreeAt: null };
  const peak = await store.peak(connectorId, spec);
  const first = peak.expiries[0];
  const next = peak.used >= spec.max ? freeAt(peak, spec.max, 1, store.now()) : first?.[0];
  return { ...base, used: peak.used, remaining: peak.remaining, sku: peak.sku, nextFreeAt: next === undefined ? null : new Date(next).toISOString() };
}
