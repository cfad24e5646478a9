import { z } from 'zod';
import type { HubConfig } from '../core/config/load.js';
import { flowRouteFor } from '../core/config/flow.js';
import type { FlowKind } from '../core/erp/index.js';
import { RefundSchema, ShipmentSchema, type Refund, type Shipment } from '../core/model/index.js';
import type { Db } from '../core/store/index.js';
import type { BoundConnector } from './bind.js';
import type { FailureTracked } from './failures.js';

interface FlowJobBase extends FailureTracked {
  connectorId: string;
  channel: string;
  externalOrderId: string;
  retry?: { maxBackoffMs: number };
}

/** An allocated order to create (or update) at the 3PL serving `location`. */
export interface PushOrderJobData extends FlowJobBase {
  kind: 'order';
  location: string;
}

/** A confirmed shipment for the carrier to track. */
export interface PushTrackerJobData extends FlowJobBase {
  kind: 'tracker';
  shipment: Shipment;
}

/** A shipped order to book in accounting; `shippedAt` dates the document. */
export interface PushInvoiceJobData extends FlowJobBase {
  kind: 'invoice';
  shippedAt: string;
}

/** A refund to book in accounting as a credit memo. */
export interface PushCreditMemoJobData extends FlowJobBase {
  kind: 'credit-memo';
  refund: Refund;
}

/** Outbound jobs of the order-to-cash flow, worked by `processOutbound` like availability and fulfilments. */
export type FlowJobData = PushOrderJobData | PushTrackerJobData | PushInvoiceJobData | PushCreditMemoJobData;

export const FLOW_KINDS: readonly FlowKind[] = ['order', 'tracker', 'invoice', 'credit-memo'];

export function isFlowJob(data: { kind: string }): data is FlowJobData {
  return (FLOW_KINDS as readonly string[]).includes(data.kind);
}

const base = { connectorId: z.string().min(1), channel: z.string().min(1), externalOrderId: z.string().min(1) };
/** Flow job payloads as a dead letter holds them (validated before a replay or an edited replay). */
export const FlowJobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('order'), ...base, location: z.string().min(1) }),
  z.object({ kind: z.literal('tracker'), ...base, shipment: ShipmentSchema }),
  z.object({ kind: z.literal('invoice'), ...base, shippedAt: z.string().min(1) }),
  z.object({ kind: z.literal('credit-memo'), ...base, refund: RefundSchema }),
]);

/** Which connector instance takes each flow step, from config and the bound connectors. */
export interface FlowRoutes {
  /** The 3PL serving `location` (its `settings.locations` names it); first by id when several do. */
  threePl(location: string): string | undefined;
  /** The carrier of `flow.carriers` serving the channel and location. */
  carrier(channel: string, location: string | null): string | undefined;
  /** The accounting connector of `flow.accounting` serving the channel. */
  accounting(channel: string, location: string | null): string | undefined;
}

export function flowRoutes(config: Pick<HubConfig, 'flow'>, connectors: ReadonlyMap<string, BoundConnector>): FlowRoutes {
  const pushers = (capability: 'push.order' | 'push.tracker' | 'push.invoice', id: string | undefined) => {
    const bound = id === undefined ? undefined : connectors.get(id);
    return bound?.pushes && bound.can(capability) ? bound.id : undefined;
  };
  const threePls = [...connectors.values()].filter((c) => c.pushes && c.can('push.order')).sort((a, b) => a.id.localeCompare(b.id));
  return {
    threePl: (location) => threePls.find((c) => Object.values((c.instance.settings['locations'] ?? {}) as Record<string, unknown>).includes(location))?.id,
    carrier: (channel, location) => pushers('push.tracker', flowRouteFor(config.flow, 'carriers', channel, location)?.connector),
    accounting: (channel, location) => pushers('push.invoice', flowRouteFor(config.flow, 'accounting', channel, location)?.connector),
  };
}

interface FlowOutboxRow {
  id: number;
  kind: FlowKind;
  channel: string;
  external_order_id: string;
  location: string | null;
  payload: Record<string, unknown> | null;
}

/** The job of an outbox row for the connector routed to it, or undefined when nobody takes that step. */
export function flowJobOf(row: FlowOutboxRow, routes: FlowRoutes): FlowJobData | undefined {
  const ref = { channel: row.channel, externalOrderId: row.external_order_id };
  switch (row.kind) {
    case 'order': {
      const connectorId = row.location === null ? undefined : routes.threePl(row.location);
      return connectorId ? { kind: 'order', connectorId, ...ref, location: row.location! } : undefined;
    }
    case 'tracker': {
      const connectorId = routes.carrier(row.channel, row.location);
      return connectorId ? { kind: 'tracker', connectorId, ...ref, shipment: row.payload as unknown as Shipment } : undefined;
    }
    case 'invoice': {
      const connectorId = routes.accounting(row.channel, row.location);
      return connectorId
        ? { kind: 'invoice', connectorId, ...ref, shippedAt: typeof row.payload?.['shippedAt'] === 'string' ? row.payload['shippedAt'] : '' }
        : undefined;
    }
    case 'credit-memo': {
      const connectorId = routes.accounting(row.channel, row.location);
      return connectorId ? { kind: 'credit-memo', connectorId, ...ref, refund: row.payload as unknown as Refund } : undefined;
    }
  }
}

/**
 * Moves flow_outbox rows to the outbound queues of the connectors routed to them, deleting them
 * in the transaction that read them. Job ids derive from the row id, so a crash between the
 * enqueue and the commit re-sends a job BullMQ already holds, not a second one. A row no
 * connector takes (no 3PL at that location, no accounting route for the channel) is dropped.
 */
export async function relayFlow(
  db: Db,
  routes: FlowRoutes,
  enqueue: (connectorId: string, job: FlowJobData, jobId: string) => Promise<void>,
  limit = 500,
): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<FlowOutboxRow>(
      'SELECT id, kind, channel, external_order_id, location, payload FROM flow_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
      [limit],
    );
    let jobs = 0;
    for (const row of rows) {
      const job = flowJobOf(row, routes);
      if (!job) continue;
      await enqueue(job.connectorId, job, `flow-${row.id}`);
      jobs += 1;
    }
    if (rows.length > 0) await tx.query('DELETE FROM flow_outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
    return jobs;
  });
}
