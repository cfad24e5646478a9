import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHub } from '../../src/api/server.js';
import { exposureProblem } from '../../src/core/config/exposure.js';
import { loadConfig } from '../../src/core/config/load.js';
import { createLogger } from '../../src/core/logger.js';

const logger = createLogger({ level: 'silent', pretty: false });
const shipped = join(import.meta.dirname, '../../config/hub.yaml');

function configFile(host: string, token = '${HUB_ADMIN_TOKEN:-local-admin-token-change-me}'): string {
  const dir = mkdtempSync(join(tmpdir(), 'hub-exposure-'));
  const file = join(dir, 'hub.yaml');
  writeFileSync(
    file,
    `server: { host: "${host}", port: 0 }\nstorage: { dataDir: ${join(dir, 'data')} }\nauth:\n  tokens:\n    - { name: admin, role: admin, token: "${token}" }\n`,
  );
  return file;
}

describe('default bind and well-known tokens (finding 14)', () => {
  it('the shipped config and the schema default bind to loopback', () => {
    expect(loadConfig(shipped, {}).server.host).toBe('127.0.0.1');
    const dir = mkdtempSync(join(tmpdir(), 'hub-exposure-'));
    writeFileSync(join(dir, 'hub.yaml'), 'locations: []\n');
    expect(loadConfig(join(dir, 'hub.yaml'), {}).server.host).toBe('127.0.0.1');
  });

  it('refuses to start beyond loopback with the default admin token, naming the variable to set', async () => {
    const file = configFile('0.0.0.0');
    const started = startHub({ configFile: file, env: { HUB_CONFIG: file }, logger, reload: { signal: false, file: false } });
    await expect(started).rejects.toThrow(/refusing to listen on 0\.0\.0\.0.*set HUB_ADMIN_TOKEN/);
  });

  it('the shipped config with HUB_HOST=0.0.0.0 and no HUB_ADMIN_TOKEN is refused the same way', async () => {
    const text = readFileSync(shipped, 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'hub-exposure-'));
    writeFileSync(join(dir, 'hub.yaml'), text.replace('dataDir: ./data', `dataDir: ${join(dir, 'data')}`));
    const started = startHub({ configFile: join(dir, 'hub.yaml'), env: { HUB_HOST: '0.0.0.0', PORT: '0' }, logger, reload: { signal: false, file: false } });
    await expect(started).rejects.toThrow(/set HUB_ADMIN_TOKEN/);
  });

  it('a published example token written literally is refused too; a token of your own or loopback is fine', () => {
    expect(exposureProblem(loadConfig(configFile('0.0.0.0', 'local-admin-token-change-me'), {}))).toMatch(/published example value/);
    expect(exposureProblem(loadConfig(configFile('0.0.0.0'), { HUB_ADMIN_TOKEN: 'a-token-of-my-own-0123456789' }))).toBeUndefined();
    expect(exposureProblem(loadConfig(configFile('127.0.0.1'), {}))).toBeUndefined();
    expect(exposureProblem(loadConfig(configFile('::1'), {}))).toBeUndefined();
  });
});
