import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/core/metrics.js';

/**
 * No Docker engine here: the deployment files are checked by reading them. What they must do is
 * what an operator runs (README, "Docker"): `docker compose up -d redis` without any hub secret,
 * one image for the API and the workers, restarts and health checks, Prometheus scraping the API
 * and every worker, alert rules and a Grafana dashboard over metrics the hub really exports.
 */
type Service = Record<string, any>;
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;

/** Metric names the hub exports, with the series names histograms add. */
async function exportedNames(): Promise<Set<string>> {
  const metrics = await createMetrics().registry.getMetricsAsJSON();
  return new Set(metrics.flatMap((m) => (String(m.type) === 'histogram' ? [m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name])));
}
const metricNamesIn = (expr: string) => [...new Set(expr.match(/\b(hub|process|nodejs)_[a-z0-9_]+\b/g) ?? [])];

describe('docker-compose.yml', () => {
  it('starts redis alone without HUB_ADMIN_TOKEN: no variable is required when the file is read', () => {
    const text = readFileSync('docker-compose.yml', 'utf8');
    // ${VAR:?message} fails interpolation of the whole file, whichever service is started.
    expect(text.match(/\$\{[A-Z_]+:?\?/g) ?? []).toEqual([]);
    expect(services['redis']!['environment']).toBeUndefined();
    expect(services['redis']!['depends_on']).toBeUndefined();
  });

  it('runs the API and the workers from one image, restarts everything, and health-checks the workers', () => {
    expect(services['hub-api']!['image']).toBe(services['hub-worker']!['image']);
    expect(services['hub-api']!['build']).toBe('.');
    expect(services['hub-worker']!['build']).toBeUndefined();
    for (const [name, s] of Object.entries(services)) expect(s['restart'], name).toBe('unless-stopped');
    expect(services['hub-worker']!['command']).toEqual(['worker', '--metrics-port', '9464']);
    expect(services['hub-worker']!['healthcheck']['test'].join(' ')).toContain('127.0.0.1:9464/healthz');
    expect(services['hub-api']!['healthcheck']['test'].join(' ')).toContain('/readyz');
    expect(services['hub-api']!['environment']['HUB_ADMIN_TOKEN']).toBe('${HUB_ADMIN_TOKEN:-}');
  });

  it('puts Prometheus and Grafana in the monitoring profile, with every mounted file present', () => {
    for (const name of ['prometheus', 'grafana']) {
      expect(services[name]!['profiles']).toEqual(['monitoring']);
      const sources = (services[name]!['volumes'] as string[]).map((v) => v.split(':')[0]!);
      expect(sources.filter((s) => s.startsWith('./') && !existsSync(s))).toEqual([]);
      expect(sources.filter((s) => !s.startsWith('./') && !Object.keys(compose.volumes).includes(s))).toEqual([]);
    }
  });
});

describe('Prometheus and Grafana files', () => {
  it('scrapes the API and every worker replica', () => {
    const prom = parse(readFileSync('deploy/prometheus/prometheus.yml', 'utf8')) as { scrape_configs: Service[]; rule_files: string[] };
    const byJob = Object.fromEntries(prom.scrape_configs.map((j) => [j['job_name'], j]));
    expect(byJob['hub-api']!['static_configs'][0]['targets']).toEqual(['hub-api:8080']);
    expect(byJob['hub-worker']!['dns_sd_configs'][0]).toMatchObject({ names: ['hub-worker'], type: 'A', port: 9464 });
    expect(prom.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    // /metrics beyond loopback asks for a token: both jobs send the one compose hands Prometheus as a secret.
    for (const job of ['hub-api', 'hub-worker'])
      expect(byJob[job]!['authorization']).toEqual({ type: 'Bearer', credentials_file: '/run/secrets/hub_metrics_token' });
    expect(services['prometheus']!['secrets']).toEqual(['hub_metrics_token']);
    expect((compose as unknown as { secrets: Record<string, unknown> }).secrets['hub_metrics_token']).toEqual({ environment: 'HUB_METRICS_TOKEN' });
  });

  it('mirrors every built-in alert rule, over metrics the hub exports', async () => {
    const names = await exportedNames();
    const rules = (parse(readFileSync('deploy/prometheus/alerts.yml', 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap(
      (g) => g.rules,
    );
    expect(rules.map((r) => r.alert)).toEqual([
      'HubStuckQueue',
      'HubDeadLetterGrowth',
      'HubConnectorErrorRate',
      'HubStockAccuracyLow',
      'HubUnmappedItems',
      'HubDown',
    ]);
    for (const r of rules) for (const m of metricNamesIn(r.expr)) expect(names.has(m), `${r.alert}: ${m}`).toBe(true);
  });

  it('has a Grafana dashboard whose panels query metrics the hub exports, with units', async () => {
    const names = await exportedNames();
    const dash = JSON.parse(readFileSync('deploy/grafana/dashboards/commerce-hub.json', 'utf8')) as {
      uid: string;
      panels: { title: string; fieldConfig: { defaults: { unit: string } }; targets: { expr: string }[] }[];
    };
    expect(dash.uid).toBe('commerce-hub');
    const queried = dash.panels.flatMap((p) => p.targets.flatMap((t) => metricNamesIn(t.expr)));
    for (const m of queried) expect(names.has(m), m).toBe(true);
    expect(queried).toEqual(
      expect.arrayContaining([
        'hub_queue_oldest_waiting_seconds',
        'hub_jobs_failed_total',
        'hub_stock_accuracy_ratio',
        'hub_reconcile_unmapped_items',
        'process_resident_memory_bytes',
      ]),
    );
    for (const p of dash.panels) expect(p.fieldConfig.defaults.unit, p.title).toBeTruthy();
  });
});

describe('Dockerfile', () => {
  const text = readFileSync('Dockerfile', 'utf8');
  it('runs as node with a data directory node owns, and the entry refuses the API without a real admin token', () => {
    const runtime = text.slice(text.lastIndexOf('FROM '));
    expect(runtime).toMatch(/RUN mkdir -p \/app\/data && chown node:node \/app\/data/);
    expect(runtime.indexOf('chown node:node /app/data')).toBeLessThan(runtime.indexOf('USER node'));
    expect(runtime).toContain('ENTRYPOINT ["/app/bin/docker-entrypoint.sh"]');
    expect(text).toContain('npm ci --ignore-scripts');
    const entry = readFileSync('bin/docker-entrypoint.sh', 'utf8');
    expect(entry).toMatch(/start\|api\)/);
    expect(entry).toContain('exec node /app/bin/hub.js "$@"');
    for (const token of ['', 'local-admin-token-change-me']) {
      const run = spawnSync('sh', ['bin/docker-entrypoint.sh', 'api'], { env: { PATH: process.env['PATH'], HUB_ADMIN_TOKEN: token }, encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('hub api: set HUB_ADMIN_TOKEN');
    }
  });
});
