import SwaggerParser from '@apidevtools/swagger-parser';
import type { Express } from 'express';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { event, waitFor } from '../helpers/hub.js';
import { makeDeadLetter, useOpsHub } from './helpers.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** `METHOD /path` of every /api route the express app really serves (nested routers included). */
function mountedApiRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && layer.route.path.startsWith('/api/')) out.push(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out.sort();
}

describe('OpenAPI document and metrics', () => {
  const ops = useOpsHub();

  it('serves a valid OpenAPI 3 document without a token', async () => {
    const res = await fetch(`${ops.hub.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.0.3');
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  it('documents every routed path and routes every documented one', async () => {
    const doc = (await (await fetch(`${ops.hub.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const app = createApp(ops.hub.hub, { redis: ops.hub.redis, ops: ops.hub.ops });
    expect(mountedApiRoutes(app)).toEqual(documented);
    expect(documented).toEqual(
      expect.arrayContaining([
        'GET /api/dead-letters',
        'POST /api/dead-letters/{id}/replay',
        'POST /api/connectors/{id}/pause',
        'GET /api/inventory/{sku}',
        'GET /api/reconcile/runs/{id}/drift',
        'POST /api/reconcile/connectors/{connectorId}/runs',
        'POST /api/variances/{id}/reject',
      ]),
    );
  });

  it('exposes queue, dead-letter, webhook and job metrics after traffic', async () => {
    const res = await ops.hub.postEvents(event('inventory.adjusted', { sku: 'MET-1', location: 'wh-east', delta: 4, reason: 'receipt' }));
    await waitFor(
      async () => (await ops.hub.db.query<{ status: string }>('SELECT status FROM inbox WHERE id = $1', [res.json['id']])).rows[0]?.status === 'processed',
      'processed',
    );
    await makeDeadLetter(ops.hub, 'MET-BAD');
    const text = await (await fetch(`${ops.hub.url}/metrics`)).text();
    expect(text).toContain('hub_webhook_acks_total{connector="events",outcome="accepted"} 2');
    expect(text).toMatch(/hub_jobs_processed_total\{queue="hub.inbound",connector="events"\} [1-9]/);
    expect(text).toMatch(/hub_job_processing_seconds_count\{queue="hub.inbound",connector="events"\} [1-9]/);
    expect(text).toContain('hub_queue_jobs{queue="hub.inbound",state="waiting"} 0');
    expect(text).toContain('hub_queue_jobs{queue="hub.outbound.stock-api",state="failed"} 0');
    expect(text).toContain('hub_queue_oldest_waiting_seconds{queue="hub.dead-letter"} 0');
    expect(text).toContain('hub_dead_letters_open{connector="events"} 1');
    expect(text).toContain('# TYPE hub_stock_accuracy_ratio gauge');
    expect(text).toContain('# TYPE hub_reconcile_drift_rows gauge');
  });
});
