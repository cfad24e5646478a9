import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { dirname } from 'node:path';
import { configPath, parseConfig } from '../core/config/load.js';
import { configWarnings } from '../core/config/warnings.js';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('work with the hub configuration');
  config
    .command('validate [file]')
    .description(
      'check a config file (structure, references between its parts, value maps, tokens); prints every problem with the path of its key and exits 1 if any. ' +
        'An unset ${VAR} is a note, not a problem: only `hub start` needs the values (--require-env makes it a problem)',
    )
    .option('--require-env', 'treat an unset ${VAR} as a problem, as `hub start` does')
    .action((file: string | undefined, opts: { requireEnv?: boolean }) => {
      const path = configPath(file);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        console.error(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        process.exit(1);
      }
      const result = parseConfig(text, process.env, dirname(path), { missingEnv: opts.requireEnv ? 'error' : 'note' });
      for (const note of result.notes) console.error(`${path}: note: ${note.path}: ${note.message}`);
      if (!result.ok) {
        console.error(`${path}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}`);
        for (const issue of result.issues) console.error(`  ${issue.path}: ${issue.message}`);
        process.exit(1);
      }
      const c = result.config;
      for (const warning of configWarnings(c, new Date())) console.error(`${path}: warning: ${warning}`);
      console.log(
        `${path}: valid (${c.locations.length} locations, ${c.channels.length} channels, ` +
          `${c.connectors.length} connectors, ${c.auth.tokens.length} API tokens)` +
          (result.notes.length ? `; ${result.notes.length} environment variable(s) to set before hub start` : ''),
      );
    });
}
