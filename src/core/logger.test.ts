import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LOG_REDACT_PATHS } from './config/redact.js';
import { createLogger } from './logger.js';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('logging', () => {
  it('never writes credentials, tokens or webhook signatures', () => {
    const { lines, stream } = capture();
    const logger = pino({ redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } }, stream);
    logger.info({ connector: { id: 'shopify-main', credentials: { accessToken: 'shpat_abc', webhookSecret: 'whsec' } } }, 'connector loaded');
    logger.info({ token: 'hub-admin-token-123', req: { headers: { authorization: 'Bearer abc', 'x-shopify-hmac-sha256': 'sig' } } }, 'request');
    const out = lines.join('');
    for (const secret of ['shpat_abc', 'whsec', 'hub-admin-token-123', 'Bearer abc', '"sig"']) expect(out).not.toContain(secret);
    expect(out).toContain('shopify-main');
  });

  it('logs at the level it is given', () => {
    expect(createLogger({ level: 'warn', pretty: false }).level).toBe('warn');
  });
});
