/** Keys whose values are secrets wherever they appear in config, logs or API responses. */
export const SECRET_KEYS = ['credentials', 'token', 'accessToken', 'webhookSecret', 'apiKey', 'password', 'secret', 'authorization'];

/**
 * pino redact paths derived from SECRET_KEYS, at the top level and one or two levels down, and
 * request headers as a whole: every connector signs or authenticates in headers of its own.
 */
export const LOG_REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]).concat(['req.headers', 'headers']);

/** A deep copy with every secret value replaced by "[redacted]". */
export function redact<T>(value: T): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [k, SECRET_KEYS.includes(k) && v !== undefined ? '[redacted]' : walk(v)]),
      );
    }
    return node;
  };
  return walk(value) as T;
}
