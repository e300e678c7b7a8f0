import { pino, type Logger } from 'pino';

/** Paths whose values never reach a log line: credentials, tokens, keys. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.privateKey',
  '*.secret',
  '*.apiKey',
];

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    base: { service: 'lienthong' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** Replaces the password in a connection string so it can be shown or logged. */
export function maskUri(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:****@');
}
