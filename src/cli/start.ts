import { setPriority } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { startHub, type HubMode } from '../api/server.js';
import { configWarnings } from '../core/config/warnings.js';

interface ProcessOptions {
  config?: string;
  port?: number;
  queues?: string;
  concurrency?: number;
  metricsPort?: number;
  nice?: number;
}

async function run(mode: HubMode, opts: ProcessOptions): Promise<void> {
  const logger = createLogger();
  if (opts.nice !== undefined) {
    try {
      // Lower only (a positive niceness needs no privilege): the API's acknowledgements go first.
      setPriority(opts.nice);
    } catch (err) {
      startFailed(mode, new ConfigError(`--nice ${opts.nice}: ${(err as Error).message}`));
      process.exit(1);
    }
  }
  let hub;
  try {
    hub = await startHub({
      mode,
      configFile: opts.config,
      port: opts.port,
      metricsPort: opts.metricsPort ?? (process.env['METRICS_PORT'] ? Number(process.env['METRICS_PORT']) : undefined),
      logger,
      workers: { queues: opts.queues?.split(',').map((q) => q.trim()), concurrency: opts.concurrency },
    });
  } catch (err) {
    // startHub has already stopped whatever it started (its own redis-server too): say what is wrong, in one line.
    startFailed(mode, err);
    logger.flush();
    // Nothing of ours is left running; do not wait on a library's stray timer.
    process.exit(1);
  }
  const running = hub;
  for (const warning of configWarnings(running.config, new Date())) logger.warn(warning);
  let stopping = false;
  const shutdown = (reason: string, code: number) => {
    if (stopping) {
      // A second signal while stopping: the user means it.
      process.exit(code || 130);
    }
    stopping = true;
    logger.info({ reason }, 'shutting down: finishing active jobs');
    void running.stop().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(code);
      },
      (err: Error) => {
        console.error(`hub ${mode}: stopping failed: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  // A crash after start still stops the workers, the database and an auto-started redis-server.
  process.on('uncaughtException', (err) => {
    console.error(`hub ${mode}: ${err.message}`);
    shutdown('uncaughtException', 1);
  });
}

/** One line on stderr and exit status 1: a ConfigError's message as is, anything else with its error name. */
function startFailed(mode: HubMode, err: unknown): void {
  const message =
    err instanceof ConfigError ? err.message : err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
  console.error(`hub ${mode} did not start: ${message}`);
  if (process.env['LOG_LEVEL'] === 'debug' && err instanceof Error) console.error(err.stack);
}

const int = (v: string) => Number.parseInt(v, 10);

function niceness(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 19) throw new InvalidArgumentError('a whole number from 0 (normal) to 19 (lowest)');
  return n;
}

export function registerStartCommand(program: Command): void {
  const configOption = ['-c, --config <file>', 'config file (default $HUB_CONFIG or config/hub.yaml)'] as const;
  program
    .command('start')
    .description('run the API and the workers in one process (embedded database unless DATABASE_URL is set)')
    .option(...configOption)
    .option('-p, --port <port>', 'HTTP port (default $PORT or server.port)', int)
    .option('--concurrency <n>', 'inbound jobs processed at once', int)
    .action((opts: ProcessOptions) => run('all', opts));
  program
    .command('api')
    .description('run only the HTTP side: webhook intake, ops API, metrics (needs DATABASE_URL)')
    .option(...configOption)
    .option('-p, --port <port>', 'HTTP port (default $PORT or server.port)', int)
    .action((opts: ProcessOptions) => run('api', opts));
  program
    .command('worker')
    .description('run only workers; start as many as you like against one Redis and PostgreSQL (needs DATABASE_URL)')
    .option(...configOption)
    .option('--queues <names>', 'comma-separated: hub.inbound, hub.dead-letter, outbound, relay (default all)')
    .option('--concurrency <n>', 'inbound jobs processed at once (default 8)', int)
    .option('--metrics-port <port>', 'serve /metrics and /healthz on this port (default $METRICS_PORT; none when unset)', int)
    .option('--nice <n>', 'run at this lower CPU priority (0-19), so an API on the same host answers webhooks first', niceness)
    .action((opts: ProcessOptions) => run('worker', opts));
}
