/**
 * npm run bench (or `hub bench`): every benchmark in one run on this machine, each in its own
 * process so one does not warm or starve the next. Prints the combined JSON report, then a table.
 *   --quick   smaller sizes, for a smoke run
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';

const quick = process.argv.includes('--quick');
const here = fileURLToPath(new URL('.', import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url));

const benches: { name: string; file: string; args: string[] }[] = [
  { name: 'queue', file: 'queue.ts', args: quick ? ['--bare=5000', '--events=1000', '--seconds=3'] : [] },
  { name: 'ledger', file: 'ledger.ts', args: [] },
  { name: 'outbound', file: 'outbound.ts', args: quick ? ['--changes=300', '--spread=2000'] : [] },
  { name: 'reconcile', file: 'reconcile.ts', args: quick ? ['--skus=10000'] : [] },
];

function run(file: string, args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, `${here}${file}`, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      const json = out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1);
      if (code !== 0 || !json) return reject(new Error(`bench/${file} exited with ${code}`));
      resolve(JSON.parse(json));
    });
  });
}

const report: Record<string, unknown> = { startedAt: new Date().toISOString(), quick };
for (const b of benches) {
  if (!existsSync(`${here}${b.file}`)) continue;
  process.stderr.write(`\n== bench ${b.name} ==\n`);
  try {
    report[b.name] = await run(b.file, b.args);
  } catch (err) {
    report[b.name] = { error: (err as Error).message };
  }
}
console.log(JSON.stringify(report, null, 2));

const get = (path: string): string => {
  let node: unknown = report;
  for (const key of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[key];
  return node === undefined ? '-' : typeof node === 'string' ? node : JSON.stringify(node);
};
const table = new Table({ head: ['measure', 'value'], style: { head: [], border: [] } });
table.push(
  ['bare BullMQ no-op jobs/s', get('queue.bareBullmqJobsPerSec')],
  ['hub end to end events/s (1 / 2 workers)', `${get('queue.hubEventsPerSec.oneWorker')} / ${get('queue.hubEventsPerSec.twoWorkers')}`],
  ['ratio to bare BullMQ (1 / 2 workers)', `${get('queue.ratioToBare.oneWorker')} / ${get('queue.ratioToBare.twoWorkers')}`],
  ['ack p50 / p99 ms at 500/s', `${get('queue.fixedRate.ack.p50')} / ${get('queue.fixedRate.ack.p99')}`],
  ['ack to applied p50 / p99 ms at 500/s', `${get('queue.fixedRate.ackToApplied.p50')} / ${get('queue.fixedRate.ackToApplied.p99')}`],
  ['ack p99 / ack to applied p99 ms at 200/s', `${get('queue.fixedRates.1.ack.p99')} / ${get('queue.fixedRates.1.ackToApplied.p99')}`],
  ['API calls per 1,000 changes (100 hot SKUs)', get('outbound.apiCallsPer1000Changes')],
  ['items per call / throttled answers', `${get('outbound.itemsPerCall')} / ${get('outbound.throttledResponses')}`],
  ['reconciliation SKUs/s', get('reconcile.skusPerSec')],
  ['peak RSS MB api / worker', `${get('queue.peakRssMb.api')} / ${get('queue.peakRssMb.worker')}`],
);
console.log(table.toString());
