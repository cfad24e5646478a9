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
