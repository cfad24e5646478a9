import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate } from '../../src/core/store/index.js';
import { createPgliteDb } from '../../src/core/store/pglite.js';
import { pgliteTemplate } from '../../src/core/store/pglite-template.js';

describe('PGlite template', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hub-template-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const migrations = listMigrations();
  const template = pgliteTemplate('test-version', migrations, { HUB_PGLITE_TEMPLATE_DIR: dir })!;

  it('keeps the first migrated database as a template, and a new database loaded from it has the schema and no rows', async () => {
    const first = await createPgliteDb(undefined, { template });
    expect((await migrate(first, migrations)).length).toBe(migrations.length);
    await first.saveTemplate();
    await first.close();
    expect(existsSync(template.path)).toBe(true);

    const loaded = await createPgliteDb(join(dir, 'data'), { template });
    expect(await migrate(loaded, migrations)).toEqual([]);
    expect((await loaded.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations')).rows[0]!.n).toBe(migrations.length);
    expect((await loaded.query('SELECT 1 FROM inventory_movement')).rowCount).toBe(0);
    await loaded.close();
  });

  it('makes a new template when a migration changes', () => {
    const changed = migrations.map((m, i) => (i === migrations.length - 1 ? { ...m, sql: `${m.sql}\n-- changed` } : m));
    expect(pgliteTemplate('test-version', changed, { HUB_PGLITE_TEMPLATE_DIR: dir })!.key).not.toBe(template.key);
    expect(pgliteTemplate('other-version', migrations, { HUB_PGLITE_TEMPLATE_DIR: dir })!.key).not.toBe(template.key);
    expect(pgliteTemplate('test-version', migrations, { HUB_PGLITE_TEMPLATE_DIR: 'off' })).toBeUndefined();
  });
});
