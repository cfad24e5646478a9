import type { ChannelOrderSummary } from '../connectors/types.js';
import { ContractError } from '../core/errors.js';
import { compareVersions } from '../core/erp/index.js';
import { backfillOrders } from './backfill.js';
import { connectorChannel } from './policy.js';
import type { OrderIssueInput, ReconcileDeps, ReconcileTarget, RunContext } from './types.js';

/** Order statuses that a channel-side cancellation can no longer change in the ERP. */
const FINAL = new Set(['cancelled', 'shipped', 'closed']);

/**
 * Order reconciliation: lists the channel's orders changed in the window and compares each with
 * the ERP: missing, outdated (the channel has a newer version than the one applied), cancelled in
 * the channel but open in the hub, or the reverse. With policy `heal`, the first three are read in
 * full and fed through the normal intake (deduplicated, idempotent, so an order is allocated
 * once however often it is backfilled); a cancellation the hub cannot follow (the order shipped)
 * and an order open in the channel but cancelled in the hub are flagged for a human.
 */
export async function reconcileOrders(deps: ReconcileDeps, target: ReconcileTarget, ctx: RunContext, now: () => Date = () => new Date()): Promise<void> {
  const { instance, client } = target;
  if (!client.listOrders || !client.readOrders) {
    throw new ContractError(`${instance.id}: connector type ${instance.type} cannot list orders for reconciliation`, { connectorId: instance.id });
  }
  const channel = connectorChannel(deps.config, instance);
  // Open-ended: an order changed while the run reads is compared too (it is in the ERP or backfilled).
  const window = { since: new Date(now().getTime() - ctx.policy.orders.windowMinutes * 60_000).toISOString() };
  for await (const page of client.listOrders(window)) {
    const issues = await compare(deps, instance.id, channel, page);
    ctx.counts.checked += page.length;
    ctx.counts.compared += page.length;
    ctx.counts.drifted += issues.length;
    const heal = ctx.policy.orders.policy === 'heal' && !ctx.dryRun;
    const wanted = issues.filter((i) => i.action === 'backfilled').map((i) => i.externalOrderId);
    if (heal && wanted.length > 0) {
      const results = await backfillOrders(deps, instance.id, await client.readOrders(wanted));
      const inbox = new Map(results.map((r) => [r.externalOrderId, r]));
      for (const issue of issues) {
        if (issue.action !== 'backfilled') continue;
        const result = inbox.get(issue.externalOrderId);
        issue.inboxId = result?.inboxId ?? null;
        // Gone since it was listed, or this very content already failed (it is in the dead-letter
        // queue): backfilling again would change nothing, a human should look.
        if (!result || result.status === 'dead') issue.action = 'flagged';
      }
    } else if (!heal) {
      for (const issue of issues) if (issue.action === 'backfilled') issue.action = 'reported';
    }
    ctx.counts.healed += issues.filter((i) => i.action === 'backfilled').length;
    ctx.counts.flagged += issues.filter((i) => i.action === 'flagged').length;
    await ctx.recordOrderIssues(issues);
    await ctx.progress();
  }
}

async function compare(deps: ReconcileDeps, connectorId: string, channel: string, page: readonly ChannelOrderSummary[]): Promise<OrderIssueInput[]> {
  if (page.length === 0) return [];
  const ids = page.map((o) => o.externalOrderId);
  const entity = (id: string) => `${connectorId}:order/${channel}/${id}`;
  const [orders, versions] = [
    await deps.db.query<{ external_order_id: string; status: string }>(
      'SELECT external_order_id, status FROM sales_order WHERE channel = $1 AND external_order_id = ANY($2::text[])',
      [channel, ids],
    ),
    await deps.db.query<{ entity: string; version: string }>('SELECT entity, version FROM erp_entity_version WHERE entity = ANY($1::text[])', [
      ids.map(entity),
    ]),
  ];
  const status = new Map(orders.rows.map((r) => [r.external_order_id, r.status]));
  const version = new Map(versions.rows.map((r) => [r.entity, r.version]));
  const issues: OrderIssueInput[] = [];
  for (const o of page) {
    const hubStatus = status.get(o.externalOrderId) ?? null;
    const hubVersion = version.get(entity(o.externalOrderId)) ?? null;
    const base = {
      channel,
      externalOrderId: o.externalOrderId,
      orderNumber: o.orderNumber ?? null,
      channelVersion: o.updatedAt,
      hubVersion,
      hubStatus,
      inboxId: null,
    };
    if (hubStatus === null) issues.push({ ...base, issue: 'missing', action: 'backfilled' });
    else if (o.cancelled && hubStatus !== 'cancelled')
      issues.push({ ...base, issue: 'cancelled_in_channel', action: FINAL.has(hubStatus) ? 'flagged' : 'backfilled' });
    else if (!o.cancelled && hubStatus === 'cancelled') issues.push({ ...base, issue: 'cancelled_in_hub', action: 'flagged' });
    else if (hubVersion !== null && compareVersions(o.updatedAt, hubVersion) > 0) issues.push({ ...base, issue: 'outdated', action: 'backfilled' });
  }
  return issues;
}
