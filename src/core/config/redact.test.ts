import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { diffConfigs } from '../../api/reload.js';
import { LOG_REDACTION } from '../logger.js';
import { parseConfig, type HubConfig } from './load.js';
import { redactConfig } from './redact-config.js';

const ENV = {
  SLACK_URL: 'https://hooks.slack.com/services/T0000/B0000/slack-secret-path-1',
  WMS_TOKEN: 'wms-token-in-a-header-2',
  WMS_KEY: 'wms-key-in-a-url-3',
  HUB_ADMIN_TOKEN: 'admin-token-from-env-0123456789',
  HUB_HOST: '10.1.2.3',
};
const SECRETS = [ENV.SLACK_URL, 'slack-secret-path-1', ENV.WMS_TOKEN, ENV.WMS_KEY, ENV.HUB_ADMIN_TOKEN, 'canonical-secret-in-the-file-4'];

const yaml = (webhook = '${SLACK_URL}', header = 'Bearer ${WMS_TOKEN}') => `
server: { host: "\${HUB_HOST}" }
locations: [{ id: wh-east, kind: warehouse }]
channels: [{ id: web, connector: wms, locations: [wh-east] }]
connectors:
  - id: events
    type: canonical
    credentials: { webhookSecret: canonical-secret-in-the-file-4 }
  - id: wms
    type: generic-http
    settings:
      availability:
        url: "https://wms.example.com/stock/{{ sku }}?key=\${WMS_KEY}"
        headers: { Authorization: "${header}", X-Client: hub }
        body: '{ "sku": sku, "qty": available }'
alerts: { webhookUrl: "${webhook}" }
auth:
  tokens: [{ name: admin, role: admin, token: "\${HUB_ADMIN_TOKEN}" }]
`;

function parse(text: string, env: Record<string, string> = ENV): HubConfig {
  const r = parseConfig(text, env);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

describe('secrets marked in the schema', () => {
  it('/api/config shows no secret: marked fields whole, environment values wherever they occur', () => {
    const shown = JSON.stringify(redactConfig(parse(yaml())));
    for (const s of SECRETS) expect(shown).not.toContain(s);
    // What is not secret still shows: the header around the token, the URL around the key, a plain setting.
    expect(shown).toContain('Bearer [redacted]');
    expect(shown).toContain('https://wms.example.com/stock/{{ sku }}?key=[redacted]');
    expect(shown).toContain('"X-Client":"hub"');
    // A field marked not secret shows its environment value.
    expect(shown).toContain('10.1.2.3');
  });

  it('a reload diff lists changed secrets (a Slack URL, a header template) without their values', () => {
    const before = parse(yaml());
    const after = parse(yaml('${SLACK_URL}', 'Token ${WMS_TOKEN}'), { ...ENV, SLACK_URL: 'https://hooks.slack.com/services/T1/B1/another-slack-secret-5' });
    const changes = diffConfigs(before, after);
    const paths = changes.map((c) => c.path);
    expect(paths).toContain('alerts.webhookUrl');
    expect(paths).toContain('connectors[wms].settings.availability.headers.Authorization');
    const text = JSON.stringify(changes);
    for (const s of [...SECRETS, 'another-slack-secret-5']) expect(text).not.toContain(s);
    expect(changes.find((c) => c.path === 'alerts.webhookUrl')).toEqual({ path: 'alerts.webhookUrl', before: '[redacted]', after: '[redacted]' });
    expect(changes.find((c) => c.path.endsWith('headers.Authorization'))).toEqual({
      path: 'connectors[wms].settings.availability.headers.Authorization',
      before: 'Bearer [redacted]',
      after: 'Token [redacted]',
    });
  });

  it('a connector added by a reload shows with its credentials redacted', () => {
    const before = parse(yaml().replace(/  - id: events[\s\S]*?webhookSecret: canonical-secret-in-the-file-4 }\n/, ''));
    const changes = diffConfigs(before, parse(yaml()));
    const added = changes.find((c) => c.path === 'connectors[events]');
    expect(added?.after).toMatchObject({ id: 'events', credentials: '[redacted]' });
    expect(JSON.stringify(changes)).not.toContain('canonical-secret-in-the-file-4');
  });

  it('log lines never carry a secret value, whatever key it sits under', () => {
    parse(yaml());
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ ...LOG_REDACTION }, stream);
    logger.warn({ url: `${ENV.SLACK_URL}?x=1`, err: `request to https://wms.example.com/stock/A?key=${ENV.WMS_KEY} failed` }, `posting to ${ENV.SLACK_URL}`);
    logger.info({ headers: { 'x-auth': `Bearer ${ENV.WMS_TOKEN}` } }, 'sent');
    const out = lines.join('');
    for (const s of SECRETS) expect(out).not.toContain(s);
    expect(out).toContain('https://wms.example.com/stock/A?key=[redacted]');
  });
});
