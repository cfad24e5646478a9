import Table from 'cli-table3';
import type { Db } from '../core/store/index.js';
import type { DemoEasyPost, DemoEbay, DemoQuickBooks, DemoShipStation, DemoSimulator } from './demo-sim.js';

/** What the demo shows, printed before it starts. */
export const DEMO_INTRO = `
What this demo shows
  A Shopify store and an eBay account (polled every second) sell the same catalogue from two
  warehouses. Each order runs the order-to-cash flow, every hop a queued step with retries and a
  dead-letter queue, each exactly once:
    placed -> allocated -> pushed to the ShipStation 3PL (wh-east) -> shipped (SHIP_NOTIFY) ->
    fulfilment with tracking in the selling channel + EasyPost tracker + QuickBooks invoice or
    sales receipt -> delivered (EasyPost tracker.updated) -> closed.
  The own warehouse (wh-west) ships its orders as canonical events. Customers cancel, return and
  refund; a few deliveries are broken on purpose and land in the dead-letter queue.
`;

/** Why the ship-vs-cancel dead letters are kept, printed with the summary. */
export const DEMO_RACE = `
The ship-vs-cancel race (the illegal_transition dead letters, and a refused fulfilment)
  A customer cancels in the store while the 3PL, which already holds the order, ships it: the two
  cross in flight. The demo forces one such order; its random cancellations may cross the same way.
  Whichever news reaches the hub second is refused: a shipment for a cancelled order, or a
  cancellation of a shipped one (and the store then refuses the fulfilment of its cancelled order).
  Those dead letters are kept for a human, not retried or discarded: goods left the warehouse for
  an order the customer no longer wants, and only a person can choose to intercept the parcel,
  book a return, or reinstate and charge the order. Replaying blindly would invent a sale;
  discarding would lose the shipment from the ledger without a trace.
`;

export interface DemoTotals {
  orders: number;
  ebayOrders: number;
  applied: number;
  matchingBefore: number;
  matching: number;
  skus: number;
  reconcile: string;
  seconds: number;
  settled: boolean;
}

/** The summary table: deliveries, dead letters, the order-to-cash hops per system, stock accuracy. */
export async function demoSummary(
  db: Db,
  t: DemoTotals,
  sims: { shop: DemoSimulator; ebay: DemoEbay; ss: DemoShipStation; ep: DemoEasyPost; qbo: DemoQuickBooks },
): Promise<string> {
  const dead = await db.query<{ code: string; n: number }>(`SELECT error_code AS code, count(*)::int AS n FROM dead_letter GROUP BY 1 ORDER BY 1`);
  const deliveries = await db.query<{ connector: string; n: number }>(`SELECT connector_id AS connector, count(*)::int AS n FROM inbox GROUP BY 1 ORDER BY 1`);
  const hops = await db.query<{ hop: string; n: number }>(`SELECT hop, count(*)::int AS n FROM order_hop GROUP BY 1`);
  const statuses = await db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM sales_order GROUP BY 1 ORDER BY 1`);
  const hop = (name: string) => hops.rows.find((h) => h.hop === name)?.n ?? 0;
  const docs = (kind: string) => sims.qbo.entities.get(kind)?.size ?? 0;
  const pct = (n: number) => `${((n / t.skus) * 100).toFixed(1)}%`;
  const table = new Table({ style: { head: [], border: [] } });
  table.push(
    ['orders placed in the store', String(t.orders)],
    ['orders placed on eBay (polled)', String(t.ebayOrders)],
    ['deliveries accepted', deliveries.rows.map((r) => `${r.connector} ${r.n}`).join(', ')],
    ['canonical events applied', String(t.applied)],
    ['dead letters', dead.rows.length ? dead.rows.map((r) => `${r.code} ${r.n}`).join(', ') : '0'],
    ['orders by status', statuses.rows.map((r) => `${r.status} ${r.n}`).join(', ')],
    ['pushed to the 3PL (ShipStation)', `${hop('pushed')} hops; ${sims.ss.orders.size} orders in ShipStation, ${sims.ss.shipments.length} shipped`],
    ['fulfilments recorded in the store', String(sims.shop.counters.fulfillmentsCreated)],
    ['fulfilments recorded on eBay', String(sims.ebay.store.orders.filter((o) => o.fulfillments.length > 0).length)],
    [
      'carrier trackers (EasyPost)',
      `${hop('tracker')} hops; ${sims.ep.trackers.length} trackers, ${sims.ep.trackers.filter((x) => x.status === 'delivered').length} delivered`,
    ],
    [
      'booked in accounting (QuickBooks)',
      `${hop('invoiced')} hops; ${docs('Invoice')} invoices, ${docs('SalesReceipt')} sales receipts, ${docs('CreditMemo')} credit memos`,
    ],
    ['orders delivered and closed', `${hop('delivered')} shipments delivered, ${hop('closed')} orders closed`],
    ['stock accuracy before reconciliation', `${pct(t.matchingBefore)} (${t.matchingBefore}/${t.skus} SKUs in the store match the ledger)`],
    ['reconciliation', t.reconcile],
    ['stock accuracy, channel web', `${pct(t.matching)} (${t.matching}/${t.skus} SKUs match the ledger)`],
    ['store API calls / throttled', `${sims.shop.counters.requests} / ${sims.shop.counters.throttled}`],
    ['duration', `${t.seconds.toFixed(1)} s${t.settled ? '' : ' (some work was still queued when the summary was taken)'}`],
  );
  return table.toString();
}
