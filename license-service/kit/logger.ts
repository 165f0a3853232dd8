import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    // Belt and braces: these never belong in a log line, wherever they appear.
    redact: {
      paths: ['licenseKey', '*.licenseKey', 'req.headers.authorization', 'authorization', 'token', '*.token', 'privateKey'],
      censor: '[redacted]',
    },
  });
}
