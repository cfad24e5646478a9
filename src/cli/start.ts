import type { Command } from 'commander';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { startHub } from '../api/server.js';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the API and the workers in one process (embedded database unless DATABASE_URL is set)')
    .option('-c, --config <file>', 'config file (default $HUB_CONFIG or config/hub.yaml)')
    .option('-p, --port <port>', 'HTTP port (default $PORT or server.port)', (v) => Number(v))
    .action(async (opts: { config?: string; port?: number }) => {
      const logger = createLogger();
      let hub;
      try {
        hub = await startHub({ configFile: opts.config, port: opts.port, logger });
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
      const shutdown = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        void running.stop().then(() => {
          logger.info('stopped');
          logger.flush();
          process.exit(0);
        });
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
}
