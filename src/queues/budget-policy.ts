import type { BudgetSpec, ConnectorDefinition } from '../connectors/types.js';
import type { BudgetUsage } from './budget-store.js';

/**
 * The budgets one connector instance spends when it pushes, sorted by how the outbound step
 * spends them. Budgets of other operations (token grants, say) are declared but not tracked.
 */
export interface PushBudgets {
  /** Spent one per item sent (revisions per listing per day). */
  perSku: BudgetSpec[];
  /** Spent one per availability call, connector-wide (API calls per day). */
  calls: BudgetSpec[];
  /** Spent one per bulk push (a feed), which the connector uses above `threshold` items. */
  bulk?: { spec: BudgetSpec; threshold: number };
  /** Spent one per fulfilment pushed. */
  fulfillment: BudgetSpec[];
}

/** The push budgets of an instance from its type's declaration. */
export function pushBudgets(definition: Pick<ConnectorDefinition, 'budgets' | 'bulkPush'>, instance: unknown): PushBudgets {
  const specs = definition.budgets ?? [];
  const bulkSpec = definition.bulkPush ? specs.find((b) => b.name === definition.bulkPush!.budget) : undefined;
  return {
    perSku: specs.filter((b) => b.operation === 'push.availability' && b.per === 'sku'),
    calls: specs.filter((b) => b.operation === 'push.availability' && b.per === 'connector' && b !== bulkSpec),
    ...(bulkSpec && definition.bulkPush ? { bulk: { spec: bulkSpec, threshold: definition.bulkPush.threshold(instance as never) } } : {}),
    fulfillment: specs.filter((b) => b.operation === 'push.fulfillment'),
  };
}

/** Whether pushing availability through this connector is governed by any budget. */
export function gatesAvailability(budgets: PushBudgets): boolean {
  return budgets.perSku.length > 0 || budgets.calls.length > 0 || budgets.bulk !== undefined;
}

/** Whether the hub counts this budget (the others are shown as declared). */
export function isTracked(budgets: PushBudgets, spec: BudgetSpec): boolean {
  return [...budgets.perSku, ...budgets.calls, ...budgets.fulfillment, ...(budgets.bulk ? [budgets.bulk.spec] : [])].includes(spec);
}

/**
 * Spends kept back for urgent pushes (drops to zero or below the channel's threshold): a tenth of
 * the budget, at least one, so a day of routine changes never leaves a listing unable to go to zero.
 */
export function reserveOf(spec: BudgetSpec): number {
  if (spec.max <= 1) return 0;
  return Math.min(spec.max - 1, Math.max(1, Math.ceil(spec.max / 10)));
}

/**
 * The least time between two routine spends: the budget left after the reserve spread evenly
 * over the window (250 revisions a day: one routine push per SKU every 6.4 minutes).
 */
export function paceMs(spec: BudgetSpec): number {
  return Math.ceil(spec.windowMs / (spec.max - reserveOf(spec)));
}

/**
 * Routine spends that may go back to back after a quiet spell: a 45th of the routine budget, at
 * least one (eBay's 225 routine revisions a day: 5, so an order right after a push still goes out;
 * a feed budget of 10 an hour: 1, so changes gather into the next feed).
 */
export function burstOf(spec: BudgetSpec): number {
  return Math.max(1, Math.floor((spec.max - reserveOf(spec)) / 45));
}

/**
 * When a routine (non-urgent) spend may happen: when the pace allows it (sustained changes get one
 * spend per pace, after a burst of {@link burstOf}), and once the count has room below the reserve.
 */
export function routineSlot(spec: BudgetSpec, usage: BudgetUsage, now: number): number {
  const paced = usage.paceAt === null ? now : usage.paceAt - (burstOf(spec) - 1) * paceMs(spec);
  return Math.max(now, paced, freeAt(usage, spec.max - reserveOf(spec), 1, now));
}

/**
 * A change that must not wait for budget: a drop to `threshold` units or fewer (default 0: a drop
 * to zero) from what the channel was last told. Overselling costs more than a late increase.
 */
export function isUrgent(available: number, lastPushed: number | undefined, threshold = 0): boolean {
  return available <= threshold && (lastPushed === undefined || available < lastPushed);
}

/** When the count will have fallen to `limit - amount` or below, so `amount` more fits (now if it already fits). */
export function freeAt(usage: BudgetUsage, limit: number, amount: number, now: number): number {
  let used = usage.used;
  if (used + amount <= limit) return now;
  for (const [at, n] of usage.expiries) {
    used -= n;
    if (used + amount <= limit) return Math.max(now, at);
  }
  return now;
}
