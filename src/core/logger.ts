import { pino, type Logger } from 'pino';
import { LOG_REDACT_PATHS } from './config/redact.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Human-readable output; defaults to on when stdout is a terminal. */
  pretty?: boolean;
  name?: string;
  /** Where lines go: stdout (default), or stderr for commands whose stdout is their output. */
  destination?: 'stdout' | 'stderr';
}

/** JSON logs (pretty in a terminal) with every secret path redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.destination === 'stderr' ? process.stderr : process.stdout;
  const pretty = options.pretty ?? (stream.isTTY === true && process.env['CI'] !== 'true');
  const fd = options.destination === 'stderr' ? 2 : 1;
  return pino(
    {
    name: options.name ?? 'hub',
    level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
    redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
      ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', destination: fd } } } : {}),
    },
    pretty ? undefined : pino.destination(fd),
  );
}

/** A logger that writes nothing: for previews that bind connectors but never run their clients. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
