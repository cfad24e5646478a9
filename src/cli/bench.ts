import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

const BENCH = fileURLToPath(new URL('../../bench/all.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

/** `hub bench`: runs bench/all.ts (every benchmark, one JSON report and a table). */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('measure the hub on this machine: queue throughput and latency, ledger, outbound efficiency, reconciliation (needs Redis and PostgreSQL)')
    .option('--quick', 'smaller sizes, for a smoke run')
    .action((o: { quick?: boolean }) => {
      if (!existsSync(BENCH)) {
        console.error('hub bench needs a source checkout (bench/ and the simulators are not in the image).');
        process.exitCode = 1;
        return;
      }
      const child = spawn(process.execPath, [TSX, BENCH, ...(o.quick ? ['--quick'] : [])], { stdio: 'inherit' });
      return new Promise<void>((resolve) =>
        child.once('exit', (code) => {
          process.exitCode = code ?? 1;
          resolve();
        }),
      );
    });
}
