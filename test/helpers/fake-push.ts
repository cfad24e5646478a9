import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { CANONICAL_TOPIC, canonicalConnector } from '../../src/connectors/canonical/index.js';
import { defineConnector, type AvailabilityUpdate, type ConnectorDefinition } from '../../src/connectors/types.js';
import { ContractError, RateLimitedError, UpstreamUnavailableError } from '../../src/core/errors.js';
import type { ConnectorInstance, HubConfig } from '../../src/core/config/load.js';

/**
 * A minimal external stock API on loopback: POST /stock with `{ items: [{ sku, quantity }] }`.
 * Scripted answers (`queue`) come first; SKUs in `gone` are answered as unknown items.
 */
export class FakeStockApi {
  readonly calls: { sku: string; quantity: number }[][] = [];
  readonly levels = new Map<string, number>();
  readonly gone = new Set<string>();
  readonly queue: { status: number; headers?: Record<string, string> }[] = [];
  /** Canonical events the API lists at GET /orders?after=<index>, two per page. */
  readonly orders: unknown[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method === 'GET') {
          const after = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('after') ?? '0');
          const page = this.orders.slice(after, after + 2);
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ orders: page, next: after + page.length }));
        }
        const scripted = this.queue.shift();
        if (scripted) {
          res.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers });
          return res.end(JSON.stringify({ error: 'scripted' }));
        }
        const items = (JSON.parse(body) as { items: { sku: string; quantity: number }[] }).items;
        this.calls.push(items);
        const rejected = items.filter((i) => this.gone.has(i.sku)).map((i) => i.sku);
        for (const i of items) if (!this.gone.has(i.sku)) this.levels.set(i.sku, i.quantity);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ rejected }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

const FakeConfigSchema = z.object({ settings: z.object({ url: z.string() }), credentials: z.object({}).prefault({}) });

/** A connector that pushes availability to a {@link FakeStockApi}, classifying answers like a real one. */
export const fakePushConnector: ConnectorDefinition = defineConnector({
  type: 'fake-push',
  category: 'marketplace',
  displayName: 'Fake stock API',
  version: '0',
  configSchema: FakeConfigSchema,
  capabilities: ['push.availability', 'poll'],
  webhooks: canonicalConnector.webhooks as never,
  rateLimit: { max: 50, durationMs: 1000 },
  pushBatchSize: 10,
  createClient: (config) => ({
    async *pollOrders(cursor: string | null) {
      let after = Number(cursor ?? '0');
      for (;;) {
        const res = await fetch(`${config.settings.url}/orders?after=${after}`);
        const page = (await res.json()) as { orders: unknown[]; next: number };
        if (page.orders.length === 0) return;
        after = page.next;
        yield { orders: page.orders, cursor: String(after), topic: CANONICAL_TOPIC };
      }
    },
    async pushAvailability(updates: AvailabilityUpdate[]) {
      const res = await fetch(`${config.settings.url}/stock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: updates.map((u) => ({ sku: u.sku, quantity: u.available })) }),
      });
      if (res.status === 429) {
        throw new RateLimitedError('stock API throttled', { retryAfterMs: Number(res.headers.get('retry-after') ?? '1') * 1000 });
      }
      if (res.status >= 500) throw new UpstreamUnavailableError(`stock API answered ${res.status}`);
      const { rejected } = (await res.json()) as { rejected: string[] };
      return {
        pushed: updates.length - rejected.length,
        calls: 1,
        failures: rejected.map((sku) => ({ sku, error: new ContractError(`stock API: unknown item ${sku}`, { code: 'not_found', field: 'sku', value: sku }) })),
      };
    },
  }),
});

/** The connector instance as config would give it, feeding channel `web`. */
export function fakePushInstance(url: string, schedules: ConnectorInstance['schedules'] = {}): ConnectorInstance {
  return {
    id: 'stock-api',
    type: 'fake-push',
    category: 'marketplace',
    enabled: true,
    retry: { attempts: 4, backoffMs: 50, maxBackoffMs: 200 },
    settings: { url },
    credentials: {},
    schedules,
  };
}

/** Adds `instance` to `config` and sells the first channel (`web`) through it. */
export function sellThroughFakePush(config: HubConfig, instance: ConnectorInstance): HubConfig {
  config.connectors.push(instance);
  config.channels[0]!.connector = instance.id;
  return config;
}
