#!/usr/bin/env node
// The `hub` command. Runs the compiled dist/ when there is no src/ (an image, an npm install) or
// when dist/ was built after the last change under src/; otherwise the TypeScript sources through
// tsx (a checkout being edited, a fresh clone before `npm run build`). HUB_USE_SOURCES=1 forces tsx.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = `${root}src`;
const dist = `${root}dist/cli/index.js`;
const stamp = `${root}dist/.build-stamp`;

/** Newest modification time of any file under `dir`, stopping early once one is newer than `than`. */
function newerThan(dir, than) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory() ? newerThan(path, than) : statSync(path).mtimeMs > than) return true;
  }
  return false;
}

/** `hub demo` and `hub bench` load the simulators and benchmarks under test/ and bench/, which are TypeScript. */
const needsSources = ['demo', 'bench'].includes(process.argv[2] ?? '');

function useDist() {
  if (!existsSync(dist)) return false;
  if (!existsSync(src) || root.includes('/node_modules/')) return true;
  if (process.env.HUB_USE_SOURCES === '1' || needsSources || !existsSync(stamp)) return false;
  return !newerThan(src, statSync(stamp).mtimeMs);
}

if (useDist()) {
  await import(new URL('../dist/cli/index.js', import.meta.url).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/index.ts', import.meta.url).href);
}
