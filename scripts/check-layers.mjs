#!/usr/bin/env node
// The layer rule of shared/ARCHITECTURE.md, checked on resolved import paths:
//   core/model, core/errors, core/logger, core/metrics ← mappings ← connectors ← core/config
//   ← core/store, core/erp ← queues ← reconcile ← hub ← api ← cli
// dependency-cruiser and madge parse TypeScript through its compiler API, which TypeScript 7 no
// longer ships; import specifiers of this code base are plain string literals, so a scan suffices.
// Exit 1 with one line per upward import. Test files are exempt (they may use any layer).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const SRC = join(ROOT, 'src');

/** Layers from the bottom up; a module may import its own layer and those below it. */
const LAYERS = [
  { name: 'model', paths: ['core/model/', 'core/errors.ts', 'core/logger.ts', 'core/metrics.ts', 'core/config/redact.ts'] },
  { name: 'mappings', paths: ['mappings/'] },
  { name: 'connectors', paths: ['connectors/'] },
  { name: 'config', paths: ['core/config/'] },
  { name: 'store', paths: ['core/store/', 'core/audit.ts'] },
  { name: 'erp', paths: ['core/erp/'] },
  { name: 'queues', paths: ['queues/'] },
  { name: 'reconcile', paths: ['reconcile/'] },
  { name: 'hub', paths: ['hub/'] },
  { name: 'api', paths: ['api/'] },
  { name: 'cli', paths: ['cli/'] },
];

/** What each layer may not import even though it sits lower: the ERP core knows no config, mappings or connectors. */
const ALSO_FORBIDDEN = { erp: ['mappings', 'connectors', 'config'], store: ['mappings', 'connectors', 'config'] };

function layerOf(file) {
  const rel = relative(SRC, file).replaceAll('\\', '/');
  let found;
  for (const [rank, layer] of LAYERS.entries()) {
    for (const p of layer.paths) {
      const match = p.endsWith('/') ? rel.startsWith(p) : rel === p;
      // The most specific (longest) match wins: core/config/redact.ts is below core/config/.
      if (match && (!found || p.length > found.p.length)) found = { rank, name: layer.name, p };
    }
  }
  return found;
}

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) yield path;
  }
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const problems = [];
for (const file of files(SRC)) {
  const from = layerOf(file);
  if (!from) continue;
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
    const to = layerOf(target);
    if (!to) continue;
    const upward = to.rank > from.rank;
    const banned = (ALSO_FORBIDDEN[from.name] ?? []).includes(to.name);
    if (upward || banned) problems.push(`${relative(ROOT, file)}: imports ${spec} (${from.name} must not use ${to.name})`);
  }
}
if (problems.length > 0) {
  console.error(`layer rule: ${problems.length} upward import${problems.length === 1 ? '' : 's'} (see shared/ARCHITECTURE.md)\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('layer rule: ok');
