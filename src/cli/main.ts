import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerBenchCommand } from './bench.js';
import { registerConfigCommands } from './config.js';
import { registerDemoCommand } from './demo.js';
import { registerDlqCommands } from './dlq.js';
import { registerErpCommands } from './erp.js';
import { registerMappingsCommands } from './mappings.js';
import { registerNormalizeCommand } from './normalize.js';
import { registerOrderCommand } from './order.js';
import { registerReconcileCommands } from './reconcile.js';
import { registerStartCommand } from './start.js';
import { ConfigError } from '../core/errors.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('hub')
    .description('commerce-hub: connector runtime between storefronts, marketplaces, 3PLs, carriers, accounting and the ERP core')
    .version(pkg.version, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Environment:
  HUB_CONFIG     config file (default config/hub.yaml)
  DATABASE_URL   PostgreSQL URL; without it the embedded PGlite under ./data is used
  REDIS_URL      Redis URL (default redis://127.0.0.1:6379)
  HUB_DB_SCHEMA  PostgreSQL schema to use (default: the server's search_path)
  LOG_LEVEL      pino level (default info)`,
    );
  registerStartCommand(program);
  registerConfigCommands(program);
  registerErpCommands(program);
  registerOrderCommand(program);
  registerDlqCommands(program);
  registerDemoCommand(program);
  registerBenchCommand(program);
  registerNormalizeCommand(program);
  registerReconcileCommands(program);
  registerMappingsCommands(program);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    // A refusal to start (bad config, the embedded database held by another process) is one line, not a stack.
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}

await main();
