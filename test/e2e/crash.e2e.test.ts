import { afterEach, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/core/erp/index.js';
import { getPriority } from 'node:os';
import { exited, runHub, spawnHub } from '../helpers/cli.js';
import { event, waitFor } from '../helpers/hub.js';
import { postSigned, ProcessHub } from '../helpers/processes.js';

const receipt = (sku: string) => event('inventory.adjusted', { sku, location: 'wh-east', delta: 1, reason: 'receipt' });

/** Sends `count` single-unit receipts spread over `skus`, `parallel` at a time; returns the acknowledged ones. */
async function send(url: string, count: number, skus: string[], parallel = 10, onAck?: (n: number) => void): Promise<{ id: string; sku: string }[]> {
  const acked: { id: string; sku: string }[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const sku = skus[i % skus.length]!;
      const body = receipt(sku);
      if ((await postSigned(url, body, `d-${String(body['id'])}`)) === 200) {
        acked.push({ id: body['id'] as string, sku });
        onAck?.(acked.length);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return acked;
}

async function expectAllAppliedOnce(hub: ProcessHub, acked: { id: string; sku: string }[]): Promise<void> {
  await waitFor(
    async () => (await hub.db.query<{ n: number }>(`SELECT count(*) AS n FROM inbox WHERE status <> 'processed'`)).rows[0]?.n === 0,
    'every delivery processed',
    60_000,
  );
  const applied = await hub.db.query<{ event_id: string }>('SELECT event_id FROM erp_applied_event');
  const appliedIds = new Set(applied.rows.map((r) => r.event_id));
  const lost = acked.filter((a) => !appliedIds.has(a.id));
  expect(lost).toEqual([]);
  // A delivery recorded just before the kill may have lost only its ack: it counts too, once.
  const recorded = await hub.db.query<{ body: string }>('SELECT body FROM inbox');
  const expected = new Map<string, number>();
  for (const r of recorded.rows) {
    const sku = (JSON.parse(r.body) as { data: { sku: string } }).data.sku;
    expected.set(sku, (expected.get(sku) ?? 0) + 1);
  }
  expect(applied.rows).toHaveLength(recorded.rows.length);
  const { rows } = await hub.db.query<{ sku: string; quantity: number }>(`SELECT sku, quantity FROM inventory_balance WHERE state = 'onHand'`);
  expect(Object.fromEntries(rows.map((r) => [r.sku, r.quantity]))).toEqual(Object.fromEntries(expected));
  expect(await verifyLedger(hub.db)).toEqual([]);
  const dead = await hub.db.query<{ n: number }>('SELECT count(*) AS n FROM dead_letter');
  expect(dead.rows[0]?.n).toBe(0);
}

describe('crashes lose nothing and apply nothing twice', () => {
  let hub: ProcessHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  it('applies every acknowledged delivery exactly once after hub start is killed with SIGKILL right after acks', async () => {
    hub = await new ProcessHub().init();
    const first = await hub.spawn('start');
    let killed = false;
    const acked = await send(first.url!, 200, ['CRASH-A', 'CRASH-B', 'CRASH-C'], 10, (n) => {
      if (n === 120 && !killed) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    });
    expect(killed).toBe(true);
    await exited(first.child);
    expect(acked.length).toBeGreaterThanOrEqual(120);
    const second = await hub.spawn('start');
    acked.push(...(await send(second.url!, 50, ['CRASH-A', 'CRASH-D'])));
    await expectAllAppliedOnce(hub, acked);
  });

  it('two workers share the load (one niced); one killed mid-run leaves its jobs to the other, each applied once', async () => {
    hub = await new ProcessHub().init();
    const api = await hub.spawn('api');
    const w1 = await hub.spawn('worker', ['--concurrency', '4']);
    // The second runs below the API's CPU priority, as on a host the API shares.
    const w2 = await hub.spawn('worker', ['--concurrency', '4', '--nice', '5']);
    expect(getPriority(w2.child.pid)).toBe(getPriority() + 5);
    let killed = false;
    const acked = await send(api.url!, 300, ['TWO-A', 'TWO-B', 'TWO-C', 'TWO-D'], 10, (n) => {
      if (n === 150 && !killed) {
        killed = true;
        w1.child.kill('SIGKILL');
      }
    });
    expect(killed).toBe(true);
    await expectAllAppliedOnce(hub, acked);
  });

  it('a worker started with --metrics-port serves its own job counters to Prometheus', async () => {
    hub = await new ProcessHub().init();
    const api = await hub.spawn('api');
    const worker = await spawnHub(['worker', '--metrics-port', '0'], hub.env(), /worker metrics on (http:\/\/[\d.]+:\d+)/);
    hub.children.add(worker.child);
    const acked = await send(api.url!, 20, ['METRICS-A']);
    await expectAllAppliedOnce(hub, acked);
    const text = await (await fetch(`${worker.match[1]}/metrics`)).text();
    expect(text).toMatch(/hub_jobs_processed_total\{queue="hub.inbound",connector="events"\} 20/);
    expect(text).toContain('hub_job_processing_seconds_bucket');
  });

  it('refuses a --nice outside 0-19 with the range, before starting anything', async () => {
    const r = await runHub(['worker', '--nice', '25']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--nice.*25.*0 \(normal\) to 19 \(lowest\)/s);
  });

  it('drains gracefully on SIGTERM: the worker finishes its jobs and exits 0', async () => {
    hub = await new ProcessHub().init();
    const api = await hub.spawn('api');
    const worker = await hub.spawn('worker');
    const acked = await send(api.url!, 60, ['DRAIN-A']);
    worker.child.kill('SIGTERM');
    expect(await exited(worker.child)).toBe(0);
    await hub.spawn('worker');
    await expectAllAppliedOnce(hub, acked);
  });
});
