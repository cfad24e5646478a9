import { pino, type Logger } from 'pino';
import { LOG_REDACT_PATHS } from './config/redact.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Human-readable output; defaults to on when stdout is a terminal. */
  pretty?: boolean;
  name?: string;
}

/** JSON logs (pretty in a terminal) with every secret path redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? (process.stdout.isTTY === true && process.env['CI'] !== 'true');
  return pino({
    name: options.name ?? 'hub',
    level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
    redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  });
}
