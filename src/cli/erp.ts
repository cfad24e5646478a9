import { readFileSync } from 'node:fs';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { loadConfig, type HubConfig } from '../core/config/load.js';
import { ConfigError, HubError, isRetryable } from '../core/errors.js';
import { applyEventsTx, describeLedgerIssue, getInventory, ledgerStats, verifyLedger, type ErpContext } from '../core/erp/index.js';
import { CanonicalEventSchema, formatIssues, zodIssues, type CanonicalEvent } from '../core/model/index.js';
import type { ApplyOutcome } from '../core/erp/types.js';
import type { Db } from '../core/store/index.js';
import { createHub } from '../hub/create-hub.js';
import { cliLogger } from './services.js';
import { tableStyle } from './style.js';

interface Opened {
  db: Db;
  erp: ErpContext;
  close(): Promise<void>;
}

/**
 * The hub (config, database, ERP context) for one command, built by the composition root.
 * `DATABASE_URL` picks PostgreSQL (with `HUB_DB_SCHEMA` as the schema, for tests and side-by-side
 * installs); otherwise the embedded database under `storage.dataDir`.
 */
async function open(configFile: string | undefined): Promise<Opened | undefined> {
  let config: HubConfig;
  try {
    config = loadConfig(configFile);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exitCode = 1;
    return undefined;
  }
  const hub = await createHub(config, { logger: cliLogger() });
  return { db: hub.db, erp: hub.erp(), close: () => hub.close() };
}

const MAX_ATTEMPTS = 5;
/** Events applied in one transaction, as the inbound workers do (see `applyEventsTx`). */
const APPLY_BATCH = 100;

/** One line of the file, parsed and validated. */
function parseLine(text: string): CanonicalEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new HubLineError(`invalid JSON: ${(err as Error).message}`);
  }
  const parsed = CanonicalEventSchema.safeParse(raw);
  if (!parsed.success) throw new HubLineError(`invalid event: ${formatIssues(zodIssues(parsed.error)).replaceAll('\n', '; ')}`);
  return parsed.data;
}

/** Carries a dry run's outcomes out of the transaction it rolls back. */
class DryRunRollback extends Error {
  constructor(readonly outcomes: ApplyOutcome[]) {
    super('dry run');
  }
}

/**
 * Applies valid lines together, in order, in one transaction through the same set-based path as
 * the inbound workers. An event refused for good is reported on its line and the batch runs again
 * without it; contention is retried as a worker would. Answers a result (or an error) per line.
 */
async function applyLines(
  db: Db,
  lines: { n: number; event: CanonicalEvent }[],
  erp: ErpContext,
  dryRun: boolean,
): Promise<Map<number, string | HubLineError>> {
  const results = new Map<number, string | HubLineError>();
  let todo = lines;
  for (let attempt = 1; todo.length > 0; attempt++) {
    let current = -1;
    let outcomes: ApplyOutcome[];
    try {
      outcomes = await db.transaction(async (tx) => {
        const out = await applyEventsTx(
          tx,
          todo.map((l) => l.event),
          erp,
          (i) => (current = i),
        );
        if (dryRun) throw new DryRunRollback(out);
        return out;
      });
    } catch (err) {
      if (err instanceof DryRunRollback) outcomes = err.outcomes;
      else if (err instanceof HubError && isRetryable(err) && attempt < MAX_ATTEMPTS) continue;
      else if (err instanceof HubError && current >= 0) {
        const { n, event } = todo[current]!;
        results.set(n, new HubLineError(`${event.type} ${event.idempotencyKey}: ${err.code}${err.field ? ` at ${err.field}` : ''}: ${err.message}`));
        todo = todo.filter((_, i) => i !== current);
        attempt = 0;
        continue;
      } else throw err;
    }
    todo.forEach(({ n, event }, i) => {
      const outcome = outcomes[i]!;
      const extra = outcome.message ? ` (${outcome.message})` : '';
      results.set(n, `${outcome.status}${dryRun ? ' (dry run)' : ''} ${event.type} ${event.idempotencyKey}${extra}`);
    });
    break;
  }
  return results;
}

class HubLineError extends Error {}

const ENV_HELP = `
Environment:
  DATABASE_URL   PostgreSQL URL; without it the embedded PGlite under storage.dataDir is used
  HUB_DB_SCHEMA  PostgreSQL schema to use (created and migrated if missing)`;

export function registerErpCommands(program: Command): void {
  program
    .command('apply <events.jsonl>')
    .addHelpText('after', ENV_HELP)
    .description(
      'validate and apply canonical events (one JSON per line) in order, up to 100 per transaction as the workers do; reports each failure with its line number and goes on; exits 1 if any failed',
    )
    .option('-c, --config <file>', 'config file (default $HUB_CONFIG or config/hub.yaml)')
    .option('--dry-run', 'apply the events and roll them back, printing what would happen')
    .action(async (file: string, opts: { config?: string; dryRun?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        console.error(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        process.exitCode = 1;
        return;
      }
      const opened = await open(opts.config);
      if (!opened) return;
      const counts = { applied: 0, duplicate: 0, stale: 0, failed: 0 };
      try {
        const lines = text.split(/\r?\n/);
        for (let start = 0; start < lines.length; start += APPLY_BATCH) {
          const chunk = lines.slice(start, start + APPLY_BATCH).map((line, j) => ({ n: start + j + 1, line }));
          const results = new Map<number, string | HubLineError>();
          const valid: { n: number; event: CanonicalEvent }[] = [];
          for (const { n, line } of chunk) {
            if (line.trim() === '') continue;
            try {
              valid.push({ n, event: parseLine(line) });
            } catch (err) {
              if (!(err instanceof HubLineError)) throw err;
              results.set(n, err);
            }
          }
          for (const [n, r] of await applyLines(opened.db, valid, opened.erp, opts.dryRun === true)) results.set(n, r);
          for (const [n, r] of [...results].sort(([a], [b]) => a - b)) {
            if (r instanceof HubLineError) {
              counts.failed++;
              console.error(`line ${n}: ${r.message}`);
            } else {
              counts[r.split(' ')[0] as 'applied' | 'duplicate' | 'stale']++;
              console.log(`line ${n}: ${r}`);
            }
          }
        }
      } finally {
        await opened.close();
      }
      console.log(`${file}: ${counts.applied} applied, ${counts.duplicate} duplicate, ${counts.stale} stale, ${counts.failed} failed`);
      if (counts.failed > 0) process.exitCode = 1;
    });

  program
    .command('inventory <sku>')
    .addHelpText('after', ENV_HELP)
    .description('balances of a SKU per location and state, and availableToSell per channel; exits 1 for an unknown SKU')
    .option('-c, --config <file>', 'config file (default $HUB_CONFIG or config/hub.yaml)')
    .option('--json', 'print JSON')
    .action(async (sku: string, opts: { config?: string; json?: boolean }) => {
      const opened = await open(opts.config);
      if (!opened) return;
      let view;
      try {
        view = await getInventory(opened.db, sku, opened.erp);
      } finally {
        await opened.close();
      }
      if (!view.known) process.exitCode = 1;
      if (opts.json) {
        console.log(JSON.stringify(view, null, 2));
        return;
      }
      if (!view.known) {
        console.error(`${sku}: unknown SKU`);
        return;
      }
      const header = view.components.length > 0 ? ` (bundle: ${view.components.map((c) => `${c.quantity} x ${c.sku}`).join(', ')})` : '';
      console.log(`${sku}${view.title ? ` ${view.title}` : ''}${header}`);
      const balances = new Table({ head: ['location', 'onHand', 'allocated', 'quarantined', 'inTransit', 'returned', 'available'], ...tableStyle() });
      for (const b of view.locations) balances.push([b.location, b.onHand, b.allocated, b.quarantined, b.inTransit, b.returned, b.available]);
      console.log(balances.toString());
      const ats = new Table({ head: ['channel', 'availableToSell', 'channel reported', 'reported at'], ...tableStyle() });
      for (const a of view.availableToSell) {
        const said = a.reported.map((r) => `${r.quantity} ${r.figure} (${r.connector} @ ${r.location})`);
        ats.push([a.channel, a.available, said.join('\n') || '-', a.reported.map((r) => r.reportedAt).join('\n') || '-']);
      }
      console.log(ats.toString());
    });

  const ledger = program.command('ledger').description('the inventory ledger');
  ledger
    .command('verify')
    .addHelpText('after', ENV_HELP)
    .description('recompute balances from movements; prints offending rows and exits 1, or a one-line summary')
    .option('-c, --config <file>', 'config file (default $HUB_CONFIG or config/hub.yaml)')
    .action(async (opts: { config?: string }) => {
      const opened = await open(opts.config);
      if (!opened) return;
      try {
        const issues = await verifyLedger(opened.db);
        if (issues.length > 0) {
          console.log(`ledger: ${issues.length} problem${issues.length === 1 ? '' : 's'}`);
          for (const i of issues) console.log(`  ${describeLedgerIssue(i)}`);
          process.exitCode = 1;
          return;
        }
        const stats = await ledgerStats(opened.db);
        console.log(`ledger ok: ${stats.balances} balances match ${stats.movements} movements`);
      } finally {
        await opened.close();
      }
    });
}
