import type { HubConfig } from '../core/config/load.js';
import { flowRouteFor } from '../core/config/flow.js';
import type { Queryable } from '../core/store/index.js';

/** A stuck hop of the order-to-cash flow, per channel (one incident, not one per order). */
export interface StuckHopCondition {
  key: string;
  rule: 'stuck-order-hop';
  subject: string;
  message: string;
}

const SHOWN = 5;

/**
 * `alerts.orderFlow`: orders allocated more than `allocatedNotShippedHours` ago that have neither
 * shipped nor been cancelled (saying whether the 3PL holds them), and orders shipped more than
 * `shippedNotInvoicedHours` ago with no invoice, on channels that accounting books (flow.accounting).
 */
export async function stuckOrderHops(db: Queryable, config: HubConfig): Promise<StuckHopCondition[]> {
  const rule = config.alerts?.orderFlow;
  if (!rule) return [];
  const out: StuckHopCondition[] = [];
  const notShipped = await db.query<{ channel: string; refs: string[]; n: number; pushed: number }>(
    `SELECT o.channel, (array_agg(o.external_order_id ORDER BY h.at))[1:${SHOWN}] AS refs, count(*)::int AS n,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM order_hop p WHERE p.order_id = o.id AND p.hop = 'pushed'))::int AS pushed
     FROM sales_order o JOIN order_hop h ON h.order_id = o.id AND h.hop = 'allocated'
     WHERE o.status IN ('allocated', 'partially_shipped') AND h.at < now() - make_interval(secs => $1)
       AND NOT EXISTS (SELECT 1 FROM order_hop s WHERE s.order_id = o.id AND s.hop = 'shipped')
     GROUP BY o.channel ORDER BY o.channel`,
    [rule.allocatedNotShippedHours * 3600],
  );
  for (const r of notShipped.rows) {
    out.push({
      key: `stuck-order-hop:not-shipped:${r.channel}`,
      rule: 'stuck-order-hop',
      subject: r.channel,
      message: `${r.n} order(s) allocated more than ${rule.allocatedNotShippedHours} h ago have not shipped (${r.pushed} of them at a 3PL): ${list(r.channel, r.refs, r.n)}`,
    });
  }
  const notInvoiced = await db.query<{ channel: string; refs: string[]; n: number }>(
    `SELECT o.channel, (array_agg(o.external_order_id ORDER BY s.at))[1:${SHOWN}] AS refs, count(*)::int AS n
     FROM sales_order o JOIN LATERAL (SELECT max(at) AS at FROM order_hop WHERE order_id = o.id AND hop = 'shipped') s ON s.at IS NOT NULL
     WHERE o.status IN ('shipped', 'closed') AND NOT o.invoiced AND s.at < now() - make_interval(secs => $1)
       AND NOT EXISTS (SELECT 1 FROM order_hop i WHERE i.order_id = o.id AND i.hop = 'invoiced')
     GROUP BY o.channel ORDER BY o.channel`,
    [rule.shippedNotInvoicedHours * 3600],
  );
  for (const r of notInvoiced.rows) {
    const booker = flowRouteFor(config.flow, 'accounting', r.channel, null)?.connector;
    if (!booker) continue; // nobody books this channel: nothing is missing
    out.push({
      key: `stuck-order-hop:not-invoiced:${r.channel}`,
      rule: 'stuck-order-hop',
      subject: r.channel,
      message: `${r.n} order(s) shipped more than ${rule.shippedNotInvoicedHours} h ago have no invoice in ${booker}: ${list(r.channel, r.refs, r.n)}`,
    });
  }
  return out;
}

function list(channel: string, refs: string[], n: number): string {
  return refs.map((id) => `${channel}/${id}`).join(', ') + (n > refs.length ? `, and ${n - refs.length} more` : '');
}
