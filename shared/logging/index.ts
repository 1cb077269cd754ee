/**
 * Structured JSON logs (pino) for every process. Secrets are redacted by path wherever they could
 * appear: request headers, tenant configs, tracker credentials.
 */
import { pino, type Logger as PinoLogger, type LoggerOptions } from 'pino';

export type Logger = PinoLogger;

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-hub-signature"]',
  'req.headers["linear-signature"]',
  'headers.authorization',
  '*.apiToken',
  '*.apiKey',
  '*.webhookSecret',
  '*.webhookSecrets',
  '*.token',
  'apiToken',
  'apiKey',
  'webhookSecret',
  'token',
  'password',
];

export interface LoggerConfig {
  /** Process or service name, e.g. `receiver`. */
  name: string;
  level?: string;
  /** Where lines go (defaults to stdout); tests pass a stream to read them. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    name: config.name,
    level: config.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid, service: config.name },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return config.destination ? pino(options, config.destination as pino.DestinationStream) : pino(options);
}

/** A logger that drops everything, for tests that do not read logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
