import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

/** What a lock file says about its holder. */
interface LockHolder {
  pid: number;
  command: string;
  /** Start time of the holder from /proc (Linux), so a recycled pid is not mistaken for the holder. */
  started?: string;
  at: string;
}

/** A held lock on an embedded data directory; `release` is idempotent. */
export interface DataDirLock {
  readonly path: string;
  release(): void;
}

const LOCK_FILE = 'pglite.lock';

function processStart(pid: number): string | undefined {
  try {
    // Field 22 of /proc/<pid>/stat (after the parenthesised command name) is the start time in ticks.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isAlive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = processStart(holder.pid);
  return holder.started === undefined || started === undefined || started === holder.started;
}

function readHolder(path: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' ? { command: 'hub', at: '', ...parsed, pid: parsed.pid } : null;
  } catch {
    return null;
  }
}

function defaultCommand(): string {
  const sub = process.argv[2];
  return sub && /^[a-z][a-z-]*$/.test(sub) ? `hub ${sub}` : 'hub';
}

/**
 * Takes the lock of an embedded (PGlite) data directory: PGlite is single-process, and a second
 * process opening the same files silently loses its writes. The lock is a file holding the pid;
 * a lock whose process is gone is stale and taken over. Released on `release()` and at exit.
 * Throws a ConfigError naming the holder when another live process holds the directory.
 */
export function lockDataDir(dataDir: string, command = defaultCommand()): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, command, started: processStart(process.pid), at: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(path);
      if (holder && isAlive(holder)) {
        throw new ConfigError(`${holder.command} (pid ${holder.pid}) holds ${dataDir}; stop it or use DATABASE_URL`);
      }
      // Stale (its process is gone) or unreadable (a crash mid-write): take it over.
      try {
        unlinkSync(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off('exit', release);
      // Only our own lock is removed: a takeover after a pause must not lose its file.
      if (readHolder(path)?.pid === process.pid) {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      }
    };
    process.on('exit', release);
    return { path, release };
  }
  throw new ConfigError(`cannot take the lock of ${dataDir}: another process keeps replacing ${path}`);
}
