import { userInfo } from 'node:os';
import { openServices, type HubServices } from '../queues/services.js';

/** Who an operator command acts as, in the audit log. */
export const cliActor = (): string => `cli:${userInfo().username}`;

/**
 * Opens config, database and queues for one operator command, runs it, and closes them. Errors of
 * the `expected` kinds (a bad request, a bad config) print their message and exit 1; others throw.
 */
export async function withServices(
  configFile: string | undefined,
  expected: readonly (abstract new (...args: never[]) => Error)[],
  work: (s: HubServices) => Promise<void>,
): Promise<void> {
  let services: HubServices | undefined;
  try {
    services = await openServices({ configFile });
    await work(services);
  } catch (err) {
    if (expected.some((kind) => err instanceof kind)) {
      console.error((err as Error).message);
      process.exitCode = 1;
      return;
    }
    throw err;
  } finally {
    await services?.close();
  }
}
