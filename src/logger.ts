// Structured JSON logs (pino) on stdout, each line carrying the trace_id and span_id of the span it was
// written in; human-readable (pino-pretty) when stdout is a terminal. Secrets never reach here: callers
// log ids and counts, not configs or headers, and secret-looking fields are masked anyway.
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { activeIds } from './telemetry/trace.ts';

export type { Logger };

export interface LoggerOptions {
  /** Human-readable lines; default: when stdout is a TTY. */
  pretty?: boolean;
  /** Where lines go; default stdout. */
  destination?: DestinationStream;
}

export function createLogger(level: string, name = 'batchline', options: LoggerOptions = {}): Logger {
  const human = options.pretty ?? process.stdout.isTTY === true;
  const destination = options.destination ?? (human ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) : undefined);
  const settings = {
    name,
    level,
    base: { pid: process.pid },
    // The active span's ids, so a log line leads to its trace (and back, by searching the trace id).
    mixin: () => activeIds() ?? {},
    // Belt and braces: any field with a secret-looking name is masked even if someone logs it by mistake.
    redact: {
      paths: ['*.apiKey', '*.api_key', '*.token', '*.secret', '*.password', '*.authorization', 'headers.authorization', '*.api_token', '*.oauth_token', '*.webhook_secret', '*.connection_string'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(settings, destination) : pino(settings);
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
