import { createRequire } from 'node:module';
import { pino, type Logger, type LoggerOptions as PinoOptions } from 'pino';
import { LOG_REDACT_PATHS, redactText } from './config/redact.js';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Human-readable output; defaults to on when stdout is a terminal and pino-pretty is installed. */
  pretty?: boolean;
  name?: string;
  /** Where lines go: stdout (default), or stderr for commands whose stdout is their output. */
  destination?: 'stdout' | 'stderr';
}

/**
 * What every hub logger redacts: secret keys by path, and every known secret value (config
 * fields marked secret, values taken from the environment) wherever it occurs in a line.
 */
export const LOG_REDACTION: Pick<PinoOptions, 'redact' | 'hooks'> = {
  redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
  hooks: { streamWrite: (line: string) => redactText(line) },
};

/** pino-pretty is a development convenience: the production image does not install it. */
function prettyInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** JSON logs (pretty in a terminal, when pino-pretty is installed) with every secret redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.destination === 'stderr' ? process.stderr : process.stdout;
  const pretty = (options.pretty ?? (stream.isTTY === true && process.env['CI'] !== 'true')) && prettyInstalled();
  const fd = options.destination === 'stderr' ? 2 : 1;
  return pino(
    {
      name: options.name ?? 'hub',
      level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
      ...LOG_REDACTION,
      ...(pretty
        ? {
            transport: {
              target: 'pino-pretty',
              options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', destination: fd, colorize: !process.env['NO_COLOR'] },
            },
          }
        : {}),
    },
    pretty ? undefined : pino.destination(fd),
  );
}

/** A logger that writes nothing: for previews that bind connectors but never run their clients. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
