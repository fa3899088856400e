// Structured JSON logs (pino). Secrets never reach here: callers log ids and counts, not configs or headers.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'batchline'): Logger {
  return pino({
    name,
    level,
    base: { pid: process.pid },
    // Belt and braces: any field with a secret-looking name is masked even if someone logs it by mistake.
    redact: {
      paths: ['*.apiKey', '*.api_key', '*.token', '*.secret', '*.password', '*.authorization', 'headers.authorization', '*.api_token', '*.oauth_token', '*.webhook_secret', '*.connection_string'],
      censor: '[redacted]',
    },
  });
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
