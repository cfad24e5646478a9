import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidSignatureError, ValidationError } from '../../core/errors.js';
import { evaluate } from '../../mappings/expressions.js';
import { parseJsonPreservingIds } from '../http/json.js';
import type { VerifiedDelivery, WebhookRequest } from '../types.js';
import type { GenericWebhookConfig } from './config.js';

type Instance = GenericWebhookConfig & { id?: string };

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Signs a body as an instance's `verify.hmac` expects it (for senders, tests and docs). */
export function signGeneric(rawBody: string | Buffer, secret: string, spec: { algorithm?: string; encoding?: 'hex' | 'base64'; prefix?: string } = {}): string {
  return `${spec.prefix ?? ''}${createHmac(spec.algorithm ?? 'sha256', secret)
    .update(rawBody)
    .digest(spec.encoding ?? 'hex')}`;
}

/** Checks the signature or key (constant time), then names the delivery: topic and dedup key. */
export async function verifyGeneric(request: WebhookRequest, config: Instance): Promise<VerifiedDelivery> {
  const { verify } = config.settings;
  if (verify.hmac) {
    const secret = config.credentials.hmacSecret;
    if (!secret) throw new InvalidSignatureError('credentials.hmacSecret is not configured', { field: 'credentials.hmacSecret' });
    const given = request.headers[verify.hmac.header] ?? '';
    if (!sameSecret(given, signGeneric(request.rawBody, secret, verify.hmac))) {
      throw new InvalidSignatureError(`${verify.hmac.header} does not match the body`, { field: `headers.${verify.hmac.header}` });
    }
  } else if (verify.apiKey) {
    const key = config.credentials.apiKey;
    if (!key || !sameSecret(request.headers[verify.apiKey.header] ?? '', key)) {
      throw new InvalidSignatureError(`${verify.apiKey.header} is missing or wrong`, { field: `headers.${verify.apiKey.header}` });
    }
  }
  let body: unknown;
  const needsBody = [config.settings.topic, config.settings.dedup].some((s) => s.expression !== undefined) || config.settings.occurredAt !== undefined;
  if (needsBody) {
    try {
      body = parseJsonPreservingIds(request.rawBody.toString('utf8'));
    } catch (err) {
      throw new ValidationError(`body is not JSON: ${(err as Error).message}`, { field: 'body' });
    }
  }
  const bindings = { root: body, receivedAt: '', connectorId: config.id ?? '' };
  const read = async (what: 'topic' | 'dedup'): Promise<string> => {
    const source = config.settings[what];
    let value: unknown = source.value;
    if (source.header) value = request.headers[source.header];
    if (source.expression) {
      const result = await evaluate(source.expression, body, bindings);
      value = 'value' in result ? result.value : undefined;
    }
    const from = source.header ? `header ${source.header}` : `expression "${source.expression}"`;
    const field = source.header ? `headers.${source.header}` : 'body';
    if (value === undefined || value === null || value === '') {
      throw new ValidationError(`${what === 'topic' ? 'event type' : 'deduplication key'} is missing (${from})`, { code: 'missing_field', field });
    }
    // An object or a list is not a topic or a key: never let it become "[object Object]".
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new ValidationError(`${what === 'topic' ? 'event type' : 'deduplication key'} is not a string or a number (${from})`, {
        code: 'invalid_value',
        field,
      });
    }
    return String(value);
  };
  const topic = await read('topic');
  const dedupKey = `${topic}:${await read('dedup')}`;
  let occurredAt: string | undefined;
  if (config.settings.occurredAt) {
    const result = await evaluate(config.settings.occurredAt, body, bindings);
    const date = 'value' in result && (typeof result.value === 'string' || typeof result.value === 'number') ? new Date(result.value) : undefined;
    if (date && !Number.isNaN(date.getTime())) occurredAt = date.toISOString();
  }
  return { dedupKey, topic, ...(occurredAt ? { occurredAt } : {}) };
}
