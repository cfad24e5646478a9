import type { Hub } from '../hub/create-hub.js';

/**
 * Scrape-time budget gauges. Labels are only configured connector ids and the budget names their
 * types declare (never SKUs), so the series stay bounded whatever the catalogue holds.
 */
export async function refreshBudgetGauges(hub: Pick<Hub, 'connectors' | 'budgets' | 'db' | 'metrics'>): Promise<void> {
  const { metrics } = hub;
  const held = await hub.budgets.held(hub.db);
  metrics.budgetRemaining.reset();
  metrics.budgetHeldItems.reset();
  for (const bound of hub.connectors.values()) {
    const statuses = await hub.budgets.status(bound);
    for (const s of statuses) if (s.remaining !== null) metrics.budgetRemaining.set({ connector: bound.id, budget: s.name }, s.remaining);
    if (statuses.length > 0) metrics.budgetHeldItems.set({ connector: bound.id }, held.get(bound.id) ?? 0);
  }
}
