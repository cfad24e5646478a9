import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { waitFor } from '../helpers/hub.js';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisAnswers } from '../../src/queues/redis.js';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A private redis-server with AOF fsync on every write, which the fault test may kill at will. */
export class PrivateRedis {
  private child?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'hub-faults-redis-'));
  port = 0;
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port ||= await freePort();
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
      {
        stdio: 'ignore',
      },
    );
    const child = this.child;
    process.once('exit', () => child.kill('SIGKILL'));
    await waitFor(() => redisAnswers(this.url, 300), 'redis-server');
  }

  /** SIGKILL, then start again on the same port and files: only the AOF brings the queues back. */
  async crash(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    }
    await this.start();
  }

  async stop(): Promise<void> {
    this.child?.kill('SIGKILL');
  }
}

const PG_BIN = existsSync('/usr/lib/postgresql') ? join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql').sort().at(-1) ?? '', 'bin') : '';
const asPostgres = (cmd: string, args: string[]) =>
  process.getuid?.() === 0
    ? spawnSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args], { encoding: 'utf8' })
    : spawnSync(join(PG_BIN, cmd), args, { encoding: 'utf8' });

/** A private PostgreSQL cluster (initdb in a temporary directory) that the fault test restarts. */
export class PrivatePostgres {
  private exitHook = false;
  readonly dir = mkdtempSync(join(tmpdir(), 'hub-faults-pg-'));
  port = 0;
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static available(): boolean {
    return PG_BIN !== '' && existsSync(join(PG_BIN, 'initdb'));
  }

  async start(): Promise<void> {
    if (!this.port) {
      this.port = await freePort();
      if (process.getuid?.() === 0) {
        chmodSync(this.dir, 0o700);
        const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
        const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
        chownSync(this.dir, uid, gid);
      }
      const init = asPostgres('initdb', ['-D', join(this.dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
      if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    }
    if (!this.exitHook) {
      this.exitHook = true;
      process.once('exit', () => void this.stop());
    }
    const start = asPostgres('pg_ctl', [
      '-D',
      join(this.dir, 'data'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`,
      '-l',
      join(this.dir, 'log'),
      '-w',
      'start',
    ]);
    if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr}${start.stdout}`);
  }

  /** An immediate shutdown (no checkpoint: crash recovery on start), then start again. */
  async crash(): Promise<void> {
    asPostgres('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    await this.start();
  }

  async stop(): Promise<void> {
    asPostgres('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  }
}
