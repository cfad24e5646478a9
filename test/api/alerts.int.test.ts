import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, waitFor, type TestHub } from '../helpers/hub.js';
import { call, makeDeadLetter, OPS_YAML, startOpsHub } from './helpers.js';

/** A Slack-style incoming webhook on loopback that records `{ text }` bodies and can refuse on demand. */
class WebhookReceiver {
  readonly texts: string[] = [];
  failNext = 0;
  private server?: Server;
  url = '';
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (this.failNext > 0) {
          this.failNext -= 1;
          res.writeHead(500).end();
          return;
        }
        this.texts.push((JSON.parse(body) as { text: string }).text);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/T000/B000/secret-part`;
    return this;
  }
  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
  take(): string[] {
    return this.texts.splice(0);
  }
}

describe('alerts', () => {
  let receiver: WebhookReceiver;
  let ctx: Awaited<ReturnType<typeof startOpsHub>>;
  let hub: TestHub;
  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    ctx = await startOpsHub({
      yaml: `${OPS_YAML}
alerts:
  webhookUrl: ${receiver.url}
  intervalMs: 1000
  stuckQueue: { oldestWaitingMinutes: 1, idleMinutes: 2 }
  deadLetterGrowth: { threshold: 2, windowMinutes: 60 }
  connectorErrorRate: { threshold: 0.5, windowMinutes: 60, minEvents: 2 }
  stockAccuracy: { threshold: 0.9 }
`,
    });
    hub = ctx.hub;
  });
  afterAll(async () => {
    await ctx.stop();
    await receiver.stop();
  });

  const evaluate = () => hub.ops.deps.alerts.evaluate();
  /** A completed stock run of `stock-api` (channel web), as a worker process would store it: the rule reads the latest. */
  const stockRun = (accuracy: number) =>
    hub.db.query(
      `INSERT INTO reconcile_run (connector_id, kind, trigger, status, finished_at, checked, drifted, accuracy) VALUES ('stock-api', 'stock', 'schedule', 'completed', now(), 100, $1, $2)`,
      [Math.round((1 - accuracy) * 100), accuracy],
    );
  const adjust = (sku: string) => event('inventory.adjusted', { sku, location: 'wh-east', delta: 1, reason: 'receipt' });

  it('fires each incident once to the webhook and shows it on the API, then resolves it when clear', async () => {
    await evaluate();
    expect(receiver.take()).toEqual([]);

    await makeDeadLetter(hub, 'ALERT-1');
    await makeDeadLetter(hub, 'ALERT-2');
    await stockRun(0.8);
    const reconcile = hub.hub.queues.get('hub.reconcile');
    await reconcile.pause();
    await reconcile.add('stuck', { connectorId: 'none' }, { timestamp: Date.now() - 5 * 60_000 });

    await evaluate();
    const fired = receiver.take();
    expect(fired).toHaveLength(4);
    expect(fired).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^:rotating_light: \[commerce-hub\] FIRING stuck-queue hub.reconcile: oldest waiting job is 5\.\d min old \(limit 1\); 1 job\(s\) waiting and nothing completed for 5\.\d min \(queue is paused\)$/,
        ),
        expect.stringContaining('FIRING dead-letter-growth dead letters: 2 dead letters stored in the last 60 min (threshold 2)'),
        expect.stringContaining('FIRING connector-error-rate events: 2 of 2 events failed'),
        expect.stringContaining('FIRING stock-accuracy web: stock accuracy 80.0% below 90.0%'),
      ]),
    );
    await evaluate();
    expect(receiver.take()).toEqual([]);

    const shown = await call(hub, 'viewer', 'GET', '/api/alerts');
    expect(shown.json.rules).toEqual(['stuck-queue', 'dead-letter-growth', 'connector-error-rate', 'stock-accuracy']);
    expect(shown.json.notifying).toBe(true);
    expect(shown.json.active.map((a: { key: string }) => a.key).sort()).toEqual([
      'connector-error-rate:events',
      'dead-letter-growth',
      'stock-accuracy:web',
      'stuck-queue:hub.reconcile',
    ]);
    expect(JSON.stringify(shown.json)).not.toContain('secret-part');
    expect((await call(hub, 'admin', 'GET', '/api/config')).json.alerts.webhookUrl).toBe('[redacted]');

    await reconcile.obliterate({ force: true });
    await stockRun(0.95);
    hub.config.alerts!.deadLetterGrowth!.threshold = 100;
    await hub.postEvents([adjust('ALERT-OK-1')]);
    await hub.postEvents([adjust('ALERT-OK-2')]);
    await hub.postEvents([adjust('ALERT-OK-3')]);
    await waitFor(async () => (await hub.db.query<{ n: number }>(`SELECT count(*) AS n FROM inbox WHERE status = 'processed'`)).rows[0]!.n >= 3, 'processed');

    await evaluate();
    const resolved = receiver.take();
    expect(resolved).toHaveLength(4);
    expect(resolved.every((t) => t.startsWith(':white_check_mark: [commerce-hub] RESOLVED '))).toBe(true);
    expect((await call(hub, 'viewer', 'GET', '/api/alerts')).json.active).toEqual([]);
    await evaluate();
    expect(receiver.take()).toEqual([]);
  });

  it('keeps an incident whose notification failed and delivers it on a later round', async () => {
    receiver.failNext = 1;
    await stockRun(0.5);
    await evaluate();
    expect(receiver.take()).toEqual([]);
    expect((await call(hub, 'viewer', 'GET', '/api/alerts')).json.active).toEqual([expect.objectContaining({ key: 'stock-accuracy:web' })]);
    await evaluate();
    expect(receiver.take()).toEqual([expect.stringContaining('FIRING stock-accuracy web')]);
    await evaluate();
    expect(receiver.take()).toEqual([]);
    await stockRun(1);
    await evaluate();
    expect(receiver.take()).toEqual([expect.stringContaining('RESOLVED stock-accuracy web')]);
  });
});
