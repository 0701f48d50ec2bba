/**
 * @module logger
 * JSON logs (pino) on stdout. Lines carry the request id; secrets are never passed to the logger,
 * and the usual secret-bearing keys are censored anyway in case one slips into a logged object.
 */
import cluster from 'node:cluster';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** Keys censored wherever they appear (one level deep, and at the top). */
const SECRET_KEYS = ['authorization', 'apiKey', 'adminToken', 'secretKey', 'secret', 'credentials', 'password', 'token', 'bearerToken', 'webhookUrl'];

/** Creates the server's logger; `destination` defaults to stdout. */
export function createLogger(options: { level?: LevelWithSilent; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      // Copies run by `--processes` write to the same stream: their pid tells their lines apart.
      base: { service: 'tributary-server', ...(cluster.isWorker ? { pid: process.pid } : {}) },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`)], censor: '[redacted]' },
    },
    options.destination,
  );
}
