import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_MODULES } from './commands.js';
import { buildFullProgram, buildProgram } from './main.js';

const usageOf = (c: Command) =>
  [
    c.name(),
    ...(c.options.length ? ['[options]'] : []),
    ...c.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}${a.variadic ? '...' : ''}]`)),
  ].join(' ');

describe('hub commands', () => {
  it('declares every top-level command for --help exactly as its module registers it', async () => {
    const full = await buildFullProgram();
    const registered = full.commands.map((c) => [usageOf(c), c.description()]);
    const declared = COMMAND_MODULES.flatMap((m) => m.commands.map(([usage, description]) => [usage, description]));
    expect(declared).toEqual(registered);
    const light = await buildProgram(['node', 'hub', '--help']);
    expect(light.helpInformation()).toBe(full.helpInformation());
  }, 60_000);

  it('loads only the module of the command asked for', async () => {
    const program = await buildProgram(['node', 'hub', 'config', 'validate', 'x.yaml']);
    expect(program.commands.map((c) => c.name())).toEqual(['config']);
    expect((await buildProgram(['node', 'hub', 'help', 'dlq'])).commands.map((c) => c.name())).toEqual(['dlq']);
  });
});
