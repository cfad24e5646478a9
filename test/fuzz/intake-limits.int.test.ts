import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCanonical } from '../../src/connectors/canonical/index.js';
import { BASE_CONFIG, CANONICAL_SECRET, event, parseTestConfig, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';

const CLIENT = fileURLToPath(new URL('./raw-client.mjs', import.meta.url));

function client(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [CLIENT, ...args], { timeout: 120_000 }, (err, stdout) =>
      err ? reject(err) : resolve(JSON.parse(stdout) as Record<string, unknown>),
    ),
  );
}

/** Sends raw bytes on a fresh connection (from another process); resolves with what the server answered before it closed (or `ms` passed). */
async function rawExchange(url: string, head: string, opts: { body?: string; abortAfterMs?: number; ms?: number } = {}): Promise<string> {
  return (await client(['exchange', new URL(url).port, JSON.stringify({ head, ...opts })]))['answer'] as string;
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

async function metricsText(hub: TestHub): Promise<string> {
  return (await fetch(`${hub.url}/metrics`)).text();
}

function post(url: string, path: string, headers: Record<string, string>, body: string, agent?: http.Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(`${url}${path}`, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

describe('webhook intake: nothing read before the connector is known, bounded metrics, client errors as client errors', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('answers an unknown connector 404 before the body is sent', async () => {
    // 5 MB declared, not one byte sent: an answer can only come from the headers.
    const answer = await rawExchange(hub.url, 'POST /webhooks/nobody HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n');
    expect(statusOf(answer)).toBe(404);
    expect(answer).toContain('unknown_connector');
  });

  it('refuses a declared Content-Length over the limit at once, before reading it', async () => {
    const answer = await rawExchange(
      hub.url,
      'POST /webhooks/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n',
    );
    expect(statusOf(answer)).toBe(413);
    expect(answer).toContain('too_large');
  });

  it('keeps /metrics bounded under unknown connector ids at a high rate: one `unknown` series, no id from the URL', async () => {
    const before = (await metricsText(hub)).length;
    const ids = Array.from({ length: 1000 }, () => `probe-${randomUUID()}`);
    for (let i = 0; i < ids.length; i += 50) {
      const statuses = await Promise.all(ids.slice(i, i + 50).map((id) => post(hub.url, `/webhooks/${id}`, { 'content-type': 'application/json' }, '{}')));
      expect(statuses.every((s) => s === 404)).toBe(true);
    }
    const text = await metricsText(hub);
    expect(ids.some((id) => text.includes(id))).toBe(false);
    const unknown = /hub_webhook_rejections_total\{connector="unknown",reason="unknown_connector"\} (\d+)/.exec(text);
    expect(Number(unknown?.[1])).toBeGreaterThanOrEqual(1000);
    // A thousand ids would add a thousand series (about 100 bytes each); one counter moved instead.
    expect(text.length - before).toBeLessThan(2000);
  });

  it('answers a body in an unknown content encoding as a client error (415), counted, not "unavailable"', async () => {
    const status = await post(hub.url, '/webhooks/events', { 'content-type': 'application/json', 'content-encoding': 'x-bogus' }, '{}');
    expect(status).toBe(415);
    expect(await metricsText(hub)).toMatch(/hub_webhook_client_errors_total\{reason="bad_encoding"\} 1/);
    expect(await metricsText(hub)).not.toMatch(/reason="unavailable"/);
  });

  it('counts a request the client aborts mid-body as a client error, not as the hub being unavailable', async () => {
    await rawExchange(hub.url, 'POST /webhooks/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n', {
      body: '{"partial":',
      abortAfterMs: 200,
    });
    await waitFor(
      async () => /hub_webhook_client_errors_total\{reason="aborted"\} 1/.test(await metricsText(hub)) || null,
      'the aborted request counted',
      30_000,
    );
    expect(await metricsText(hub)).not.toMatch(/reason="unavailable"/);
  });
});

describe('webhook intake under slow bodies: the connection cap and request timeout hold', () => {
  let hub: TestHub;
  const CAP = 40;
  beforeAll(async () => {
    const config = parseTestConfig(BASE_CONFIG);
    Object.assign(config.server, { maxConnections: CAP, headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 1000 });
    hub = await startTestHub({ config });
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('never holds more than the cap, ends slow bodies by the request timeout, then serves real deliveries again', { timeout: 120_000 }, async () => {
    let peak = 0;
    const sampler = setInterval(() => hub.server.getConnections((_e, n) => (peak = Math.max(peak, n))), 20);
    // 300 slow senders: headers, then a byte now and then, never the whole body.
    const slow = await client(['slow', new URL(hub.url).port, '300', '60000']);
    clearInterval(sampler);
    // Every one was cut off by the server (refused at the cap, or ended by the request timeout)...
    expect(slow).toMatchObject({ stillOpen: 0, closedByServer: 300 });
    // ...and the server never held more than its cap.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(CAP);
    const body = event('inventory.adjusted', { sku: 'SLOW-1', location: 'wh-east', delta: 1, reason: 'receipt' });
    const raw = JSON.stringify(body);
    const status = await post(
      hub.url,
      '/webhooks/events',
      { 'content-type': 'application/json', 'x-hub-delivery-id': randomUUID(), 'x-hub-signature-256': signCanonical(raw, CANONICAL_SECRET) },
      raw,
    );
    expect(status).toBe(200);
  });
});
