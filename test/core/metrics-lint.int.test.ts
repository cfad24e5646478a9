import { describe, expect, it } from 'vitest';
import { event, waitFor } from '../helpers/hub.js';
import { makeDeadLetter, useOpsHub } from '../api/helpers.js';
import { lintMetrics, parseExposition, type MetricFamily } from '../helpers/promlint.js';

/** Every label set of a family's samples named exactly `name`. */
const seriesOf = (families: MetricFamily[], name: string) => families.flatMap((f) => f.samples.filter((s) => s.name === name));

/**
 * /metrics after real traffic (an accepted delivery, a dead letter, a push, a push the API
 * answered 503 then 200, one it rejected for good) passes the same rules as `promtool check metrics`,
 * keeps the standard Node.js names and carries the labels dashboards group by.
 */
describe('GET /metrics', () => {
  const ops = useOpsHub();

  it('passes the promtool lint after traffic, with standard names and real labels', async () => {
    ops.stockApi.queue.push({ status: 503 });
    ops.stockApi.gone.add('LINT-GONE');
    for (const sku of ['LINT-1', 'LINT-GONE']) {
      const res = await ops.hub.postEvents(event('inventory.adjusted', { sku, location: 'wh-east', delta: 4, reason: 'receipt' }));
      await waitFor(
        async () => (await ops.hub.db.query<{ status: string }>('SELECT status FROM inbox WHERE id = $1', [res.json['id']])).rows[0]?.status === 'processed',
        'processed',
      );
    }
    await makeDeadLetter(ops.hub, 'LINT-BAD');
    await waitFor(() => ops.stockApi.levels.get('LINT-1') === 4, 'LINT-1 pushed after the 503', 30_000);
    await waitFor(
      async () => (await ops.hub.db.query(`SELECT 1 FROM dead_letter WHERE 'LINT-GONE' = ANY(skus)`)).rows.length > 0,
      'dead letter for the rejected SKU',
      30_000,
    );

    const text = await (await fetch(`${ops.hub.url}/metrics`)).text();
    const families = parseExposition(text);
    expect(lintMetrics(families)).toEqual([]);

    const names = families.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'process_cpu_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
        'nodejs_heap_size_used_bytes',
        'nodejs_active_handles',
      ]),
    );
    expect(names.filter((n) => n.startsWith('hub_process_'))).toEqual([]);

    expect(seriesOf(families, 'hub_build_info')).toEqual([
      { name: 'hub_build_info', labels: { version: expect.stringMatching(/^\d+\.\d+\.\d+/), node_version: process.versions.node }, value: 1 },
    ]);
    expect(seriesOf(families, 'hub_jobs_failed_total').map((s) => s.labels)).toEqual(
      expect.arrayContaining([
        { queue: 'hub.inbound', connector: 'events', error_code: 'invalid_value' },
        { queue: 'hub.outbound.stock-api', connector: 'stock-api', error_code: 'upstream_unavailable' },
      ]),
    );
    const calls = seriesOf(families, 'hub_outbound_calls_total');
    expect(calls.map((s) => s.labels)).toContainEqual({ connector: 'stock-api', status: '5xx', outcome: 'retry' });
    // The retried SKU and the rejected one go out in one call or two, as the relay happens to batch
    // them: either way a 2xx call carries the rejection as `partial`, or the clean one as `ok`.
    const answered = calls.filter((s) => s.labels['connector'] === 'stock-api' && s.labels['status'] === '2xx').map((s) => s.labels['outcome']);
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.every((o) => o === 'ok' || o === 'partial')).toBe(true);
    expect(seriesOf(families, 'hub_job_processing_seconds_count').map((s) => s.labels)).toEqual(
      expect.arrayContaining([
        { queue: 'hub.inbound', connector: 'events' },
        { queue: 'hub.outbound.stock-api', connector: 'stock-api' },
      ]),
    );
  });
});
