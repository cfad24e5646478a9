import type { Command } from 'commander';
import { ConfigError, HubError } from '../core/errors.js';
import {
  approveVariance,
  reconcileTarget,
  listVariances,
  ReconcileRequestError,
  rejectVariance,
  reconcileKinds,
  resyncOrders,
  resyncSkus,
  runReconciliation,
  startReconcileRun,
  stockKindOf,
  type ReconcileKind,
  type RunResult,
} from '../reconcile/index.js';
import type { Hub } from '../hub/create-hub.js';
import { cliActor, withServices as withCliServices } from './services.js';
import { driftTable, orderResyncTable, progressReporter, skuResyncTable, summaryTable, unmappedNote, varianceTable } from './reconcile-output.js';

/** Exit code when the same reconciliation is already running elsewhere. */
export const EXIT_ALREADY_RUNNING = 3;

const actor = cliActor;
// Logs go to stderr so that --json output stays parseable.

const EXPECTED = [ConfigError, ReconcileRequestError, HubError];
const withServices = (configFile: string | undefined, work: (s: Hub) => Promise<void>) => withCliServices(configFile, EXPECTED, work);

/** Why an id is not a choice, and what the choices are: enabled connectors that can reconcile; disabled ones said so. */
function choicesOf(s: Hub): string {
  const able = [...s.connectors.values()].filter((b) => reconcileTarget(s.connectors, b.id)).map((b) => b.id);
  const disabled = s
    .current()
    .connectors.filter((c) => c.enabled === false)
    .map((c) => c.id);
  const off = disabled.length ? `; disabled: ${disabled.join(', ')}` : '';
  return able.length
    ? `not a connector that can reconcile; choose one of: ${able.join(', ')}${off}`
    : `no enabled connector can reconcile${off || ' (none is configured)'}`;
}

function targetOf(s: Hub, connectorId: string) {
  const target = reconcileTarget(s.connectors, connectorId);
  if (!target) throw new ConfigError(`${connectorId}: ${choicesOf(s)}`);
  return { target, logger: s.logger };
}

interface ReconcileOptions {
  config?: string;
  stock?: boolean;
  orders?: boolean;
  dryRun?: boolean;
  json?: boolean;
  queue?: boolean;
}

async function reconcileCommand(connectorId: string, o: ReconcileOptions): Promise<void> {
  await withServices(o.config, async (s) => {
    const { target, logger } = targetOf(s, connectorId);
    const stockKind = stockKindOf(target);
    const supported = reconcileKinds(target);
    const wanted: ReconcileKind[] = [];
    if ((o.stock || !o.orders) && stockKind) wanted.push(stockKind);
    if ((o.orders || !o.stock) && supported.includes('orders')) wanted.push('orders');
    if (wanted.length === 0 || (o.stock && !stockKind) || (o.orders && !supported.includes('orders'))) {
      throw new ConfigError(`${connectorId}: connector type ${target.instance.type} can reconcile ${supported.join(', ') || 'nothing'}`);
    }
    if (o.queue) {
      for (const kind of wanted) {
        const started = await startReconcileRun(s.queues, s.connectors, connectorId, kind === 'orders' ? 'orders' : 'stock');
        console.log(
          o.json ? JSON.stringify({ kind, ...started }) : `${kind}: job ${started.jobId}${started.deduplicated ? ' (already queued)' : ''} on hub.reconcile`,
        );
      }
      return;
    }
    const progress = progressReporter(process.stderr.isTTY === true && !o.json);
    const results: RunResult[] = [];
    try {
      for (const kind of wanted) {
        results.push(
          await runReconciliation({ db: s.db, config: s.current(), erp: s.erp(), logger, queues: s.queues }, target, kind, {
            trigger: 'cli',
            dryRun: o.dryRun,
            onProgress: (p) => progress.update(p),
          }),
        );
      }
    } finally {
      progress.stop();
    }
    if (o.json) console.log(JSON.stringify(results, null, 2));
    else {
      console.log(summaryTable(results));
      const drift = driftTable(results);
      if (drift) console.log(drift);
      const unmapped = unmappedNote(results);
      if (unmapped) console.error(unmapped);
      if (o.dryRun) console.log('dry run: nothing was healed, applied or stored');
      for (const r of results.filter((x) => x.status === 'already_running')) {
        console.log(`${r.kind}: run #${r.run?.id} is already running (started ${r.run?.startedAt}, trigger ${r.run?.trigger}); nothing done`);
      }
    }
    if (results.some((r) => r.status === 'already_running')) process.exitCode = EXIT_ALREADY_RUNNING;
  });
}

async function resyncCommand(connectorId: string, o: { config?: string; order?: string[]; sku?: string[]; json?: boolean }): Promise<void> {
  await withServices(o.config, async (s) => {
    if (Boolean(o.order?.length) === Boolean(o.sku?.length)) throw new ConfigError('give --order <id>... or --sku <sku>... (one of them)');
    const { target } = targetOf(s, connectorId);
    if (o.order?.length) {
      const rows = await resyncOrders({ db: s.db, queues: s.queues }, target, o.order);
      console.log(o.json ? JSON.stringify(rows, null, 2) : orderResyncTable(rows));
      if (rows.some((r) => !r.found)) process.exitCode = 1;
    } else {
      const rows = await resyncSkus(s.snapshot(), target, o.sku ?? []);
      console.log(o.json ? JSON.stringify(rows, null, 2) : skuResyncTable(rows));
      if (rows.some((r) => r.outcome === 'unknown')) process.exitCode = 1;
    }
  });
}

const ids = (values: string[]) =>
  values.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new ReconcileRequestError(`"${v}" is not a variance id`, 'invalid');
    return n;
  });

export function registerReconcileCommands(program: Command): void {
  program
    .command('reconcile <connectorId>')
    .description(
      "compare a connector with the ERP core and heal by its reconcile policy: channel stock (or a warehouse's on-hand) and orders; " +
        `exit ${EXIT_ALREADY_RUNNING} when the same reconciliation is already running`,
    )
    .option('-c, --config <file>', 'config file')
    .option('--stock', 'stock only (channel stock, or on-hand for a warehouse connector)')
    .option('--orders', 'orders only')
    .option('--dry-run', 'compare and report: nothing healed, applied or stored')
    .option('--json', 'print the results as JSON')
    .option('--queue', 'start the run on hub.reconcile for the workers instead of running it here')
    .action((connectorId: string, o: ReconcileOptions) => reconcileCommand(connectorId, o));

  program
    .command('resync <connectorId>')
    .description('re-read just these orders (backfilled through the intake) or SKUs (their availableToSell pushed again) from the channel')
    .option('-c, --config <file>', 'config file')
    .option('--order <ids...>', 'external order ids')
    .option('--sku <skus...>', 'ERP SKUs')
    .option('--json', 'print JSON')
    .action((connectorId: string, o: { config?: string; order?: string[]; sku?: string[]; json?: boolean }) => resyncCommand(connectorId, o));

  const variances = program.command('variances').description('warehouse variances above the threshold, waiting for approval');
  variances
    .command('list')
    .description('list variances (awaiting approval unless --status)')
    .option('-c, --config <file>', 'config file')
    .option('--connector <id>', 'connector instance id')
    .option('--status <action>', 'awaiting_approval (default), approved, rejected, stale, superseded, healed')
    .option('--json', 'print JSON')
    .action((o: { config?: string; connector?: string; status?: string; json?: boolean }) =>
      withServices(o.config, async (s) => {
        const rows = await listVariances(s.db, { connectorId: o.connector, action: o.status as never });
        if (o.json) return console.log(JSON.stringify(rows, null, 2));
        console.log(rows.length === 0 ? 'no variances match' : varianceTable(rows));
      }),
    );
  variances
    .command('approve <ids...>')
    .description('apply these variances as cycle counts (audited)')
    .option('-c, --config <file>', 'config file')
    .option('--note <text>', 'why')
    .action((given: string[], o: { config?: string; note?: string }) =>
      withServices(o.config, async (s) => {
        for (const id of ids(given)) {
          const v = await approveVariance(s.snapshot(), id, actor(), o.note).catch((err: Error) => err);
          if (v instanceof Error) {
            console.log(`${id}: ${v.message}`);
            process.exitCode = 1;
          } else
            console.log(
              `${id}: ${v.action === 'approved' ? `applied: ${v.sku} at ${v.location} ${v.expected} -> ${v.channelValue}` : `${v.action}: ${v.decisionNote ?? ''}`}`,
            );
          if (!(v instanceof Error) && v.action !== 'approved') process.exitCode = 1;
        }
      }),
    );
  variances
    .command('reject <ids...>')
    .description('keep the ledger as it is for these variances (audited)')
    .requiredOption('--reason <text>', 'why')
    .option('-c, --config <file>', 'config file')
    .action((given: string[], o: { config?: string; reason: string }) =>
      withServices(o.config, async (s) => {
        for (const id of ids(given)) {
          const v = await rejectVariance(s.db, id, actor(), o.reason).catch((err: Error) => err);
          console.log(`${id}: ${v instanceof Error ? v.message : 'rejected'}`);
          if (v instanceof Error) process.exitCode = 1;
        }
      }),
    );
}
