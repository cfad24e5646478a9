import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { openDb } from '../../src/core/store/index.js';
import { ROOT, runHub } from '../helpers/cli.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hub-lock-'));
  dirs.push(dir);
  return dir;
}

/** A second process that opens the embedded database in `dataDir` and keeps it open. */
function holdDataDir(dataDir: string): Promise<{ pid: number; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/hardening/hold-data-dir.ts'), dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`holder did not start: ${out}`)), 50_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('holding')) {
        clearTimeout(timer);
        resolve({ pid: child.pid!, stop: () => child.kill('SIGKILL') });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`holder exited ${code}: ${out}`)));
  });
}

/** The pid of a process that has already ended. */
function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  return new Promise((resolve) => child.on('exit', () => resolve(child.pid!)));
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('embedded data directory lock', () => {
  it('refuses a second process with one line naming the holder, and `hub apply` writes nothing', async () => {
    const dataDir = tempDir();
    const holder = await holdDataDir(dataDir);
    try {
      await expect(openDb({ dataDir })).rejects.toThrow(new ConfigError(`hub start (pid ${holder.pid}) holds ${dataDir}; stop it or use DATABASE_URL`));
      const configFile = join(dataDir, 'hub.yaml');
      writeFileSync(configFile, `storage: { dataDir: ${JSON.stringify(dataDir)} }\nlocations: [{ id: wh-east, kind: warehouse }]\n`);
      const events = join(dataDir, 'events.jsonl');
      writeFileSync(
        events,
        JSON.stringify({
          id: 'e1',
          type: 'inventory.adjusted',
          idempotencyKey: 'lock:e1',
          source: { connector: 'cli', connectorType: 'canonical', externalId: 'e1' },
          occurredAt: '2026-01-01T00:00:00Z',
          data: { sku: 'L-1', location: 'wh-east', delta: 3, reason: 'count' },
        }) + '\n',
      );
      const res = await runHub(['apply', events, '-c', configFile], { DATABASE_URL: '' });
      expect(res.code).toBe(1);
      expect(res.stderr.trim()).toBe(`hub start (pid ${holder.pid}) holds ${dataDir}; stop it or use DATABASE_URL`);
      expect(res.stdout).not.toMatch(/applied/);
    } finally {
      holder.stop();
    }
  });

  it('takes over a lock whose process is gone, and releases it on close', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'pglite.lock'), JSON.stringify({ pid: await deadPid(), command: 'hub start', at: '2026-01-01T00:00:00Z' }));
    const db = await openDb({ dataDir, owner: 'hub test' });
    expect(JSON.parse(readFileSync(join(dataDir, 'pglite.lock'), 'utf8'))).toMatchObject({ pid: process.pid, command: 'hub test' });
    // The same process opening it twice is refused as well: one PGlite per directory.
    await expect(openDb({ dataDir })).rejects.toThrow(`hub test (pid ${process.pid}) holds ${dataDir}`);
    await db.close();
    expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false);
    const again = await openDb({ dataDir });
    await again.close();
  });
});
