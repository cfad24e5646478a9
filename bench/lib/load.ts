/**
 * The benchmarks' load generator and measuring tools. Requests go over a keep-alive `http.Agent`
 * (a pool of persistent sockets), not `fetch`: fetch costs several no-op jobs of CPU per request
 * and would cap every ratio it measures. Bodies are built and signed before a phase starts.
 */
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';

export interface Prepared {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export const quantile = (sorted: readonly number[], q: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
export const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

/** A keep-alive client bound to one origin. */
export class LoadClient {
  readonly agent: http.Agent;
  private readonly url: URL;
  constructor(origin: string, sockets = 64) {
    this.url = new URL(origin);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  /** Resolves with the status (0 when the connection failed or timed out). */
  send(r: Prepared, timeoutMs = 30_000): Promise<number> {
    return new Promise((resolve) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method: 'POST',
          path: r.path,
          headers: { ...r.headers, 'content-length': String(r.body.length) },
          timeout: timeoutMs,
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', () => resolve(0));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(0));
      req.end(r.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Closed loop: `parallel` senders, each sending its next request when the previous is answered. */
export async function closedLoop(client: LoadClient, requests: readonly Prepared[], parallel = 32): Promise<{ seconds: number; refused: number }> {
  let next = 0;
  let refused = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < requests.length) {
        const r = requests[next++]!;
        if ((await client.send(r)) !== 200) refused += 1;
      }
    }),
  );
  return { seconds: (performance.now() - start) / 1000, refused };
}

/**
 * Open loop at a fixed rate. Latency is measured from each request's SCHEDULED send time, so a
 * generator or server that falls behind shows up in the numbers (no coordinated omission).
 */
export async function openLoop(
  client: LoadClient,
  requests: readonly Prepared[],
  rate: number,
): Promise<{ acks: number[]; refused: number; seconds: number; lateSends: number }> {
  const acks: number[] = [];
  let refused = 0;
  let lateSends = 0;
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < requests.length; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    else if (wait < -5) lateSends += 1;
    inflight.push(
      client.send(requests[i]!).then((status) => {
        if (status === 200) acks.push(performance.now() - due);
        else refused += 1;
      }),
    );
  }
  await Promise.all(inflight);
  return { acks: acks.sort((a, b) => a - b), refused, seconds: (performance.now() - start) / 1000, lateSends };
}

const TICK = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far; null once it is gone. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICK;
  } catch {
    return null;
  }
}

/** CPU seconds of every process with this command name (PostgreSQL backends, redis-server). Shared servers: noisy. */
export function cpuSecondsByName(name: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== name) continue;
      total += cpuSeconds(Number(pid)) ?? 0;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** The generator's own CPU (this process). */
export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU accounting over one phase: per named process, seconds used between start() and stop(). */
export class CpuMeter {
  private readonly before = new Map<string, number>();
  constructor(private readonly sources: Record<string, () => number | null>) {}
  start(): this {
    for (const [k, f] of Object.entries(this.sources)) this.before.set(k, f() ?? 0);
    return this;
  }
  /** CPU ms per event, per process. */
  perEvent(events: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, f] of Object.entries(this.sources)) out[k] = round((((f() ?? 0) - (this.before.get(k) ?? 0)) * 1000) / events, 3);
    return out;
  }
}

export function peakRssMb(pid: number | undefined): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}
