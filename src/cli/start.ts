import type { Command } from 'commander';
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
}

async function run(mode: HubMode, opts: ProcessOptions): Promise<void> {
  const logger = createLogger();
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
    if (err instanceof ConfigError) {
      logger.error(err.message);
      logger.flush();
      process.exitCode = 1;
      return;
    }
    throw err;
  }
  const running = hub;
  for (const warning of configWarnings(running.config, new Date())) logger.warn(warning);
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: finishing active jobs');
    void running.stop().then(() => {
      logger.info('stopped');
      logger.flush();
      process.exit(0);
    });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

const int = (v: string) => Number.parseInt(v, 10);

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
    .action((opts: ProcessOptions) => run('worker', opts));
}
