import { readFileSync } from 'node:fs';
import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import { ConfigError } from '../core/errors.js';
import { parseJsonPreservingIds } from '../connectors/http/json.js';
import { getDeadLetter, listDeadLetters, type DeadLetterFilter } from '../queues/dead-letter-store.js';
import { STEPS, type Step } from '../queues/names.js';
import { discardDeadLetters, replayDeadLetters, ReplayRequestError } from '../queues/replay.js';
import type { Hub } from '../hub/create-hub.js';
import { tableStyle } from './style.js';
import { cliActor, withServices as withCliServices } from './services.js';

interface FilterOptions {
  config?: string;
  connector?: string;
  error?: string;
  type?: string;
  step?: string;
  since?: string;
  until?: string;
  order?: string;
  sku?: string;
  status?: string;
  json?: boolean;
}

const actor = cliActor;

function filterOf(o: FilterOptions): DeadLetterFilter {
  if (o.step && !STEPS.includes(o.step as Step)) throw new ReplayRequestError(`--step must be one of ${STEPS.join(', ')}`);
  for (const [name, value] of [
    ['since', o.since],
    ['until', o.until],
  ] as const) {
    if (value && Number.isNaN(Date.parse(value))) throw new ReplayRequestError(`--${name} must be an ISO 8601 time, got "${value}"`);
  }
  return {
    connector: o.connector,
    error: o.error,
    type: o.type,
    step: o.step as Step | undefined,
    since: o.since,
    until: o.until,
    order: o.order,
    sku: o.sku,
    status: (o.status as DeadLetterFilter['status']) ?? undefined,
  };
}

const withServices = (configFile: string | undefined, work: (s: Hub) => Promise<void>) => withCliServices(configFile, [ConfigError, ReplayRequestError], work);

const ids = (values: string[]) =>
  values.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new ReplayRequestError(`"${v}" is not a dead-letter id`);
    return n;
  });

function addFilters(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'config file')
    .option('--connector <id>', 'connector instance id')
    .option('--error <name>', 'error class (MappingError) or code (unknown_sku)')
    .option('--type <eventType>', 'canonical event type, e.g. order.upserted')
    .addOption(new Option('--step <step>', 'failed step').choices(STEPS))
    .option('--since <iso>', 'created at or after')
    .option('--until <iso>', 'created before')
    .option('--order <id>', 'external order id or order number')
    .option('--sku <sku>', 'SKU');
}

export function registerDlqCommands(program: Command): void {
  const dlq = program.command('dlq').description('inspect, replay and discard dead letters (failed syncs)');

  addFilters(dlq.command('list'))
    .description('list dead letters, newest first')
    .addOption(new Option('--status <status>', 'entries in this state (default open)').choices(['open', 'replayed', 'discarded', 'all']))
    .option('--limit <n>', 'entries per page (default 50)', (v) => Number(v))
    .option('--before <id>', 'continue after this id (from the previous page)', (v) => Number(v))
    .option('--json', 'print JSON')
    .action((o: FilterOptions & { limit?: number; before?: number }) =>
      withServices(o.config, async (s) => {
        const page = await listDeadLetters(s.db, filterOf(o), { limit: o.limit, before: o.before });
        if (o.json) return console.log(JSON.stringify(page, null, 2));
        if (page.items.length === 0) return console.log('no dead letters match');
        const table = new Table({
          head: ['id', 'created', 'connector', 'step', 'error', 'event', 'message'],
          wordWrap: true,
          colWidths: [6, 26, 14, 10, 20, 20, 60],
          ...tableStyle(),
        });
        for (const e of page.items) table.push([e.id, e.createdAt, e.connectorId ?? '', e.step, e.errorCode, e.eventType ?? '', e.message]);
        console.log(table.toString());
        console.log(`${page.items.length} of ${page.total}${page.nextBefore ? ` (next page: --before ${page.nextBefore})` : ''}`);
      }),
    );

  dlq
    .command('show <id>')
    .description('show one dead letter: error, attempts, payload and event')
    .option('-c, --config <file>', 'config file')
    .option('--json', 'print JSON')
    .action((id: string, o: { config?: string; json?: boolean }) =>
      withServices(o.config, async (s) => {
        const entry = await getDeadLetter(s.db, ids([id])[0]!);
        if (!entry) throw new ReplayRequestError(`dead letter ${id} does not exist`);
        if (o.json) return console.log(JSON.stringify(entry, null, 2));
        console.log(`dead letter ${entry.id} (${entry.status})  ${entry.connectorId ?? '-'}  step ${entry.step}  ${entry.eventType ?? ''}`);
        console.log(`error     ${entry.errorClass} / ${entry.errorCode}: ${entry.message}`);
        console.log(`failed    first ${entry.firstFailedAt}, stored ${entry.createdAt}`);
        for (const a of entry.attempts) console.log(`  attempt ${a.attempt} at ${a.at}: ${a.code}: ${a.message}`);
        if (entry.resolvedAt) console.log(`resolved  ${entry.resolvedAt} by ${entry.resolvedBy}: ${JSON.stringify(entry.resolution)}`);
        console.log('payload\n' + JSON.stringify(entry.payload, null, 2));
        if (entry.event) console.log('event\n' + JSON.stringify(entry.event, null, 2));
      }),
    );

  addFilters(dlq.command('replay [ids...]'))
    .description('send dead letters back to the step that failed (by ids, or every open one matching the filters)')
    .option('--dry-run', 'show what each replay would do, change nothing')
    .option('--edit <file>', 'replay one dead letter with this corrected payload (JSON); the original is kept')
    .option('--json', 'print JSON')
    .action((given: string[], o: FilterOptions & { dryRun?: boolean; edit?: string }) =>
      withServices(o.config, async (s) => {
        const filter = filterOf(o);
        const hasFilter = Object.values(filter).some((v) => v !== undefined);
        if (given.length === 0 && !hasFilter) throw new ReplayRequestError('name dead-letter ids or at least one filter (--connector, --error, ...)');
        const payload = o.edit ? parseJsonPreservingIds(readFileSync(o.edit, 'utf8')) : undefined;
        const results = await replayDeadLetters(s.snapshot(), given.length ? { ids: ids(given) } : { filter }, { actor: actor(), dryRun: o.dryRun, payload });
        // The same exit status with and without --json: scripts read it either way.
        if (results.some((r) => r.verdict === 'refused' || r.verdict === 'not-found')) process.exitCode = 1;
        if (o.json) return console.log(JSON.stringify(results, null, 2));
        for (const r of results) {
          console.log(`${r.id}: ${r.verdict}${r.message ? ` (${r.message})` : ''}`);
          for (const p of r.plan ?? []) {
            console.log(`  event ${p.eventId}: ${p.status}${p.message ? ` (${p.message})` : ''}`);
            for (const m of p.movements) console.log(`    ${m.delta > 0 ? '+' : ''}${m.delta} ${m.sku} ${m.state} at ${m.location} (${m.reason})`);
            for (const c of p.orderChanges) console.log(`    order ${c.channel}/${c.externalOrderId}: ${c.from ?? 'new'} -> ${c.to}`);
          }
        }
      }),
    );

  dlq
    .command('discard <ids...>')
    .description('discard dead letters with a reason (audited)')
    .requiredOption('--reason <text>', 'why they are discarded')
    .option('-c, --config <file>', 'config file')
    .action((given: string[], o: { reason: string; config?: string }) =>
      withServices(o.config, async (s) => {
        const wanted = ids(given);
        const done = await discardDeadLetters(s.db, wanted, o.reason, actor());
        for (const id of wanted) console.log(`${id}: ${done.includes(id) ? 'discarded' : 'not open (already replayed or discarded, or unknown)'}`);
        if (done.length !== wanted.length) process.exitCode = 1;
      }),
    );
}
