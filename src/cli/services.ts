import { userInfo } from 'node:os';
import { loadConfig } from '../core/config/load.js';
import { createLogger, type Logger } from '../core/logger.js';
import { createHub, type Hub } from '../hub/create-hub.js';

/** Who an operator command acts as, in the audit log. */
export const cliActor = (): string => `cli:${userInfo().username}`;

/** The log of an operator command: warnings and errors on stderr (stdout is the command's output). */
export const cliLogger = (): Logger => createLogger({ level: process.env['LOG_LEVEL'] ?? 'warn', pretty: false, destination: 'stderr' });

/**
 * Builds the hub (config, database, queues, bound connectors) for one operator command, runs it,
 * and closes it. Errors of the `expected` kinds (a bad request, a bad config) print their message
 * and exit 1; others throw.
 */
export async function withServices(
  configFile: string | undefined,
  expected: readonly (abstract new (...args: never[]) => Error)[],
  work: (hub: Hub) => Promise<void>,
): Promise<void> {
  let hub: Hub | undefined;
  try {
    hub = await createHub(loadConfig(configFile), { logger: cliLogger() });
    await work(hub);
  } catch (err) {
    if (expected.some((kind) => err instanceof kind)) {
      console.error((err as Error).message);
      process.exitCode = 1;
      return;
    }
    throw err;
  } finally {
    await hub?.close();
  }
}
