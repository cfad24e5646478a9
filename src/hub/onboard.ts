import { ContractError } from '../core/errors.js';
import type { ConnectorCheck, WebhookRegistration } from '../connectors/types.js';
import { recordDelivery } from '../queues/inbox.js';
import { outboundQueue } from '../queues/names.js';
import { reconcileTarget, runReconciliation, type RunTrigger } from '../reconcile/index.js';
import type { HubSnapshot } from './create-hub.js';

/** What `hub connectors check` found for one connector. */
export interface CheckOutcome {
  connectorId: string;
  type: string;
  ok: boolean;
  message: string;
}

/** Probes each enabled connector with a client through its own `check()`; a thrown error is a failed check with its message. */
export async function checkConnectors(hub: Pick<HubSnapshot, 'connectors'>, ids?: readonly string[]): Promise<CheckOutcome[]> {
  const out: CheckOutcome[] = [];
  for (const bound of hub.connectors.values()) {
    if (ids && !ids.includes(bound.id)) continue;
    const client = bound.client();
    if (!client) continue;
    let result: ConnectorCheck;
    try {
      result = client.check ? await client.check() : { ok: true, message: 'no online check for this connector type (nothing to probe)' };
    } catch (err) {
      result = { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    out.push({ connectorId: bound.id, type: bound.definition.type, ...result });
  }
  return out;
}

/** What `hub connectors setup` did, step by step; `null` for a step that did not run, with the reason in `notes`. */
export interface SetupReport {
  connectorId: string;
  check: ConnectorCheck | null;
  catalogue: { deliveries: number; recorded: number; unchanged: number; applied: boolean } | null;
  levels: { runId: number | null; checked: number; drifted: number; unmapped: number } | null;
  webhooks: { url: string; registrations: WebhookRegistration[] } | null;
  /**
   * True when setup paused the connector's outbound queue: on day one (nothing ever pushed) the
   * ledger is empty, and learning the catalogue would push 0 over the shop's real counts before
   * anyone reviewed them. Resume once the ledger is right (the dashboard, or POST /api/connectors/{id}/resume).
   */
  outboundPaused: boolean;
  notes: string[];
}

export interface SetupOptions {
  trigger: RunTrigger;
  /** Longest wait for the workers to apply the catalogue before reading levels (default 120 s). */
  applyTimeoutMs?: number;
}

/**
 * Onboards a store: probes it, feeds its catalogue through the normal intake (inbox, inbound
 * queue, normalizer, ERP), reads its current levels into drift for review (report only: nothing is
 * healed), and subscribes the hub's public URL to the connector's webhook topics. Every step is
 * safe to run again: unchanged products are not recorded twice, existing subscriptions are kept.
 */
export async function setupConnector(hub: HubSnapshot, connectorId: string, options: SetupOptions): Promise<SetupReport> {
  const bound = hub.connectors.get(connectorId);
  const client = bound?.client();
  if (!bound || !client) throw new ContractError(`${connectorId}: not an enabled connector with a client`, { connectorId });
  if (!client.readCatalog && !client.registerWebhooks) {
    throw new ContractError(`${connectorId}: connector type ${bound.definition.type} has no setup (no catalogue export, no webhook registration)`, {
      connectorId,
    });
  }
  const report: SetupReport = { connectorId, check: null, catalogue: null, levels: null, webhooks: null, outboundPaused: false, notes: [] };
  if (client.check) {
    report.check = await client.check();
    if (!report.check.ok) {
      report.notes.push('stopped: the check failed; fix the credentials or scopes and run setup again');
      return report;
    }
  }
  const outbound = hub.queues.get(outboundQueue(connectorId));
  if (bound.pushes && !(await hasPushed(hub, connectorId))) {
    await outbound.pause();
    hub.logger.warn({ connectorId }, 'setup: outbound pushes paused until the levels are reviewed');
  }
  report.outboundPaused = bound.pushes && (await outbound.isPaused());
  if (report.outboundPaused) {
    report.notes.push(
      'outbound: pushes are paused so the hub does not overwrite the shop before you review the levels; bring the ledger in line, then resume the connector',
    );
  }
  if (client.readCatalog) report.catalogue = await intakeCatalogue(hub, connectorId, client.readCatalog(), options.applyTimeoutMs ?? 120_000);
  else report.notes.push('catalogue: this connector type has no catalogue export');

  const target = reconcileTarget(hub.connectors, connectorId);
  if (report.catalogue && !report.catalogue.applied)
    report.notes.push('levels: not read, the catalogue is not applied yet (are workers running?); run setup again');
  else if (target?.client.readStockLevels && target.kinds.includes('stock')) {
    const result = await runReconciliation(
      { db: hub.db, config: hub.config, erp: hub.erp, logger: hub.logger, queues: hub.queues, metrics: hub.metrics },
      target,
      'stock',
      {
        trigger: options.trigger,
        reportOnly: true,
      },
    );
    report.levels = { runId: result.run?.id ?? null, checked: result.counts.checked, drifted: result.counts.drifted, unmapped: result.counts.unmapped };
    if (result.status === 'already_running') report.notes.push(`levels: stock run #${result.run?.id} was already running; its drift is the review`);
  } else report.notes.push('levels: this connector does not read channel stock');

  const publicUrl = hub.config.server.publicUrl;
  const topics = Object.keys(bound.definition.webhooks?.topics ?? {});
  if (!client.registerWebhooks || topics.length === 0) report.notes.push('webhooks: this connector type registers none; subscribe in the channel by hand');
  else if (!publicUrl) report.notes.push(`webhooks: not registered; set server.publicUrl (the URL the channel reaches this hub at) and run setup again`);
  else {
    const url = `${publicUrl.replace(/\/+$/, '')}/webhooks/${encodeURIComponent(connectorId)}`;
    report.webhooks = { url, registrations: await client.registerWebhooks(url, topics) };
  }
  return report;
}

async function hasPushed(hub: HubSnapshot, connectorId: string): Promise<boolean> {
  return (await hub.db.query('SELECT 1 FROM availability_pushed WHERE connector_id = $1 LIMIT 1', [connectorId])).rows.length > 0;
}

/** Records each catalogue delivery in the inbox (deduplicated by its key) and waits until the workers have applied them. */
async function intakeCatalogue(
  hub: HubSnapshot,
  connectorId: string,
  pages: AsyncIterable<{ topic: string; dedupKey: string; body: string }[]>,
  timeoutMs: number,
) {
  const ids: number[] = [];
  let deliveries = 0;
  let unchanged = 0;
  for await (const page of pages) {
    for (const d of page) {
      deliveries += 1;
      const recorded = await recordDelivery(hub.db, { connectorId, dedupKey: d.dedupKey, topic: d.topic, body: d.body });
      ids.push(recorded.id);
      if (recorded.duplicate) unchanged += 1;
      else await hub.queues.enqueueInbound({ inboxId: recorded.id, connectorId, topic: d.topic, body: d.body });
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await hub.db.query<{ waiting: string | number; dead: string | number }>(
      `SELECT count(*) FILTER (WHERE status = 'received') AS waiting, count(*) FILTER (WHERE status = 'dead') AS dead FROM inbox WHERE id = ANY($1::bigint[])`,
      [ids],
    );
    const waiting = Number(rows[0]?.waiting ?? 0);
    if (waiting === 0) {
      const dead = Number(rows[0]?.dead ?? 0);
      if (dead > 0) hub.logger.warn({ connectorId, dead }, 'setup: some catalogue deliveries are dead letters (see hub dlq list)');
      return { deliveries, recorded: deliveries - unchanged, unchanged, applied: true };
    }
    if (Date.now() > deadline) return { deliveries, recorded: deliveries - unchanged, unchanged, applied: false };
    await new Promise((r) => setTimeout(r, 250));
  }
}
