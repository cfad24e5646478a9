/**
 * npm run bench:queue — the queue runtime measured on this machine, side by side in one run:
 *   - bare BullMQ no-op jobs/s on the same Redis (the ceiling);
 *   - hub end-to-end events/s (signed webhook in, ledger applied) with 1 and 2 worker processes;
 *   - ack latency and ack-to-applied latency (p50/p99) at a fixed 500 events/s.
 * Prints a JSON report. Needs Redis and PostgreSQL (the same as the integration tests).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { bullConnection } from '../src/queues/runtime.js';
import { REDIS_URL, event } from '../test/helpers/hub.js';
import { postSigned, ProcessHub } from '../test/helpers/processes.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const N_BARE = Number(args.get('bare') ?? 20_000);
const N_E2E = Number(args.get('events') ?? 4_000);
const RATES = (args.get('rates') ?? '500,200').split(',').map(Number);
const RATE_SECONDS = Number(args.get('seconds') ?? 10);
const CONCURRENCY = 8;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function bareBullmq(): Promise<number> {
  const prefix = `{bench-${randomUUID().slice(0, 8)}}`;
  const connection = bullConnection(REDIS_URL);
  const queue = new Queue('bench.noop', { connection, prefix });
  for (let i = 0; i < N_BARE; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, N_BARE - i) }, (_, j) => ({ name: 'noop', data: { i: i + j }, opts: { removeOnComplete: true } })));
  }
  let done = 0;
  const start = performance.now();
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker('bench.noop', async () => undefined, { connection, prefix, concurrency: CONCURRENCY });
    worker.on('completed', () => {
      done += 1;
      if (done === N_BARE) void worker.close().then(resolve);
    });
  });
  await finished;
  const seconds = (performance.now() - start) / 1000;
  await queue.obliterate({ force: true });
  await queue.close();
  return N_BARE / seconds;
}

function receipt(i: number) {
  return event('inventory.adjusted', { sku: `BENCH-${i % 200}`, location: 'wh-east', delta: 1, reason: 'receipt' });
}

async function processed(hub: ProcessHub): Promise<number> {
  const { rows } = await hub.db.query<{ n: number }>(`SELECT count(*) AS n FROM inbox WHERE status = 'processed'`);
  return rows[0]?.n ?? 0;
}

async function waitProcessed(hub: ProcessHub, n: number, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await processed(hub)) < n) {
    if (Date.now() > deadline) throw new Error(`only ${await processed(hub)} of ${n} processed`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function peakRssMb(pid: number | undefined): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** Closed loop: `parallel` senders as fast as acks come back; throughput until the ledger has applied all. */
async function endToEnd(workers: number): Promise<{ eventsPerSec: number; apiRssMb: number | null; workerRssMb: (number | null)[] }> {
  const hub = await new ProcessHub().init();
  try {
    const api = await hub.spawn('api');
    const ws = [];
    for (let i = 0; i < workers; i++) ws.push(await hub.spawn('worker', ['--concurrency', String(CONCURRENCY)]));
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < N_E2E) {
          const i = next++;
          const body = receipt(i);
          if ((await postSigned(api.url!, body, `b-${body['id']}`)) !== 200) throw new Error('delivery refused');
        }
      }),
    );
    await waitProcessed(hub, N_E2E);
    const seconds = (performance.now() - start) / 1000;
    return { eventsPerSec: N_E2E / seconds, apiRssMb: peakRssMb(api.child.pid), workerRssMb: ws.map((w) => peakRssMb(w.child.pid)) };
  } finally {
    await hub.stop();
  }
}

/** Open loop at a fixed rate: ack latency per request, and ack-to-applied from the inbox timestamps. */
async function fixedRate(rate: number): Promise<{ eventsPerSec: number; sent: number; notAcknowledged: number; ack: { p50: number; p99: number }; ackToApplied: { p50: number; p99: number } }> {
  const hub = await new ProcessHub().init();
  try {
    const api = await hub.spawn('api');
    await hub.spawn('worker', ['--concurrency', String(CONCURRENCY)]);
    const total = rate * RATE_SECONDS;
    const acks: number[] = [];
    let refused = 0;
    const inflight: Promise<void>[] = [];
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const body = receipt(i);
      const sentAt = performance.now();
      inflight.push(
        postSigned(api.url!, body, `r-${body['id']}`).then((status) => {
          // Past saturation a sender sees refused or dropped connections; count them, as it would retry them.
          if (status !== 200) refused += 1;
          else acks.push(performance.now() - sentAt);
        }),
      );
    }
    await Promise.all(inflight);
    await waitProcessed(hub, acks.length);
    const { rows } = await hub.db.query<{ ms: number }>(
      `SELECT extract(epoch FROM (processed_at - received_at)) * 1000 AS ms FROM inbox ORDER BY 1`,
    );
    const applied = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
    acks.sort((a, b) => a - b);
    return {
      eventsPerSec: rate,
      sent: total,
      notAcknowledged: refused,
      ack: { p50: round(quantile(acks, 0.5), 2), p99: round(quantile(acks, 0.99), 2) },
      ackToApplied: { p50: round(quantile(applied, 0.5), 2), p99: round(quantile(applied, 0.99), 2) },
    };
  } finally {
    await hub.stop();
  }
}

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  await redis.ping();
  redis.disconnect();
  process.stderr.write(`bare BullMQ: ${N_BARE} no-op jobs, concurrency ${CONCURRENCY}\n`);
  const bare = await bareBullmq();
  process.stderr.write(`end to end: ${N_E2E} signed webhooks, 1 worker process\n`);
  const one = await endToEnd(1);
  process.stderr.write(`end to end: ${N_E2E} signed webhooks, 2 worker processes\n`);
  const two = await endToEnd(2);
  const rates = [];
  for (const r of RATES) {
    process.stderr.write(`fixed rate: ${r}/s for ${RATE_SECONDS} s\n`);
    rates.push(await fixedRate(r));
  }
  const report = {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    bareBullmqJobsPerSec: round(bare),
    hubEventsPerSec: { oneWorker: round(one.eventsPerSec), twoWorkers: round(two.eventsPerSec) },
    ratioToBare: { oneWorker: round(one.eventsPerSec / bare, 3), twoWorkers: round(two.eventsPerSec / bare, 3) },
    fixedRate: rates[0],
    fixedRates: rates,
    peakRssMb: { api: one.apiRssMb, worker: one.workerRssMb[0] ?? null },
  };
  console.log(JSON.stringify(report, null, 2));
}

await main();
