import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { exclude?: string[] };

/** Files the built image runs: src/ without what tsconfig.build.json leaves out (tests and their helpers). */
function shipped(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) shipped(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  const glob = (g: string) =>
    new RegExp(
      `^${g
        .replace(/\./g, '\\.')
        .replace(/\*\*\//g, '@@')
        .replace(/\*/g, '[^/]*')
        .replace(/@@/g, '(?:.*/)?')}$`,
    );
  const excluded = (build.exclude ?? []).map(glob);
  return out.filter((f) => !excluded.some((re) => re.test(relative(root, f))));
}

const packageOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);

describe('runtime dependencies', () => {
  it('tsx and pino-pretty are development tools, not runtime dependencies', () => {
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
    expect(Object.keys(pkg.dependencies)).not.toContain('pino-pretty');
  });

  it('every package the shipped code imports is a runtime dependency (pino-pretty only loaded when present)', () => {
    const missing: string[] = [];
    for (const file of shipped(join(root, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(/(?:from|import\()\s*'([^.'][^']*)'/g)) {
        const name = packageOf(spec!);
        if (name.startsWith('node:') || builtinModules.includes(name)) continue;
        if (!pkg.dependencies[name]) missing.push(`${relative(root, file)}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
