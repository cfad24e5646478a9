/**
 * Reference servers for bench/queue.ts, run as their own process so their CPU is their own:
 *   responder  a node:http server that answers 200 to everything (the HTTP ceiling with the same client);
 *   intake     a bare durable intake: the hub's HTTP stack (express, raw body), a group-committed
 *              multi-row insert of the bodies (synchronous commit), one BullMQ job per flush and a
 *              no-op consumer. It is what the hub's intake would cost with no verification and no ERP.
 * Prints "listening on <url>" when ready. GET /consumed answers how many bodies the consumer saw.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, Worker } from 'bullmq';
import express from 'express';
import { openDb } from '../../src/core/store/index.js';
import { bullConnection } from '../../src/queues/runtime.js';

const mode = process.argv[2];

function ready(server: http.Server): void {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

if (mode === 'responder') {
  const server = http.createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => ready(server));
} else if (mode === 'intake') {
  const db = await openDb({ databaseUrl: process.env['DATABASE_URL'], schema: process.env['HUB_DB_SCHEMA'], poolSize: 4 });
  await db.exec('CREATE TABLE IF NOT EXISTS ref_inbox (id bigserial PRIMARY KEY, body text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())');
  const connection = bullConnection(process.env['REDIS_URL']);
  const prefix = process.env['PREFIX']!;
  const queue = new Queue('ref.intake', { connection, prefix });
  let consumed = 0;
  const worker = new Worker(
    'ref.intake',
    async (job) => {
      consumed += (job.data as { ids: number[] }).ids.length;
    },
    { connection, prefix, concurrency: 8 },
  );
  await worker.waitUntilReady();

  let pending: { body: string; done: (ok: boolean) => void }[] = [];
  let flushing = false;
  const flush = async (): Promise<void> => {
    flushing = true;
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        const { rows } = await db.query<{ id: number }>('INSERT INTO ref_inbox (body) SELECT * FROM unnest($1::text[]) RETURNING id', [
          batch.map((b) => b.body),
        ]);
        await queue.add('batch', { ids: rows.map((r) => r.id) }, { removeOnComplete: true });
        for (const b of batch) b.done(true);
      } catch {
        for (const b of batch) b.done(false);
      }
    }
    flushing = false;
  };

  const app = express();
  app.disable('x-powered-by');
  app.post('/webhooks/:id', express.raw({ type: () => true, limit: '1mb' }), (req, res) => {
    const body = (req.body as Buffer).toString('utf8');
    pending.push({ body, done: (ok) => void res.status(ok ? 200 : 503).json({ status: ok ? 'accepted' : 'unavailable' }) });
    if (!flushing) void flush();
  });
  app.get('/consumed', (_req, res) => void res.json({ consumed }));
  const server = app.listen(0, '127.0.0.1', () => ready(server));
  server.keepAliveTimeout = 65_000;
  process.on('SIGTERM', () => {
    void Promise.all([worker.close(), queue.obliterate({ force: true }).then(() => queue.close()), db.close()]).then(() => process.exit(0));
  });
} else {
  console.error('usage: reference-server.ts responder|intake');
  process.exit(2);
}
