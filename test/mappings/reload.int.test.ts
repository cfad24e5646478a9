import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../../src/api/server.js';
import { signGeneric } from '../../src/connectors/generic-webhook/verify.js';
import { createLogger } from '../../src/core/logger.js';
import { TEST_DATABASE_URL } from '../helpers/db.js';
import { REDIS_URL, waitFor } from '../helpers/hub.js';

const EXAMPLES = join(import.meta.dirname, '../../config/examples');
const OLD_SECRET = 'acme-old-secret-0123456789';
const NEW_SECRET = 'acme-new-secret-9876543210';

describe('hot reload of the config (startHub, SIGHUP and file watch)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hub-reload-'));
  const file = join(dir, 'hub.yaml');
  const schema = `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const base = readFileSync(join(EXAMPLES, 'acme-3pl.yaml'), 'utf8').replace('connectors:', `queues: { prefix: "{test-${schema}}" }\n\nconnectors:`);
  const env = { DATABASE_URL: TEST_DATABASE_URL, HUB_DB_SCHEMA: schema, REDIS_URL, ACME_WEBHOOK_SECRET: OLD_SECRET, ACME_WEBHOOK_SECRET_2: NEW_SECRET };
  let hub: RunningHub;

  beforeAll(async () => {
    copyFileSync(join(EXAMPLES, 'acme-3pl-skus.csv'), join(dir, 'acme-3pl-skus.csv'));
    writeFileSync(file, base);
    hub = await startHub({ mode: 'all', configFile: file, env, logger: createLogger({ level: 'silent', pretty: false }), port: 0, reload: { debounceMs: 50 } });
  });
  afterAll(async () => {
    await hub?.stop();
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await admin.end();
    }
  });

  const post = async (body: unknown, secret: string) => {
    const raw = JSON.stringify(body);
    const res = await fetch(`${hub.url}/webhooks/acme-3pl`, {
      method: 'POST',
      headers: { 'x-acme-event': 'receipt.completed', 'x-acme-signature': signGeneric(raw, secret, { encoding: 'base64' }) },
      body: raw,
    });
    return res.status;
  };
  const reloads = async () =>
    (
      await hub.db.query<{ outcome: string; details: { trigger: string; changes?: unknown[]; issues?: unknown[] } }>(
        `SELECT outcome, details FROM audit_log WHERE action = 'config.reload' ORDER BY id`,
      )
    ).rows;
  const onHand = async (sku: string, location: string) =>
    Number(
      (
        await hub.db.query<{ quantity: number }>(`SELECT quantity FROM inventory_balance WHERE sku = $1 AND location = $2 AND state = 'onHand'`, [
          sku,
          location,
        ])
      ).rows[0]?.quantity ?? 0,
    );

  it('keeps the running config when the new one is invalid, and logs its errors in the audit log', async () => {
    writeFileSync(file, base.replace('RNO1: acme-reno', 'RNO1: nowhere'));
    const outcome = await hub.reload('test');
    expect(outcome).toMatchObject({
      status: 'rejected',
      issues: [{ path: 'connectors[acme-3pl].settings.locations.RNO1', message: 'unknown location "nowhere"' }],
    });
    expect(hub.config.connectors[0]!.settings['locations']).toMatchObject({ RNO1: 'acme-reno' });
    expect(
      await post({ notice_id: 'R-1', site: 'RNO1', received_at: '2026-03-01T00:00:00Z', lines: [{ item: 'ACM-10001', qty_received: 3 }] }, OLD_SECRET),
    ).toBe(200);
    await waitFor(async () => (await onHand('TEE-BLK-M', 'acme-reno')) === 3, 'receipt under the old config');
    // The file watcher sees the same save and refuses it too.
    expect((await reloads()).filter((r) => r.outcome === 'refused').map((r) => r.details.trigger)).toContain('test');
    expect((await reloads()).every((r) => r.outcome === 'refused')).toBe(true);
  });

  it('applies a valid change on file save: new site mapping and rotated secret, audited without the secret', async () => {
    const next = base
      .replace('CMH2: acme-columbus', 'CMH2: acme-columbus\n        LAX9: acme-columbus')
      .replace('${ACME_WEBHOOK_SECRET}', '${ACME_WEBHOOK_SECRET_2}');
    writeFileSync(file, next);
    const applied = await waitFor(async () => (await reloads()).find((r) => r.outcome === 'ok'), 'reload applied');
    expect(applied.details.trigger).toBe('file change');
    expect(applied.details.changes).toEqual(
      expect.arrayContaining([
        { path: 'connectors[acme-3pl].settings.locations.LAX9', after: 'acme-columbus' },
        { path: 'connectors[acme-3pl].credentials.hmacSecret', before: '[redacted]', after: '[redacted]' },
      ]),
    );
    expect(JSON.stringify(await reloads())).not.toContain(NEW_SECRET.slice(0, 12));
    expect(JSON.stringify(await reloads())).not.toContain(OLD_SECRET.slice(0, 12));
    const notice = { notice_id: 'R-2', site: 'LAX9', received_at: '2026-03-01T00:00:00Z', lines: [{ item: 'ACM-20001-CS6', qty_received: 2 }] };
    expect(await post(notice, OLD_SECRET)).toBe(401);
    expect(await post(notice, NEW_SECRET)).toBe(200);
    await waitFor(async () => (await onHand('MUG-WHT', 'acme-columbus')) === 12, 'receipt at the newly mapped site');
  });

  it('reloads on SIGHUP and reports settings that need a restart', async () => {
    writeFileSync(file, base.replace('${ACME_WEBHOOK_SECRET}', '${ACME_WEBHOOK_SECRET_2}').replace('queues: {', 'server: { port: 9999 }\nqueues: {'));
    const before = (await reloads()).length;
    process.emit('SIGHUP', 'SIGHUP');
    const row = await waitFor(async () => (await reloads()).slice(before).find((r) => r.outcome === 'ok'), 'SIGHUP reload');
    expect(row.details).toMatchObject({ trigger: 'SIGHUP', restartRequired: ['server.port'] });
  });
});
