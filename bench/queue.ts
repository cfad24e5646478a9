/**
 * npm run bench:queue — the intake and queue pipeline measured on this machine, in ONE run next to
 * three references measured with the same load generator (a keep-alive http.Agent pool):
 *   - bare BullMQ no-op jobs/s (timer started once the worker is ready);
 *   - a 200-only HTTP responder;
 *   - a bare durable intake (same HTTP stack, group-committed insert, one job per flush, no-op consumer).
 * Then the hub end to end (signed webhook in, ledger applied) with 1 and 2 worker processes, and
 * open-loop fixed rates with latency from the scheduled send. Every phase is warmed up first.
 * Rates are ACHIEVED rates (events counted / seconds until the last was applied).
 * Prints a JSON report. Needs Redis and PostgreSQL (the same as the integration tests).
 *   --bare=20000 --events=4000 --warm-seconds=12 --rates=200,500,1000,2000 --seconds=8
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { signCanonical } from '../src/connectors/canonical/index.js';
import { bullConnection } from '../src/queues/runtime.js';
import { openTestDb, TEST_DATABASE_URL } from '../test/helpers/db.js';
import { CANONICAL_SECRET, REDIS_URL, event } from '../test/helpers/hub.js';
import { ProcessHub } from '../test/helpers/processes.js';
import { cpuProfileArgs } from '../test/helpers/cli.js';
import {
  closedLoop,
  CpuMeter,
  cpuSeconds,
  cpuSecondsByName,
  LoadClient,
  openLoop,
  peakRssMb,
  quantile,
  round,
  selfCpuSeconds,
  type Prepared,
} from './lib/load.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const N_BARE = Number(args.get('bare') ?? 20_000);
const N_E2E = Number(args.get('events') ?? 4_000);
const N_REF = Number(args.get('refs') ?? N_E2E * 2);
/**
 * Seconds of closed-loop load each HTTP server takes before it is measured, the same for the
 * references and the hub. A young Node process spends much of its CPU in the optimizing compiler:
 * measured on this machine, a hub worker spent 25-40 % of its CPU compiling in its first 10 s under
 * load and under 10 % after 12 s. A hub runs for days; its steady state is what is measured.
 */
const WARM_SECONDS = Number(args.get('warm-seconds') ?? 12);
const RATES = (args.get('rates') ?? '200,500,1000,2000').split(',').map(Number);
const RATE_SECONDS = Number(args.get('seconds') ?? 8);
const CONCURRENCY = 8;
/** Inbound jobs each hub worker process runs at once (the config default is 8). */
const WORKER_CONCURRENCY = Number(args.get('worker-concurrency') ?? 8);
/** `hub worker --nice`: the worker processes' CPU priority below the API's (default: the same). */
const WORKER_NICE = args.get('worker-nice');
const PARALLEL = 32;
const log = (s: string) => process.stderr.write(`${s}\n`);
const REF = fileURLToPath(new URL('./lib/reference-server.ts', import.meta.url));

let seq = 0;
/** Signed canonical receipts over 200 SKUs, built before the phase that sends them. */
function receipts(n: number): Prepared[] {
  return Array.from({ length: n }, () => {
    const i = seq++;
    const body = event('inventory.adjusted', { sku: `BENCH-${i % 200}`, location: 'wh-east', delta: 1, reason: 'receipt' });
    const raw = JSON.stringify(body);
    return {
      path: '/webhooks/events',
      headers: {
        'content-type': 'application/json',
        'x-hub-delivery-id': `d-${String(body['id'])}`,
        'x-hub-signature-256': signCanonical(raw, CANONICAL_SECRET),
      },
      body: Buffer.from(raw),
    };
  });
}

/** Closed-loop load for {@link WARM_SECONDS}; resolves with the number of requests sent. */
async function warmUp(client: LoadClient): Promise<number> {
  const until = performance.now() + WARM_SECONDS * 1000;
  let sent = 0;
  do {
    await closedLoop(client, receipts(1000), PARALLEL);
    sent += 1000;
  } while (performance.now() < until);
  return sent;
}

const infra = { postgres: () => cpuSecondsByName('postgres'), redis: () => cpuSecondsByName('redis-server'), generator: selfCpuSeconds };

async function bareBullmq(): Promise<{ jobsPerSec: number; cpuMsPerJob: Record<string, number> }> {
  const prefix = `{bench-${randomUUID().slice(0, 8)}}`;
  const connection = bullConnection(REDIS_URL);
  const queue = new Queue('bench.noop', { connection, prefix });
  const run = async (n: number) => {
    for (let i = 0; i < n; i += 1000) {
      await queue.addBulk(Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ name: 'noop', data: { i: i + j }, opts: { removeOnComplete: true } })));
    }
    let done = 0;
    const worker = new Worker('bench.noop', async () => undefined, { connection, prefix, concurrency: CONCURRENCY, autorun: false });
    await worker.waitUntilReady();
    const finished = new Promise<void>((resolve) =>
      worker.on('completed', () => {
        if (++done === n) resolve();
      }),
    );
    const cpu = new CpuMeter({ bench: selfCpuSeconds, redis: infra.redis }).start();
    const start = performance.now();
    void worker.run();
    await finished;
    const seconds = (performance.now() - start) / 1000;
    const perJob = cpu.perEvent(n);
    await worker.close();
    return { jobsPerSec: n / seconds, cpuMsPerJob: perJob };
  };
  await run(Math.min(2000, N_BARE)); // warm-up
  const r = await run(N_BARE);
  await queue.obliterate({ force: true });
  await queue.close();
  return { jobsPerSec: round(r.jobsPerSec), cpuMsPerJob: r.cpuMsPerJob };
}

function spawnRef(mode: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  // --import tsx keeps the server in THIS child (the tsx CLI would fork another), so its CPU is measured.
  const child = spawn(process.execPath, [...cpuProfileArgs(), '--import', 'tsx', REF, mode], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`reference ${mode} exited with ${code}`)));
  });
}

async function stopRef(child: ChildProcess): Promise<void> {
  child.removeAllListeners('exit');
  await new Promise<void>((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

async function responderRef(): Promise<{ requestsPerSec: number; cpuMsPerRequest: Record<string, number> }> {
  const { child, url } = await spawnRef('responder');
  const client = new LoadClient(url);
  try {
    await warmUp(client);
    const reqs = receipts(N_REF);
    const cpu = new CpuMeter({ responder: () => cpuSeconds(child.pid), generator: selfCpuSeconds }).start();
    const { seconds } = await closedLoop(client, reqs, PARALLEL);
    return { requestsPerSec: round(N_REF / seconds), cpuMsPerRequest: cpu.perEvent(N_REF) };
  } finally {
    client.close();
    await stopRef(child);
  }
}

type AckAtRate = { targetPerSec: number; notAcknowledged: number; ack: { p50: number; p99: number } };

async function intakeRef(): Promise<{ eventsPerSec: number; cpuMsPerEvent: Record<string, number>; fixedRates: AckAtRate[] }> {
  const db = await openTestDb('postgres');
  const { child, url } = await spawnRef('intake', {
    DATABASE_URL: TEST_DATABASE_URL,
    HUB_DB_SCHEMA: db.schema!,
    REDIS_URL,
    PREFIX: `{ref-${randomUUID().slice(0, 8)}}`,
  });
  const client = new LoadClient(url);
  const consumed = async () => ((await (await fetch(`${url}/consumed`)).json()) as { consumed: number }).consumed;
  const until = async (n: number) => {
    while ((await consumed()) < n) await new Promise((r) => setTimeout(r, 20));
  };
  try {
    const warm = await warmUp(client);
    await until(warm);
    const reqs = receipts(N_REF);
    const cpu = new CpuMeter({ intake: () => cpuSeconds(child.pid), ...infra }).start();
    const start = performance.now();
    await closedLoop(client, reqs, PARALLEL);
    await until(warm + N_REF);
    const eventsPerSec = round(N_REF / ((performance.now() - start) / 1000));
    const cpuMsPerEvent = cpu.perEvent(N_REF);
    // The same open-loop rates as the hub's: what the durable insert alone costs an acknowledgement here.
    const fixedRates: AckAtRate[] = [];
    for (const rate of RATES) {
      log(`reference: bare durable intake at ${rate}/s for ${RATE_SECONDS} s`);
      await openLoop(client, receipts(Math.min(rate, 1000)), rate);
      const sent = await openLoop(client, receipts(rate * RATE_SECONDS), rate);
      fixedRates.push({
        targetPerSec: rate,
        notAcknowledged: sent.refused,
        ack: { p50: round(quantile(sent.acks, 0.5), 2), p99: round(quantile(sent.acks, 0.99), 2) },
      });
    }
    return { eventsPerSec, cpuMsPerEvent, fixedRates };
  } finally {
    client.close();
    await stopRef(child);
    await db.close();
  }
}

async function count(hub: ProcessHub, where = `status = 'processed'`): Promise<number> {
  const { rows } = await hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbox WHERE ${where}`);
  return rows[0]?.n ?? 0;
}

/** Until `n` deliveries are done with (processed, or dead-lettered: never waits forever on one). */
async function waitProcessed(hub: ProcessHub, n: number, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await count(hub, `status <> 'received'`)) < n) {
    if (Date.now() > deadline) throw new Error(`only ${await count(hub)} of ${n} processed`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Deliveries applied together share one transaction start (processed_at): a histogram of batch sizes. */
async function batchHistogram(hub: ProcessHub, afterId: number): Promise<Record<string, number>> {
  const { rows } = await hub.db.query<{ size: number; n: number }>(
    `SELECT size, count(*)::int AS n FROM (SELECT count(*)::int AS size FROM inbox WHERE id > $1 AND status = 'processed' GROUP BY processed_at) s GROUP BY size`,
    [afterId],
  );
  const buckets: Record<string, number> = { '1': 0, '2-9': 0, '10-49': 0, '50-99': 0, '100+': 0 };
  for (const r of rows) {
    const k = r.size === 1 ? '1' : r.size < 10 ? '2-9' : r.size < 50 ? '10-49' : r.size < 100 ? '50-99' : '100+';
    buckets[k]! += r.n;
  }
  return buckets;
}

async function maxId(hub: ProcessHub): Promise<number> {
  const { rows } = await hub.db.query<{ id: number | null }>('SELECT max(id)::int AS id FROM inbox');
  return rows[0]?.id ?? 0;
}

async function startHub(workers: number): Promise<{ hub: ProcessHub; client: LoadClient; pids: Record<string, number | undefined> }> {
  const hub = await new ProcessHub().init();
  const api = await hub.spawn('api');
  const pids: Record<string, number | undefined> = { api: api.child.pid };
  for (let i = 0; i < workers; i++)
    pids[`worker${i + 1}`] = (
      await hub.spawn('worker', ['--concurrency', String(WORKER_CONCURRENCY), ...(WORKER_NICE ? ['--nice', WORKER_NICE] : [])])
    ).child.pid;
  return { hub, client: new LoadClient(api.url!), pids };
}

async function endToEnd(workers: number) {
  const { hub, client, pids } = await startHub(workers);
  try {
    const warm = await warmUp(client);
    await waitProcessed(hub, warm);
    const after = await maxId(hub);
    const reqs = receipts(N_E2E);
    const sources: Record<string, () => number | null> = { ...infra };
    for (const [name, pid] of Object.entries(pids)) sources[name] = () => cpuSeconds(pid);
    const cpu = new CpuMeter(sources).start();
    const start = performance.now();
    const { refused } = await closedLoop(client, reqs, PARALLEL);
    await waitProcessed(hub, warm + N_E2E - refused);
    const seconds = (performance.now() - start) / 1000;
    return {
      eventsPerSec: round((N_E2E - refused) / seconds),
      refused,
      cpuMsPerEvent: cpu.perEvent(N_E2E),
      batchSizes: await batchHistogram(hub, after),
      peakRssMb: Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, peakRssMb(pid)])),
    };
  } finally {
    client.close();
    await hub.stop();
  }
}

/** Open loop at fixed rates on one hub (1 worker), warmed up like the others; each rate warmed up, then measured. */
async function fixedRates() {
  const { hub, client } = await startHub(1);
  const out = [];
  try {
    await waitProcessed(hub, await warmUp(client));
    for (const rate of RATES) {
      log(`fixed rate: ${rate}/s for ${RATE_SECONDS} s`);
      await openLoop(client, receipts(Math.min(rate, 1000)), rate);
      await waitProcessed(hub, await count(hub, 'true'));
      const after = await maxId(hub);
      let backlogMax = 0;
      const sampler = setInterval(() => void count(hub, `status = 'received'`).then((n) => (backlogMax = Math.max(backlogMax, n))), 500);
      const sent = await openLoop(client, receipts(rate * RATE_SECONDS), rate);
      clearInterval(sampler);
      const backlogAtEnd = await count(hub, `status = 'received'`);
      const drainStart = performance.now();
      await waitProcessed(hub, await count(hub, 'true'));
      const drainSeconds = (performance.now() - drainStart) / 1000;
      const { rows } = await hub.db.query<{ ms: number }>(
        `SELECT extract(epoch FROM (processed_at - received_at)) * 1000 AS ms FROM inbox
         WHERE id > $1 AND status = 'processed' AND processed_at IS NOT NULL ORDER BY 1`,
        [after],
      );
      const applied = rows.map((r) => Number(r.ms));
      out.push({
        targetPerSec: rate,
        achievedSendPerSec: round((rate * RATE_SECONDS) / sent.seconds),
        sent: rate * RATE_SECONDS,
        notAcknowledged: sent.refused,
        lateSends: sent.lateSends,
        ack: { p50: round(quantile(sent.acks, 0.5), 2), p99: round(quantile(sent.acks, 0.99), 2) },
        ackToApplied: { p50: round(quantile(applied, 0.5), 2), p99: round(quantile(applied, 0.99), 2), rows: applied.length },
        backlog: { max: backlogMax, atEnd: backlogAtEnd, drainSeconds: round(drainSeconds, 2) },
        batchSizes: await batchHistogram(hub, after),
      });
    }
  } finally {
    client.close();
    await hub.stop();
  }
  return out;
}

async function main(): Promise<void> {
  log(`reference: bare BullMQ, ${N_BARE} no-op jobs, concurrency ${CONCURRENCY}`);
  const bare = await bareBullmq();
  log(`reference: 200-only responder, ${N_REF} requests`);
  const responder = await responderRef();
  log(`reference: bare durable intake, ${N_REF} requests`);
  const intake = await intakeRef();
  log(`end to end: ${N_E2E} signed webhooks, 1 worker process`);
  const one = await endToEnd(1);
  log(`end to end: ${N_E2E} signed webhooks, 2 worker processes`);
  const two = await endToEnd(2);
  const rates = await fixedRates();
  const ratio = (x: number, ref: number) => round(x / ref, 3);
  const report = {
    machine: { cpus: cpus().length, node: process.version, loadAverageNote: 'shared machine: compare ratios within this run' },
    workers: { concurrency: WORKER_CONCURRENCY, nice: WORKER_NICE === undefined ? 0 : Number(WORKER_NICE) },
    references: {
      bareBullmqJobsPerSec: bare.jobsPerSec,
      responderRequestsPerSec: responder.requestsPerSec,
      bareDurableIntakeEventsPerSec: intake.eventsPerSec,
      bareDurableIntakeAtFixedRates: intake.fixedRates,
    },
    hubEventsPerSec: { oneWorker: one.eventsPerSec, twoWorkers: two.eventsPerSec },
    ratios: {
      toBareDurableIntake: { oneWorker: ratio(one.eventsPerSec, intake.eventsPerSec), twoWorkers: ratio(two.eventsPerSec, intake.eventsPerSec) },
      toBareBullmq: { oneWorker: ratio(one.eventsPerSec, bare.jobsPerSec), twoWorkers: ratio(two.eventsPerSec, bare.jobsPerSec) },
      toResponder: { oneWorker: ratio(one.eventsPerSec, responder.requestsPerSec), twoWorkers: ratio(two.eventsPerSec, responder.requestsPerSec) },
    },
    cpuMsPerEvent: {
      hubOneWorker: one.cpuMsPerEvent,
      hubTwoWorkers: two.cpuMsPerEvent,
      bareDurableIntake: intake.cpuMsPerEvent,
      responder: responder.cpuMsPerRequest,
      bareBullmq: bare.cpuMsPerJob,
    },
    batchSizes: { oneWorker: one.batchSizes, twoWorkers: two.batchSizes },
    refused: { oneWorker: one.refused, twoWorkers: two.refused },
    fixedRates: rates,
    peakRssMb: one.peakRssMb,
  };
  console.log(JSON.stringify(report, null, 2));
}

await main();
