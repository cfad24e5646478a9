import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { exited, runHub, spawnHub } from '../helpers/cli.js';

/** A config whose embedded database lives in a temporary directory. */
function tempConfig(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hub-start-'));
  const file = join(dir, 'hub.yaml');
  writeFileSync(
    file,
    `storage: { dataDir: ${join(dir, 'data')} }\nlocations: [{ id: wh-east, kind: warehouse }]\nchannels: [{ id: web, locations: [wh-east] }]\n`,
  );
  return { dir, file };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('hub start', () => {
  it('starts on the embedded database, answers /healthz and /readyz, and stops cleanly on SIGTERM', async () => {
    const { dir, file } = tempConfig();
    const hub = await spawnHub(['start', '--port', '0'], { HUB_CONFIG: file, DATABASE_URL: undefined }, /hub listening on (http:\/\/[\d.]+:\d+)/);
    children.push(hub.child);
    const url = hub.match[1];
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok', redis: 'ok' });
    expect(existsSync(join(dir, 'data', 'pglite'))).toBe(true);
    hub.child.kill('SIGTERM');
    expect(await exited(hub.child)).toBe(0);
  });

  it('starts its own redis-server with AOF under the data directory when nothing answers', async () => {
    const { dir, file } = tempConfig();
    const port = await freePort();
    const hub = await spawnHub(
      ['start', '--port', '0'],
      { HUB_CONFIG: file, REDIS_URL: `redis://127.0.0.1:${port}` },
      /hub listening on (http:\/\/[\d.]+:\d+)/,
    );
    children.push(hub.child);
    expect(hub.output()).toContain('starting redis-server with AOF');
    const ready = await fetch(`${hub.match[1]}/readyz`);
    expect(ready.status).toBe(200);
    expect(existsSync(join(dir, 'data', 'redis'))).toBe(true);
    hub.child.kill('SIGTERM');
    expect(await exited(hub.child)).toBe(0);
    // The hub's own redis-server stops with it.
    const probe = await fetch(`http://127.0.0.1:${port}`).then(
      () => 'answers',
      () => 'closed',
    );
    expect(probe).toBe('closed');
  });

  it('fails in one line when the port is taken, stops the redis-server it started, and exits 1', async () => {
    const { dir, file } = tempConfig();
    const redisPort = await freePort();
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    writeFileSync(file, `server: { host: 127.0.0.1 }\n${readFileSync(file, 'utf8')}`);
    try {
      const result = await runHub(['start', '--port', String(port)], { HUB_CONFIG: file, REDIS_URL: `redis://127.0.0.1:${redisPort}`, LOG_LEVEL: 'error' });
      expect(result.code).toBe(1);
      const lines = (result.stdout + result.stderr).trim().split('\n');
      expect(lines).toEqual([
        `hub all did not start: port ${port} is already in use on 127.0.0.1; stop the other process or choose another port (--port, PORT or server.port)`,
      ]);
      expect(existsSync(join(dir, 'data', 'redis'))).toBe(true);
      // The redis-server the hub started for itself is gone with it.
      const probe = await fetch(`http://127.0.0.1:${redisPort}`).then(
        () => 'answers',
        () => 'closed',
      );
      expect(probe).toBe('closed');
    } finally {
      taken.close();
    }
  });

  it('explains how to start Redis when none answers and redis-server is not installed', async () => {
    const { file } = tempConfig();
    const port = await freePort();
    const result = await runHub(['start', '--port', '0'], {
      HUB_CONFIG: file,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      PATH: mkdtempSync(join(tmpdir(), 'empty-path-')),
      LOG_LEVEL: 'info',
    });
    expect(result.code).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output).toContain(`Redis does not answer at redis://127.0.0.1:${port}`);
    expect(output).toContain('redis-server --daemonize yes');
    expect(output).toContain('docker compose up -d redis');
  });
});
