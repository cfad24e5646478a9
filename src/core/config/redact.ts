/**
 * Redaction that needs no config: secret key names (for logs and payloads without a schema) and
 * the secret values known to this process. Config redaction by schema marks is redact-config.ts.
 */

/**
 * Keys whose values are secrets wherever they appear in logs or payloads that have no schema
 * (a pino line, a raw request). Config is redacted by its schema marks ({@link redactConfig}).
 */
export const SECRET_KEYS = ['credentials', 'token', 'accessToken', 'webhookSecret', 'apiKey', 'password', 'secret', 'authorization'];

/**
 * pino redact paths derived from SECRET_KEYS, at the top level and one or two levels down, and
 * request headers as a whole: every connector signs or authenticates in headers of its own.
 */
export const LOG_REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]).concat(['req.headers', 'headers']);

/**
 * Secret values known to this process: what config fields marked secret hold, and what every
 * `${ENV}` reference resolved to. Redaction by value catches a secret wherever it ends up (inside
 * a URL, a header template, an error message, a log line), which key names alone cannot.
 */
const known = new Set<string>();
let ordered: string[] = [];

/** Shorter values would mangle ordinary text ("1", "true") and are not credentials. */
export const MIN_SECRET_LENGTH = 6;

export const REDACTED = '[redacted]';

/** Adds values to redact from now on (in this process). */
export function registerSecretValues(values: Iterable<unknown>): void {
  let added = false;
  for (const v of values) {
    if (typeof v !== 'string' || v.length < MIN_SECRET_LENGTH || known.has(v)) continue;
    known.add(v);
    // JSON text carries the escaped form of a value with quotes or backslashes.
    const escaped = JSON.stringify(v).slice(1, -1);
    if (escaped !== v) known.add(escaped);
    added = true;
  }
  // Longest first: a secret that contains another is replaced whole.
  if (added) ordered = [...known].sort((a, b) => b.length - a.length);
}

/** True when some registered secret occurs in `text`. */
export function containsSecret(text: string): boolean {
  return ordered.some((s) => text.includes(s));
}

/** `text` with every registered secret value replaced by "[redacted]". */
export function redactText(text: string): string {
  if (ordered.length === 0) return text;
  let out = text;
  for (const s of ordered) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** A deep copy with registered secret values redacted inside every string (keys included). */
export function redactValues<T>(value: T): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return redactText(node);
    if (node instanceof Date) return node;
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) {
        Object.defineProperty(out, redactText(k), { value: walk(v), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return node;
  };
  return walk(value) as T;
}

/** A deep copy with every value under a SECRET_KEYS key replaced by "[redacted]". */
export function redact<T>(value: T): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, SECRET_KEYS.includes(k) && v !== undefined ? REDACTED : walk(v)]));
    }
    return node;
  };
  return walk(value) as T;
}
