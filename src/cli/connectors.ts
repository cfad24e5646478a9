import type { Command } from 'commander';

export function registerConnectorsCommands(program: Command): void {
  program.command('connectors').description('probe connectors (check) and onboard a store (setup)');
}
