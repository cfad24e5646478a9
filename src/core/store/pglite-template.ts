import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Migration } from './migrate.js';

/**
 * A migrated, empty PGlite data directory kept as a gzipped dump, so a new embedded database is
 * loaded (about 1.5 s) instead of initialised and migrated (initdb alone takes 5–12 s on a busy
 * 2-core machine). The key covers PGlite's version and every migration's text: a new migration or
 * a PGlite upgrade makes a new template. Only an empty database ever starts from one.
 */
export interface PgliteTemplate {
  key: string;
  path: string;
}

/** `HUB_PGLITE_TEMPLATE_DIR`, else a folder under the OS temporary directory; `off` disables templates. */
export function pgliteTemplate(pgliteVersion: string, migrations: readonly Migration[], env = process.env): PgliteTemplate | undefined {
  const dir = env['HUB_PGLITE_TEMPLATE_DIR'] ?? join(tmpdir(), 'commerce-hub-pglite');
  if (dir === 'off') return undefined;
  const hash = createHash('sha256').update(pgliteVersion);
  for (const m of migrations) hash.update(`\u0000${m.version}\u0000${m.sql}`);
  const key = hash.digest('hex').slice(0, 16);
  return { key, path: join(dir, `template-${key}.tgz`) };
}

/** The template's dump when it exists and is readable; a missing or unreadable one is simply not used. */
export function readTemplate(template: PgliteTemplate | undefined): Blob | undefined {
  if (!template || !existsSync(template.path)) return undefined;
  try {
    return new Blob([readFileSync(template.path)]);
  } catch {
    return undefined;
  }
}

/** Dumps a freshly migrated database as the template; written beside and renamed, so readers never see half a file. */
export async function writeTemplate(template: PgliteTemplate, pg: Pick<PGlite, 'dumpDataDir'>): Promise<void> {
  try {
    const dump = Buffer.from(await (await pg.dumpDataDir('gzip')).arrayBuffer());
    mkdirSync(join(template.path, '..'), { recursive: true });
    const partial = `${template.path}.${process.pid}.partial`;
    writeFileSync(partial, dump);
    renameSync(partial, template.path);
  } catch {
    // A template is an optimisation: failing to write one changes nothing else.
  }
}
