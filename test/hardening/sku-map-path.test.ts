import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config/load.js';

const SECRET_LINE = 'root-password-line,hunter2-very-secret';

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'hub-csv-'));
  const configDir = join(root, 'config');
  mkdirSync(configDir);
  const outside = join(root, 'private');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.csv'), `${SECRET_LINE}\nx,y\n`);
  writeFileSync(join(configDir, 'skus.csv'), 'external_sku,sku\nA,SKU-A\n');
  return { root, configDir, outside };
}

const yaml = (csv: string) => `
locations: [{ id: wh, kind: warehouse }]
connectors:
  - id: acme
    type: generic-webhook
    settings:
      verify: { apiKey: { header: X-Key } }
      topic: { value: stock }
      dedup: { header: X-Id }
      skuMap: { csv: ${JSON.stringify(csv)} }
      events: {}
    credentials: { apiKey: "0123456789abcdef0123" }
`;

function issuesOf(csv: string, baseDir: string, env: Record<string, string> = {}) {
  const result = parseConfig(yaml(csv), env, baseDir);
  return result.ok ? [] : result.issues;
}

describe('CSV SKU map path', () => {
  it('reads a map inside the config folder', () => {
    const { configDir } = setup();
    expect(issuesOf('skus.csv', configDir)).toEqual([]);
  });

  it.each([
    ['a relative path climbing out', (_d: ReturnType<typeof setup>) => '../private/secret.csv'],
    ['an absolute path elsewhere', (d: ReturnType<typeof setup>) => join(d.outside, 'secret.csv')],
    ['a system file', () => '/etc/passwd'],
  ])('refuses %s, and never echoes the file', (_what, csvOf) => {
    const d = setup();
    const issues = issuesOf(csvOf(d), d.configDir);
    expect(issues).toEqual([{ path: 'connectors[acme].settings.skuMap.csv', message: expect.stringMatching(/outside the config folder/) }]);
    expect(JSON.stringify(issues)).not.toMatch(/hunter2|root:|root-password/);
  });

  it('refuses a symbolic link in the config folder that points outside it', () => {
    const d = setup();
    symlinkSync(join(d.outside, 'secret.csv'), join(d.configDir, 'link.csv'));
    expect(issuesOf('link.csv', d.configDir)).toEqual([
      { path: 'connectors[acme].settings.skuMap.csv', message: expect.stringMatching(/outside the config folder/) },
    ]);
  });

  it('reads from a directory listed in HUB_MAPPING_DIRS, and a bad header there is reported without its content', () => {
    const d = setup();
    const issues = issuesOf(join(d.outside, 'secret.csv'), d.configDir, { HUB_MAPPING_DIRS: d.outside });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/has no column "external_sku"/);
    expect(issues[0]!.message).not.toMatch(/hunter2|root-password/);
  });
});
