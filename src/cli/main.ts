import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { COMMAND_MODULES, declareCommands, moduleOf } from './commands.js';
import { ConfigError } from '../core/errors.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

function baseProgram(): Command {
  return new Command('hub')
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
  LOG_LEVEL      pino level (default info)
  NO_COLOR       set to anything to print without colour (colour is only used on a terminal anyway)`,
    );
}

/**
 * The program for `argv`: only the module of the command asked for is loaded. Without one (`hub`,
 * `hub --help`, `hub --version`, an unknown command) every command is declared from
 * {@link COMMAND_MODULES} and nothing heavy is imported, so help answers at once.
 */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = baseProgram();
  const args = argv.slice(2);
  const name = args[0] === 'help' ? args[1] : args.find((a) => !a.startsWith('-'));
  const wanted = moduleOf(name);
  if (wanted) (await wanted.load())(program);
  else for (const m of COMMAND_MODULES) declareCommands(program, m);
  return program;
}

/** Every command with its options and actions (tests compare it with the light declarations). */
export async function buildFullProgram(): Promise<Command> {
  const program = baseProgram();
  for (const m of COMMAND_MODULES) (await m.load())(program);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  const program = (await buildProgram(argv)).exitOverride();
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
