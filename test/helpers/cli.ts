import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const HUB_BIN = `${ROOT}bin/hub.js`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `hub <args>` as a user would, in the project root, and collects its output. */
export function runHub(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [HUB_BIN, ...args],
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** With HUB_CPU_PROF_DIR set (benchmarks), each hub process writes a V8 CPU profile there when it exits. */
export function cpuProfileArgs(): string[] {
  const dir = process.env['HUB_CPU_PROF_DIR'];
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** Starts a long-running `hub` process; resolves once a line of its output matches `ready`. */
export function spawnHub(
  args: string[],
  env: Record<string, string | undefined>,
  ready: RegExp,
  timeoutMs = 180_000,
): Promise<{ child: ChildProcess; output: () => string; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, [...cpuProfileArgs(), HUB_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hub ${args.join(' ')} not ready within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, output: () => out, match });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub ${args.join(' ')} exited with ${code} before it was ready:\n${out}`));
    });
  });
}

/** Resolves with the exit code once the process has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
