import type { Command } from 'commander';
import { ConfigError, HubError } from '../core/errors.js';
import { checkConnectors, setupConnector, type SetupReport } from '../hub/onboard.js';
import { withServices } from './services.js';

/** The lines of a setup report, as the CLI prints them. */
export function formatSetup(r: SetupReport): string[] {
  const out: string[] = [`${r.connectorId}: setup`];
  if (r.check) out.push(`  check      ${r.check.ok ? 'ok' : 'FAILED'}: ${r.check.message}`);
  if (r.catalogue) {
    const c = r.catalogue;
    out.push(
      `  catalogue  ${c.deliveries} product(s) read through the bulk export: ${c.recorded} recorded, ${c.unchanged} unchanged since the last setup; ${c.applied ? 'applied' : 'still waiting for the workers'}`,
    );
  }
  if (r.levels)
    out.push(
      `  levels     ${r.levels.checked} SKU(s) compared, ${r.levels.drifted} differ, ${r.levels.unmapped} unmapped (nothing healed${r.levels.runId ? `; review: hub reconcile runs, run #${r.levels.runId}` : ''})`,
    );
  if (r.webhooks) {
    out.push(`  webhooks   ${r.webhooks.url}`);
    for (const w of r.webhooks.registrations) out.push(`    ${w.topic.padEnd(24)} ${w.status}${w.message ? `: ${w.message}` : ''}`);
  }
  if (r.outboundPaused) out.push(`  outbound   PAUSED until you review the levels (resume: dashboard, or POST /api/connectors/${r.connectorId}/resume)`);
  for (const n of r.notes) out.push(`  note: ${n}`);
  return out;
}

export function registerConnectorsCommands(program: Command): void {
  const connectors = program.command('connectors').description('probe connectors (check) and onboard a store (setup)');
  connectors
    .command('check [ids...]')
    .description('probe each enabled connector (or these) with one authenticated read; prints ok or failed with the reason, exit 1 on any failure')
    .option('-c, --config <file>', 'config file (default $HUB_CONFIG or config/hub.yaml)')
    .option('--json', 'print JSON')
    .action((ids: string[], o: { config?: string; json?: boolean }) =>
      withServices(o.config, [ConfigError], async (hub) => {
        const unknown = ids.filter((id) => !hub.connectors.has(id));
        if (unknown.length)
          throw new ConfigError(`not enabled connectors: ${unknown.join(', ')}; choose from: ${[...hub.connectors.keys()].join(', ') || '(none enabled)'}`);
        const results = await checkConnectors(hub, ids.length ? ids : undefined);
        if (results.some((r) => !r.ok)) process.exitCode = 1;
        if (o.json) return console.log(JSON.stringify(results, null, 2));
        if (results.length === 0) console.log('no enabled connector has a client to check');
        for (const r of results) console.log(`${r.connectorId} (${r.type}): ${r.ok ? 'ok' : 'failed'}: ${r.message}`);
      }),
    );
  connectors
    .command('setup <id>')
    .description(
      'onboard a store: check it, read its catalogue through the bulk export into the ERP (through the normal intake), read its levels into drift for review (nothing healed), ' +
        'and subscribe <server.publicUrl>/webhooks/<id> to its webhook topics; safe to run again. Workers must be running (hub start or hub worker)',
    )
    .option('-c, --config <file>', 'config file (default $HUB_CONFIG or config/hub.yaml)')
    .option('--json', 'print JSON')
    .option('--wait <seconds>', 'longest wait for the workers to apply the catalogue (default 120)', (v) => Number(v))
    .action((id: string, o: { config?: string; json?: boolean; wait?: number }) =>
      withServices(o.config, [ConfigError, HubError], async (hub) => {
        const report = await setupConnector(hub.snapshot(), id, { trigger: 'cli', applyTimeoutMs: (o.wait ?? 120) * 1000 });
        const failed =
          (report.check && !report.check.ok) || report.catalogue?.applied === false || report.webhooks?.registrations.some((w) => w.status === 'failed');
        if (failed) process.exitCode = 1;
        if (o.json) return console.log(JSON.stringify(report, null, 2));
        console.log(formatSetup(report).join('\n'));
      }),
    );
}
